"""EKS settings shared by tests: an ALB in two zones and an ACM certificate, added to a config
whose topology puts an ALB in front (chained, standalone)."""

from __future__ import annotations

import copy
from typing import Any

ACM_ARN = "arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90"
ALB: dict[str, Any] = {
    "vpcId": "vpc-0a1b2c3d4e5f60000",
    "subnets": [
        {"id": "subnet-0a1b2c3d4e5f60001", "zone": "eu-west-1a", "cidr": "10.0.0.0/24"},
        {"id": "subnet-0a1b2c3d4e5f60002", "zone": "eu-west-1b", "cidr": "10.0.1.0/24"},
    ],
    "allowedCidrs": ["0.0.0.0/0"],
    "targetSecurityGroup": "sg-0a1b2c3d4e5f60000",
}


def with_alb(data: dict[str, Any], **alb: Any) -> dict[str, Any]:
    """`data` with aws.alb set and every HTTPS listener on the ACM certificate `edge-acm`
    (an HTTPS listener on 443 for every host is added when there is none)."""
    data = copy.deepcopy(data)
    listeners = data.setdefault("listeners", [])
    hosts = sorted({h for lst in listeners for h in lst["hosts"] if h != "*"})
    https = [lst for lst in listeners if lst["protocol"] == "HTTPS"]
    if not https:
        listeners.append({"name": "https-acm", "port": 443, "protocol": "HTTPS", "hosts": hosts,
                          "tls": {"certificate": "edge-acm"}})
    for lst in https:
        lst["tls"] = {**lst.get("tls", {}), "certificate": "edge-acm"}
    data.setdefault("certificates", {})["edge-acm"] = {
        "source": "acm", "dnsNames": hosts, "arn": ACM_ARN}
    data.setdefault("aws", {})["alb"] = {**copy.deepcopy(ALB), **alb}
    return data


HOST = "shop.example.com"
HTTP: dict[str, Any] = {"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST]}
HTTPS_ACM: dict[str, Any] = {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
                             "tls": {"certificate": "edge"}}
ACM: dict[str, Any] = {"source": "acm", "dnsNames": [HOST], "arn": ACM_ARN}
NLB_SUBNETS: list[dict[str, Any]] = [
    {"id": "subnet-0a1b2c3d4e5f60001", "zone": "eu-west-1a", "cidr": "10.0.0.0/24"},
    {"id": "subnet-0a1b2c3d4e5f60002", "zone": "eu-west-1b", "cidr": "10.0.1.0/24"},
]


def nlb_stack(**overrides: Any) -> dict[str, Any]:
    """A valid EKS gateway stack (NLB): HTTP and HTTPS for one host, TLS at the NLB with an
    existing ACM certificate; `overrides` replace top-level sections."""
    data: dict[str, Any] = {"cloud": "eks", "listeners": [copy.deepcopy(HTTP),
                                                          copy.deepcopy(HTTPS_ACM)],
                            "certificates": {"edge": dict(ACM)}}
    data.update(copy.deepcopy(overrides))
    return data


def alb_stack(topology: str = "chained", **overrides: Any) -> dict[str, Any]:
    """A valid EKS stack behind the ALB (`with_alb`): chained, or standalone routing HOST to
    backend `web` with PERMISSIVE on its port; `overrides` replace top-level sections."""
    data: dict[str, Any] = {"cloud": "eks", "topology": topology,
                            "listeners": [copy.deepcopy(HTTP)]}
    if topology == "standalone":
        data["routing"] = {
            "backends": {"web": {"service": "web", "namespace": "shop", "port": 8080}},
            "hosts": [{"host": HOST, "routes": [{"name": "web", "to": [{"backend": "web"}]}]}],
        }
        data["security"] = {"standalonePorts": [
            {"namespace": "shop", "selector": {"app": "web"}, "ports": [8080]}]}
    data = with_alb(data)
    data.update(copy.deepcopy(overrides))
    return data


# An EKS gateway stack whose certificate Let's Encrypt proves over HTTP-01 through the gateway.
HTTP01: dict[str, Any] = {
    "cloud": "eks",
    "listeners": [
        {"name": "http", "port": 80, "protocol": "HTTP", "hosts": ["app.example.com"]},
        {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": ["app.example.com"],
         "tls": {"certificate": "app-tls"}}],
    "certificates": {"app-tls": {"source": "certManager", "dnsNames": ["app.example.com"],
                                 "issuer": "letsencrypt"}},
    "certManager": {"issuers": {"letsencrypt": {
        "type": "acme", "server": "letsencrypt-production", "email": "ops@example.com",
        "solver": {"kind": "http01"}}}},
    "routing": {"backends": {"app": {"service": "app", "namespace": "shop", "port": 8080,
                                     "selector": {"app": "app"}}},
                "hosts": [{"host": "app.example.com",
                           "routes": [{"name": "web", "to": [{"backend": "app"}]}]}]},
}


def routed_nlb_stack(*routes: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """nlb_stack routing HOST with `routes` (by default one catch-all) to backends `web` and
    `api`; `overrides` replace top-level sections."""
    data = nlb_stack(routing={
        "backends": {"web": {"service": "web", "namespace": "shop", "port": 8080},
                     "api": {"service": "api", "namespace": "shop", "port": 9090}},
        "hosts": [{"host": HOST, "routes": list(routes) or [
            {"name": "web", "to": [{"backend": "web"}]}]}]})
    data.update(copy.deepcopy(overrides))
    return data
