"""manifests/gateway_api/gateway.py: the Gateway API Gateway bound to ingresslib's gateway."""

from __future__ import annotations

from typing import Any

import pytest

from ingresslib.config.listeners import Listener
from ingresslib.errors import ConfigError
from ingresslib.manifests.gateway_api.gateway import gateway_api_gateway, service_host
from ingresslib.manifests.gateway_api.routes import ParentRef

PARENT = ParentRef("shop", "edge", {"https": "web"})
SAME = {"namespaces": {"from": "Same"}}


def _listeners(*data: dict[str, Any]) -> list[Listener]:
    return [Listener.model_validate(d) for d in data]


def test_every_kind_of_listener() -> None:
    listeners = _listeners(
        {"name": "http", "port": 80, "protocol": "HTTP", "hosts": ["*"]},
        {"name": "https", "port": 443, "protocol": "HTTPS",
         "hosts": ["a.example.com", "*.example.org"],
         "tls": {"certificate": "edge", "cipherSuites": ["ECDHE-RSA-AES128-GCM-SHA256",
                                                         "ECDHE-RSA-AES256-GCM-SHA384"]}},
        {"name": "mtls", "port": 8443, "protocol": "HTTPS", "hosts": ["m.example.com"],
         "tls": {"mode": "MUTUAL", "certificate": "client"}},
        {"name": "acm", "port": 9443, "protocol": "HTTPS", "hosts": ["c.example.com"],
         "tls": {"certificate": "acm"}},
        {"name": "tls", "port": 5432, "protocol": "TLS", "hosts": ["db.example.com"],
         "tls": {"mode": "PASSTHROUGH"}},
    )
    made = gateway_api_gateway(PARENT, listeners, service="gw",
                               credentials={"edge": "edge-tls", "client": "client-tls"})
    web_tls = {"mode": "Terminate",
               "certificateRefs": [{"group": "", "kind": "Secret", "name": "edge-tls"}],
               "options": {"gateway.istio.io/tls-cipher-suites":
                           "ECDHE-RSA-AES128-GCM-SHA256,ECDHE-RSA-AES256-GCM-SHA384"}}
    assert made == {
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"name": "shop", "namespace": "edge",
                     "labels": {"app.kubernetes.io/managed-by": "ingresslib"}},
        "spec": {
            "gatewayClassName": "istio",
            "addresses": [{"type": "Hostname", "value": "gw.edge.svc.cluster.local"}],
            "listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP", "allowedRoutes": SAME},
                {"name": "web-a-example-com", "hostname": "a.example.com", "port": 443,
                 "protocol": "HTTPS", "tls": web_tls, "allowedRoutes": SAME},
                {"name": "web-wildcard-example-org", "hostname": "*.example.org", "port": 443,
                 "protocol": "HTTPS", "tls": web_tls, "allowedRoutes": SAME},
                {"name": "mtls", "hostname": "m.example.com", "port": 8443, "protocol": "HTTPS",
                 "tls": {"mode": "Terminate", "certificateRefs": [
                     {"group": "", "kind": "Secret", "name": "client-tls"}],
                     "options": {"gateway.istio.io/tls-terminate-mode": "MUTUAL"}},
                 "allowedRoutes": SAME},
                {"name": "acm", "hostname": "c.example.com", "port": 9443, "protocol": "HTTPS",
                 "tls": {"mode": "Terminate"}, "allowedRoutes": SAME},
                {"name": "tls", "hostname": "db.example.com", "port": 5432, "protocol": "TLS",
                 "tls": {"mode": "Passthrough"}, "allowedRoutes": SAME},
            ],
        },
    }
    assert list(made["spec"]["listeners"][1]) == ["name", "hostname", "port", "protocol", "tls",
                                                  "allowedRoutes"]


def test_class_name_and_service_host() -> None:
    listeners = _listeners({"name": "http", "port": 80, "protocol": "HTTP", "hosts": ["*"]})
    made = gateway_api_gateway(ParentRef("g", "ns"), listeners, service="svc", credentials={},
                               class_name="other")
    assert made["spec"]["gatewayClassName"] == "other"
    assert service_host("a", "b") == "a.b.svc.cluster.local"


def test_both_options_are_sorted() -> None:
    listeners = _listeners({"name": "m", "port": 443, "protocol": "HTTPS", "hosts": ["*"],
                            "tls": {"mode": "MUTUAL", "certificate": "c", "cipherSuites": ["X"]}})
    tls = gateway_api_gateway(PARENT, listeners, service="gw", credentials={})["spec"][
        "listeners"][0]["tls"]
    assert tls == {"mode": "Terminate", "options": {
        "gateway.istio.io/tls-cipher-suites": "X", "gateway.istio.io/tls-terminate-mode": "MUTUAL"}}
    assert list(tls["options"]) == sorted(tls["options"])


def test_what_a_gateway_api_listener_cannot_say() -> None:
    many = [f"h{i}.example.com" for i in range(65)]
    listeners = _listeners(
        {"name": "a", "port": 443, "protocol": "HTTPS", "hosts": ["a.example.com"],
         "tls": {"certificate": "c", "minProtocolVersion": "TLSV1_3"}},
        {"name": "b", "port": 8443, "protocol": "HTTPS", "hosts": ["b.example.com"],
         "tls": {"certificate": "c", "minProtocolVersion": "TLSV1_3"}},
        {"name": "many", "port": 80, "protocol": "HTTP", "hosts": many[:63]},
    )
    with pytest.raises(ConfigError) as err:
        gateway_api_gateway(PARENT, listeners, service="gw", credentials={},
                            paths={"a": "listeners[7]"})
    assert err.value.source == "api gatewayApi"
    tls13 = ("a Gateway API listener has no minimum TLS version (Istio applies the mesh's "
             "tlsDefaults, TLS 1.2 unless set); set meshConfig.tlsDefaults.minProtocolVersion: "
             "TLSV1_3 for the whole mesh, or keep api: istio")
    assert [(p.path, p.value, p.message) for p in err.value.problems] == [
        ("listeners[7].tls.minProtocolVersion", "TLSV1_3", tls13),
        ("listeners[1].tls.minProtocolVersion", "TLSV1_3", tls13),
        ("listeners", "65 Gateway listeners",
         "a Gateway holds at most 64 listeners (one per listener and host); serve fewer hosts "
         "or use wildcard hosts"),
    ]
    # 64 fit.
    fits = _listeners({"name": "many", "port": 80, "protocol": "HTTP", "hosts": many[:64]})
    assert len(gateway_api_gateway(PARENT, fits, service="gw", credentials={})["spec"][
        "listeners"]) == 64
