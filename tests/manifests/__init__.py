"""Tests of the renderers under ingresslib/manifests/, one module per source module."""
