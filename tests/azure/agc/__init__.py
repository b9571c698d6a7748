"""Tests of ingresslib/azure/agc/, one module each, mirroring the source."""
