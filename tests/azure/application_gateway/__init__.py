"""Tests of ingresslib/azure/application_gateway/, one module each, mirroring the source."""
