"""manifests/istio_gateway.py: the Istio Gateway, one server per listener."""

from __future__ import annotations

from typing import Any

from ingresslib.config.listeners import Listener
from ingresslib.manifests.istio_gateway import istio_gateway


def _listener(**data: Any) -> Listener:
    return Listener.model_validate(data)


HTTP = _listener(name="http", port=80, protocol="HTTP", hosts=["a.example.com", "b.example.com"])
HTTPS = _listener(name="https", port=443, protocol="HTTPS", hosts=["a.example.com"],
                  tls={"certificate": "edge", "cipherSuites": ["ECDHE-RSA-AES256-GCM-SHA384"]})
MTLS = _listener(name="mtls", port=8443, protocol="HTTPS", hosts=["m.example.com"],
                 tls={"mode": "MUTUAL", "certificate": "client", "minProtocolVersion": "TLSV1_3"})
PASS = _listener(name="tls", port=9443, protocol="TLS", hosts=["db.example.com"],
                 tls={"mode": "PASSTHROUGH"})


def _gateway(*listeners: Listener, redirects: set[str] = frozenset()) -> dict[str, Any]:
    return istio_gateway("gw", "edge", {"z": "1", "istio": "edge"}, list(listeners),
                         credentials={"edge": "edge-tls", "client": "client-tls"},
                         redirects=set(redirects))


def test_every_kind_of_server() -> None:
    made = _gateway(HTTP, HTTPS, MTLS, PASS)
    assert made == {
        "apiVersion": "networking.istio.io/v1", "kind": "Gateway",
        "metadata": {"name": "gw", "namespace": "edge",
                     "labels": {"app.kubernetes.io/managed-by": "ingresslib"}},
        "spec": {"selector": {"istio": "edge", "z": "1"}, "servers": [
            {"port": {"number": 80, "name": "http", "protocol": "HTTP"},
             "hosts": ["a.example.com", "b.example.com"]},
            {"port": {"number": 443, "name": "https", "protocol": "HTTPS"},
             "hosts": ["a.example.com"],
             "tls": {"mode": "SIMPLE", "credentialName": "edge-tls",
                     "minProtocolVersion": "TLSV1_2",
                     "cipherSuites": ["ECDHE-RSA-AES256-GCM-SHA384"]}},
            {"port": {"number": 8443, "name": "mtls", "protocol": "HTTPS"},
             "hosts": ["m.example.com"],
             "tls": {"mode": "MUTUAL", "credentialName": "client-tls",
                     "minProtocolVersion": "TLSV1_3"}},
            {"port": {"number": 9443, "name": "tls", "protocol": "TLS"},
             "hosts": ["db.example.com"], "tls": {"mode": "PASSTHROUGH"}},
        ]},
    }
    assert list(made["spec"]["selector"]) == ["istio", "z"]


def test_redirecting_http_listener() -> None:
    servers = _gateway(HTTP, HTTPS, redirects={"http"})["spec"]["servers"]
    assert servers[0] == {"port": {"number": 80, "name": "http", "protocol": "HTTP"},
                          "hosts": ["a.example.com", "b.example.com"],
                          "tls": {"httpsRedirect": True}}
    # Only the listener named: a redirect set naming another leaves this one serving.
    assert "tls" not in _gateway(HTTP, redirects={"other"})["spec"]["servers"][0]


def test_a_certificate_without_a_secret_has_no_credential_name() -> None:
    acm = _listener(name="https", port=443, protocol="HTTPS", hosts=["a.example.com"],
                    tls={"certificate": "acm"})
    assert _gateway(acm)["spec"]["servers"][0]["tls"] == {"mode": "SIMPLE",
                                                          "minProtocolVersion": "TLSV1_2"}
