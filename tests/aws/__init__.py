"""Tests of ingresslib/aws/, one module each, mirroring the source."""
