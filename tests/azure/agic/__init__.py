"""Tests of ingresslib/azure/agic/, one module each, mirroring the source."""
