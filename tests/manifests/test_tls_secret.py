"""manifests/tls_secret.py: the kubernetes.io/tls Secret a listener's certificate lives in."""

from __future__ import annotations

from ingresslib.manifests.tls_secret import tls_secret

META = {"name": "cert", "namespace": "edge",
        "labels": {"app.kubernetes.io/managed-by": "ingresslib"}}


def test_without_ca() -> None:
    assert tls_secret("cert", "edge", cert_pem="C", key_pem="K") == {
        "apiVersion": "v1", "kind": "Secret", "metadata": META, "type": "kubernetes.io/tls",
        "stringData": {"tls.crt": "C", "tls.key": "K"}}


def test_with_ca() -> None:
    assert tls_secret("cert", "edge", cert_pem="C", key_pem="K", ca_pem="A")["stringData"] == {
        "tls.crt": "C", "tls.key": "K", "ca.crt": "A"}
