"""The stack configs several test modules share, in one place: builders of minimal valid EKS
and AKS stacks, their cloud sections, and the named configs more than one module uses.

Every builder returns a fresh dict (deep-copied), so a test may change what it gets. A test
whose point is one exact config (a public failure report replayed as written) keeps its literal
in its own module instead. Test modules import configs from here (helpers from tests/shared.py),
never from one another; tests/test_layout.py checks both.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from tests.conftest import ROOT

HOST = "shop.example.com"


def http_listener(*hosts: str, **extra: Any) -> dict[str, Any]:
    """An HTTP listener `http` on port 80 for `hosts` (default: HOST)."""
    return {"name": "http", "port": 80, "protocol": "HTTP", "hosts": list(hosts or (HOST,)),
            **copy.deepcopy(extra)}


def https_listener(*hosts: str, certificate: str = "edge", **extra: Any) -> dict[str, Any]:
    """An HTTPS listener `https` on port 443 for `hosts` (default: HOST), TLS ending at the
    gateway with `certificate` (a key of the config's certificates)."""
    return {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": list(hosts or (HOST,)),
            "tls": {"certificate": certificate}, **copy.deepcopy(extra)}


# Listeners for HOST: plain HTTP, and HTTPS on certificate `edge`.
HTTP: dict[str, Any] = http_listener()
HTTPS: dict[str, Any] = https_listener()
# A certificate for HOST from the existing Secret shop-tls (TLS at the gateway, any cloud).
SHOP_TLS: dict[str, Any] = {"source": "secret", "secretName": "shop-tls", "dnsNames": [HOST]}
# Backend `web` for HOST, and the PERMISSIVE port standalone needs for it.
WEB_ROUTING: dict[str, Any] = {
    "backends": {"web": {"service": "web", "namespace": "shop", "port": 8080}},
    "hosts": [{"host": HOST, "routes": [{"name": "web", "to": [{"backend": "web"}]}]}],
}
WEB_PORTS: dict[str, Any] = {"standalonePorts": [
    {"namespace": "shop", "selector": {"app": "web"}, "ports": [8080]}]}

# -------------------------------------------------------------------------- EKS

ACM_ARN = "arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90"
# An existing ACM certificate for HOST (TLS at the NLB or the ALB).
ACM: dict[str, Any] = {"source": "acm", "dnsNames": [HOST], "arn": ACM_ARN}
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


def eks_stack(topology: str = "gateway", *, alb: dict[str, Any] | None = None,
              **sections: Any) -> dict[str, Any]:
    """A valid EKS stack of `topology`: HTTP for HOST; standalone routes HOST to backend `web`
    with PERMISSIVE on its port. `sections` replace top-level sections. Chained and standalone
    then get the ALB (`with_alb`, `alb` merged into its settings: an HTTPS listener on an ACM
    certificate) unless `aws` is among `sections`. The gateway topology is left implicit (the
    default)."""
    data: dict[str, Any] = {"cloud": "eks"}
    if topology != "gateway":
        data["topology"] = topology
    data["listeners"] = [http_listener()]
    if topology == "standalone":
        data["routing"] = copy.deepcopy(WEB_ROUTING)
        data["security"] = copy.deepcopy(WEB_PORTS)
    data.update(copy.deepcopy(sections))
    if topology in ("chained", "standalone") and "aws" not in sections:
        data = with_alb(data, **(alb or {}))
    return data


# -------------------------------------------------------------------------- AKS

SUBSCRIPTION = "00000000-0000-4000-8000-000000000001"
APPGW_SUBNET = (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/net/providers/"
                "Microsoft.Network/virtualNetworks/vnet/subnets/appgw")
AZURE: dict[str, Any] = {
    "location": "westeurope",
    "resourceGroup": "edge",
    "cluster": {"name": "shop-aks", "resourceGroup": "aks"},
}
KEY_VAULT_CERT: dict[str, Any] = {
    "source": "keyVault", "dnsNames": [HOST], "vault": "kv-edge", "resourceGroup": "edge",
    "certificate": "shop",
}
# Application Gateway for Containers: its subnet (delegated) and the controller's identity.
AGC_SUBNET = (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/net/providers/"
              "Microsoft.Network/virtualNetworks/vnet/subnets/agc")
AGC_PREFIX = "10.240.16.0/24"


def azure(topology: str = "gateway", **overrides: Any) -> dict[str, Any]:
    """The azure section: where resources go and the cluster; for chained the internal load
    balancer's subnet and address and the Application Gateway; for standalone the latter."""
    data = copy.deepcopy(AZURE)
    if topology == "chained":
        data["loadBalancer"] = {"subnet": "ingress", "privateIp": "10.240.4.10"}
    if topology in ("chained", "standalone"):
        data["applicationGateway"] = {"subnetId": APPGW_SUBNET}
    if topology == "standalone":
        data["applicationGateway"]["backends"] = {"web": {"healthProbePath": "/healthz"}}
    data.update(copy.deepcopy(overrides))
    return data


def aks_stack(topology: str = "gateway", **sections: Any) -> dict[str, Any]:
    """A valid AKS stack of `topology`: HTTP and HTTPS for HOST with a Key Vault certificate
    and the azure section `azure(topology)`; standalone routes HOST to backend `web` with
    PERMISSIVE on its port. `sections` replace top-level sections."""
    data: dict[str, Any] = {
        "cloud": "aks",
        "topology": topology,
        "listeners": [copy.deepcopy(HTTP), copy.deepcopy(HTTPS)],
        "certificates": {"edge": copy.deepcopy(KEY_VAULT_CERT)},
        "azure": azure(topology),
    }
    if topology == "standalone":
        data["routing"] = copy.deepcopy(WEB_ROUTING)
        data["security"] = copy.deepcopy(WEB_PORTS)
    data.update(copy.deepcopy(sections))
    return data


# The secret config value `aks_vault_stack`'s certificate is imported from.
VAULT_PFX = {"ingress:edgePfx": "MIIKbASE64PFXVALUEFORTESTS"}


def aks_vault_stack() -> dict[str, Any]:
    """A chained AKS stack that creates its Key Vault and imports its certificate into it
    from the secret config value VAULT_PFX (no shipped stack does)."""
    data = aks_stack("chained")
    data["azure"]["keyVault"] = {"name": "kv-edge"}
    data["certificates"]["edge"]["importFrom"] = {"secretConfig": "edgePfx", "format": "pfx"}
    return data


def aks_addon_stack() -> dict[str, Any]:
    """An AKS stack whose gateway is the Istio add-on's (no shipped stack is)."""
    data = aks_stack()
    data["azure"]["istioAddon"] = {"revision": "asm-1-25"}
    return data


def agc_stack(topology: str = "standalone", **sections: Any) -> dict[str, Any]:
    """A valid AKS stack with AGC: HTTP and HTTPS for HOST with a Secret certificate;
    standalone splits 90/10 between two subsets of backend `web`. `sections` replace
    top-level sections."""
    data: dict[str, Any] = {
        "cloud": "aks",
        "topology": topology,
        "listeners": [copy.deepcopy(HTTP), copy.deepcopy(HTTPS)],
        "certificates": {"edge": {"source": "secret", "secretName": "edge-tls",
                                  "dnsNames": [HOST]}},
        "azure": {**copy.deepcopy(AZURE), "applicationGatewayForContainers": {
            "subnet": {"id": AGC_SUBNET, "addressPrefix": AGC_PREFIX},
            "controllerPrincipalId": "33333333-3333-4333-8333-333333333333"}},
    }
    if topology == "standalone":
        data["azure"]["applicationGatewayForContainers"]["backends"] = {
            "web": {"healthProbePath": "/healthz"}}
        data["routing"] = {
            "backends": {"web": {"service": "web", "namespace": "shop", "port": 8080,
                                 "selector": {"app": "web"},
                                 "subsets": {"v1": {"version": "v1"},
                                             "v2": {"version": "v2"}}}},
            "hosts": [{"host": HOST, "routes": [{"name": "web", "to": [
                {"backend": "web", "subset": "v1", "weight": 90},
                {"backend": "web", "subset": "v2", "weight": 10}]}]}],
        }
        data["security"] = copy.deepcopy(WEB_PORTS)
    data.update(copy.deepcopy(sections))
    return data


# -------------------------------------------------------------------------- named configs

# Issue 18's inputs (a) and (b), as the issue wrote them: an ACME HTTP-01 certificate through
# the gateway, and sticky sessions across a weighted canary (istio/istio#33343).
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

CANARY: dict[str, Any] = {
    "cloud": "eks",
    "listeners": [{"name": "http", "port": 80, "protocol": "HTTP",
                   "hosts": ["shop.example.com"]}],
    "routing": {
        "backends": {"shop": {
            "service": "shop", "namespace": "shop", "port": 8080,
            "subsets": {"live": {"track": "live"}, "canary": {"track": "canary"}},
            "trafficPolicy": {"loadBalancer": {"hashCookie": "session",
                                               "hashCookieTtl": "1h"}}}},
        "hosts": [{"host": "shop.example.com", "routes": [{"name": "web", "to": [
            {"backend": "shop", "subset": "live", "weight": 80},
            {"backend": "shop", "subset": "canary", "weight": 20}]}]}]},
}


# An AKS gateway stack with one of everything the traffic picture draws.
EVERYTHING: dict[str, Any] = {
    "cloud": "aks",
    "azure": {"location": "westeurope", "resourceGroup": "edge",
              "cluster": {"name": "aks", "resourceGroup": "aks"}},
    "listeners": [
        {"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST, "*.example.org"]},
        {"name": "tls", "port": 443, "protocol": "TLS", "hosts": ["db.example.com"],
         "tls": {"mode": "PASSTHROUGH"}},
    ],
    "routing": {
        "backends": {
            "shop": {"service": "shop", "namespace": "shop", "port": 8080,
                     "subsets": {"stable": {"version": "stable"}, "canary": {"version": "canary"}}},
            "shop-api": {"service": "shop-api", "namespace": "shop", "port": 8080},
            "db": {"service": "db", "namespace": "data", "port": 5432},
        },
        "hosts": [
            {"host": HOST, "routes": [
                {"name": "api", "match": [{"uri": {"prefix": "/api/"},
                                           "headers": {"x-team": {"exact": 'a"b'}},
                                           "method": {"exact": "GET"}}],
                 "to": [{"backend": "shop-api"}],
                 "mirror": {"backend": "shop", "subset": "canary", "percent": 5}},
                {"name": "legacy", "match": [{"uri": {"prefix": "/old/"}}],
                 "redirect": {"uri": "/new/", "redirectCode": 308}},
                {"name": "team-b", "match": [{"uri": {"prefix": "/b/"}}],
                 "delegate": {"name": "team-b", "namespace": "team-b"}},
                {"name": "web", "to": [{"backend": "shop", "subset": "stable", "weight": 90},
                                       {"backend": "shop", "subset": "canary", "weight": 10}]},
            ]},
            {"host": "a.example.org", "routes": [{"name": "org", "to": [{"backend": "shop"}]}]},
            {"host": "db.example.com", "tlsRoutes": [
                {"name": "db", "sniHosts": ["db.example.com"], "to": [{"backend": "db"}]}]},
        ],
    },
}


# -------------------------------------------------------------------------- shipped stacks


def stack_file(project: str, stack: str) -> dict[str, Any]:
    """The `ingress:stack` config of stacks/<project>/Pulumi.<stack>.yaml, as written."""
    path = ROOT / "stacks" / project / f"Pulumi.{stack}.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text())["config"]["ingress:stack"]
    return data


# ---------------------------------------------------------------- the edge rules' cases

HTTPS_ACM: dict[str, Any] = https_listener()
NLB_SUBNETS: list[dict[str, Any]] = [
    {"id": "subnet-0a1b2c3d4e5f60001", "zone": "eu-west-1a", "cidr": "10.0.0.0/24"},
    {"id": "subnet-0a1b2c3d4e5f60002", "zone": "eu-west-1b", "cidr": "10.0.1.0/24"},
]


def nlb_stack(**sections: Any) -> dict[str, Any]:
    """An EKS gateway stack (NLB) with HTTP and HTTPS for HOST and TLS ending at the NLB with
    an existing ACM certificate (`edge`); `sections` replace top-level sections."""
    data = eks_stack(listeners=[http_listener(), copy.deepcopy(HTTPS_ACM)],
                     certificates={"edge": copy.deepcopy(ACM)})
    data.update(copy.deepcopy(sections))  # a topology too, without the ALB eks_stack adds
    return data


def alb_stack(topology: str = "chained", **sections: Any) -> dict[str, Any]:
    """An EKS stack behind the ALB: eks_stack of `topology` (chained or standalone), then
    `sections` replace top-level sections, the ALB's kept."""
    data = eks_stack(topology)
    data.update(copy.deepcopy(sections))
    return data


def routed_nlb_stack(*routes: dict[str, Any], **sections: Any) -> dict[str, Any]:
    """nlb_stack routing HOST with `routes` (by default one catch-all) to backends `web` and
    `api`; `sections` replace top-level sections."""
    data = nlb_stack(routing={
        "backends": {"web": {"service": "web", "namespace": "shop", "port": 8080},
                     "api": {"service": "api", "namespace": "shop", "port": 9090}},
        "hosts": [{"host": HOST, "routes": list(routes) or [
            {"name": "web", "to": [{"backend": "web"}]}]}]})
    data.update(copy.deepcopy(sections))
    return data
