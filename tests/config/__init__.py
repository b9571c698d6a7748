"""Tests of ingresslib/config/, one module each, mirroring the source."""
