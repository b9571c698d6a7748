"""Minimal valid AKS configs: the azure section each topology needs, for tests of AKS stacks."""

from __future__ import annotations

import copy
from typing import Any

HOST = "shop.example.com"
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
HTTP = {"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST]}
HTTPS = {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
         "tls": {"certificate": "edge"}}


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


def aks_config(topology: str = "gateway", **overrides: Any) -> dict[str, Any]:
    """A valid AKS stack of `topology`: HTTP and HTTPS for one host with a Key Vault
    certificate; standalone routes that host to backend `web` with PERMISSIVE on its port."""
    data: dict[str, Any] = {
        "cloud": "aks",
        "topology": topology,
        "listeners": [copy.deepcopy(HTTP), copy.deepcopy(HTTPS)],
        "certificates": {"edge": copy.deepcopy(KEY_VAULT_CERT)},
        "azure": azure(topology),
    }
    if topology == "standalone":
        data["routing"] = {
            "backends": {"web": {"service": "web", "namespace": "shop", "port": 8080}},
            "hosts": [{"host": HOST, "routes": [{"name": "web", "to": [{"backend": "web"}]}]}],
        }
        data["security"] = {"standalonePorts": [
            {"namespace": "shop", "selector": {"app": "web"}, "ports": [8080]}]}
    data.update(copy.deepcopy(overrides))
    return data


AGC_SUBNET = (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/net/providers/Microsoft.Network/"
              "virtualNetworks/vnet/subnets/agc")
AGC_PREFIX = "10.240.16.0/24"


def agc_config(topology: str = "standalone", **overrides: Any) -> dict[str, Any]:
    """A valid AKS stack with AGC: HTTP and HTTPS for one host with a Secret certificate;
    standalone splits 90/10 between two subsets of backend `web`."""
    data: dict[str, Any] = {
        "cloud": "aks",
        "topology": topology,
        "listeners": [
            {"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST]},
            {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
             "tls": {"certificate": "edge"}}],
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
        data["security"] = {"standalonePorts": [
            {"namespace": "shop", "selector": {"app": "web"}, "ports": [8080]}]}
    data.update(copy.deepcopy(overrides))
    return data
