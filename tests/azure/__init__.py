"""Tests of ingresslib/azure/, one module each, mirroring the source."""
