"""Tests of the Gateway API renderers under ingresslib/manifests/gateway_api/."""
