"""The azure section and the AKS rules: what each topology needs, and every config refused
before deploy with its path and the fix."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.azure.config import (
    ADDON_NAMESPACE,
    internal_lb,
    synced_certificates,
    uses_addon,
    uses_public_ip,
)
from ingresslib.errors import ConfigError
from tests.configs import HOST, aks_stack, eks_stack

Mutator = Callable[[dict[str, Any]], object]


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    return {p.path: p.message for p in err.value.problems}


def _with(topology: str, change: Mutator) -> dict[str, Any]:
    data = aks_stack(topology)
    change(data)
    return data


def _route(data: dict[str, Any]) -> dict[str, Any]:
    route: dict[str, Any] = data["routing"]["hosts"][0]["routes"][0]
    return route


def _addon(data: dict[str, Any], **gateway: Any) -> None:
    data["azure"]["istioAddon"] = {"revision": "asm-1-25"}
    if gateway:
        data["gateway"] = gateway


# ------------------------------------------------------------------ valid configs


@pytest.mark.parametrize("topology", ["gateway", "chained", "standalone"])
def test_minimal_aks_configs_are_valid(topology: str) -> None:
    cfg = parse_config(aks_stack(topology))
    assert cfg.azure is not None
    assert cfg.azure.location == "westeurope"


def test_what_each_topology_uses() -> None:
    gateway = parse_config(aks_stack())
    assert uses_public_ip(gateway)
    assert not internal_lb(gateway)
    internal = parse_config(aks_stack(loadBalancer={"scheme": "internal"},
                                       azure={**aks_stack()["azure"],
                                              "loadBalancer": {"subnet": "ingress"}}))
    assert internal_lb(internal)
    assert not uses_public_ip(internal)
    chained = parse_config(aks_stack("chained"))
    assert internal_lb(chained)
    assert not uses_public_ip(chained)
    assert chained.edge.gateway.service_type == "LoadBalancer"
    assert chained.edge.gateway.trusted_proxies == 1


def test_key_vault_terminates_in_the_gateway_only_in_topology_gateway() -> None:
    for topology, in_cluster in (("gateway", True), ("chained", False), ("standalone", False)):
        cfg = parse_config(aks_stack(topology))
        cert = cfg.certificates["edge"]
        assert cert.terminates_in_cluster(topology) is in_cluster
        assert bool(synced_certificates(cfg)) is in_cluster


def test_standalone_routes_are_allowed_on_aks() -> None:
    cfg = parse_config(aks_stack("standalone"))
    assert cfg.workload is None
    assert [h.host for h in cfg.routing.hosts] == [HOST]


def test_addon_gateway_is_the_addons_service_and_pods() -> None:
    cfg = parse_config(_with("gateway", _addon))
    assert uses_addon(cfg)
    wl = cfg.workload
    assert wl is not None
    assert (wl.name, wl.namespace) == ("aks-istio-ingressgateway-external", ADDON_NAMESPACE)
    assert wl.labels == {"istio": "aks-istio-ingressgateway-external"}
    assert not wl.create_namespace
    internal = _with("gateway", _addon)
    internal["loadBalancer"] = {"scheme": "internal"}
    internal["azure"]["loadBalancer"] = {"subnet": "ingress"}
    wl = parse_config(internal).workload
    assert wl is not None
    assert wl.labels == {"istio": "aks-istio-ingressgateway-internal"}


def test_addon_takes_its_allowed_annotations() -> None:
    data = _with("gateway", lambda d: _addon(d, service={
        "annotations": {
            "external-dns.alpha.kubernetes.io/hostname": HOST,
            "service.beta.kubernetes.io/azure-pip-ip-tags": "RoutingPreference=Internet"},
        "externalTrafficPolicy": "Local",
        "loadBalancerSourceRanges": ["203.0.113.0/24"]}))
    parse_config(data)


def test_key_vault_import_formats_follow_the_reader() -> None:
    pem = {"secretConfig": "edgePem", "format": "pem"}
    pfx = {"secretConfig": "edgePfx", "format": "pfx"}
    parse_config(_with("gateway", lambda d: d["certificates"]["edge"].update(importFrom=pem)))
    parse_config(_with("chained", lambda d: d["certificates"]["edge"].update(importFrom=pfx)))
    problems = _problems(_with("chained",
                               lambda d: d["certificates"]["edge"].update(importFrom=pem)))
    assert "Application Gateway reads only base64 PFX" in (
        problems["certificates.edge.importFrom.format"])


def test_created_vault_serves_its_certificates() -> None:
    data = _with("chained", lambda d: d["azure"].update(keyVault={"name": "kv-edge"}))
    assert parse_config(data).azure.key_vault.name == "kv-edge"  # type: ignore[union-attr]


# ------------------------------------------------------------------ refusals

REFUSED: list[tuple[str, str, Mutator, str, str]] = [
    ("gateway", "internal lb subnet on a public lb",
     lambda d: d["azure"].update(loadBalancer={"subnet": "ingress"}),
     "azure.loadBalancer.subnet", "only an internal load balancer takes a subnet"),
    ("gateway", "probe window of two minutes",
     lambda d: d["azure"].update(loadBalancer={"probeIntervalSeconds": 60,
                                               "probeThreshold": 2}),
     "azure.loadBalancer.probeThreshold", "must stay under 120 s"),
    ("gateway", "annotation ingresslib sets",
     lambda d: d.update(gateway={"service": {"annotations": {
         "service.beta.kubernetes.io/azure-pip-name": "mine"}}}),
     "gateway.service.annotations.service.beta.kubernetes.io/azure-pip-name",
     "ingresslib writes it from azure.publicIp.name"),
    ("gateway", "application gateway in topology gateway",
     lambda d: d["azure"].update(applicationGateway=aks_stack("chained")["azure"][
         "applicationGateway"]),
     "azure.applicationGateway", "use topology chained"),
    ("gateway", "certificate sync without key vault listener",
     lambda d: (d["listeners"].pop(), d["azure"].update(certificateSync={"replicas": 3})),
     "azure.certificateSync", "nothing is synced"),
    ("gateway", "add-on with gateway workload settings",
     lambda d: _addon(d, autoscaling={"minReplicas": 3}),
     "gateway.autoscaling", "deploys, scales and drains its own gateway"),
    ("gateway", "add-on with a service type",
     lambda d: _addon(d, service={"type": "LoadBalancer"}),
     "gateway.service.type", "owns its gateway Service"),
    ("gateway", "add-on with rate limits",
     lambda d: (_addon(d), d.update(rateLimits={"local": [
         {"scope": "gateway", "maxTokens": 10, "tokensPerFill": 10, "fillInterval": "1s"}]})),
     "rateLimits", "does not support"),
    ("gateway", "add-on replica bounds reversed",
     lambda d: d["azure"].update(istioAddon={"revision": "asm-1-25", "minReplicas": 6}),
     "azure.istioAddon.minReplicas", "must be <= maxReplicas"),
    ("gateway", "add-on revision",
     lambda d: d["azure"].update(istioAddon={"revision": "1-25"}),
     "azure.istioAddon.revision", "asm-"),
    ("gateway", "created vault in another group",
     lambda d: (d["azure"].update(keyVault={"name": "kv-edge"}),
                d["certificates"]["edge"].update(resourceGroup="other")),
     "certificates.edge.resourceGroup", "created by azure.keyVault"),
    ("gateway", "created vault no certificate uses",
     lambda d: d["azure"].update(keyVault={"name": "kv-unused"}),
     "azure.keyVault", "no certificate used by a listener names this vault"),
    ("gateway", "bad location", lambda d: d["azure"].update(location="West Europe"),
     "azure.location", "Azure region name"),
    ("chained", "no application gateway",
     lambda d: d["azure"].pop("applicationGateway"),
     "azure.applicationGateway", "set azure.applicationGateway with subnetId"),
    ("chained", "no internal lb subnet",
     lambda d: d["azure"]["loadBalancer"].pop("subnet"),
     "azure.loadBalancer.subnet", "Application Gateway reaches the gateway through an "
     "internal load balancer"),
    ("chained", "public address for the internal lb",
     lambda d: d["azure"]["loadBalancer"].update(privateIp="20.1.2.3"),
     "azure.loadBalancer.privateIp", "must be a private address"),
    ("chained", "cluster ip gateway service",
     lambda d: d.update(gateway={"service": {"type": "ClusterIP"}}),
     "gateway.service.type", "through an internal load balancer on AKS"),
    ("chained", "public ip section",
     lambda d: d["azure"].update(publicIp={"dnsLabel": "shop"}),
     "azure.publicIp", "only topology gateway"),
    ("chained", "shared subnet",
     lambda d: d["azure"]["loadBalancer"].update(subnet="appgw"),
     "azure.applicationGateway.subnetId", "a subnet of its own"),
    ("chained", "capacity reversed",
     lambda d: d["azure"]["applicationGateway"].update(minCapacity=20, maxCapacity=10),
     "azure.applicationGateway.minCapacity", "must be <= maxCapacity"),
    ("chained", "tls passthrough",
     lambda d: d["listeners"].append({"name": "tls", "port": 443, "protocol": "TLS",
                                      "hosts": ["db.example.com"],
                                      "tls": {"mode": "PASSTHROUGH"}}),
     "listeners[tls].protocol", "cannot pass it through"),
    ("chained", "mutual tls",
     lambda d: d["listeners"][1]["tls"].update(mode="MUTUAL"),
     "listeners[https].tls.mode", "client certificate checks"),
    ("chained", "cipher suites",
     lambda d: d["listeners"][1]["tls"].update(cipherSuites=["ECDHE-RSA-AES128-GCM-SHA256"]),
     "listeners[https].tls.cipherSuites", "one TLS policy"),
    ("chained", "https on port 8443",
     lambda d: d["listeners"][1].update(port=8443),
     "listeners[https].port", "use 443"),
    ("chained", "redirect without https",
     lambda d: (d["listeners"][0].update(hosts=[HOST, "plain.example.com"],
                                         httpsRedirect=True)),
     "listeners[http].httpsRedirect", "which no HTTPS listener serves"),
    ("chained", "self-signed certificate",
     lambda d: d["certificates"].update(edge={"source": "selfSigned", "dnsNames": [HOST]}),
     "listeners[https].tls.certificate", "Application Gateway terminates TLS"),
    ("chained", "agic backends in chained",
     lambda d: d["azure"]["applicationGateway"].update(backends={
         "web": {"healthProbePath": "/"}}),
     "azure.applicationGateway.backends", "sends to the Istio gateway only"),
    ("chained", "pem import for application gateway",
     lambda d: d["certificates"]["edge"].update(importFrom={"secretConfig": "x",
                                                             "format": "pem"}),
     "certificates.edge.importFrom.format", "use pfx"),
    ("standalone", "listener host without routes",
     lambda d: d["listeners"][0]["hosts"].append("other.example.com"),
     "listeners[http].hosts", "from Ingress rules only"),
    ("standalone", "redirect route",
     lambda d: _route(d).update(to=[], redirect={"uri": "/new"}),
     f"routing.hosts[{HOST}].routes[web].redirect", "AGIC cannot express a redirect"),
    ("standalone", "rewrite",
     lambda d: _route(d).update(rewrite={"uri": "/"}),
     f"routing.hosts[{HOST}].routes[web].rewrite", "AGIC cannot express rewrites"),
    ("standalone", "retries",
     lambda d: _route(d).update(retries={"attempts": 2}),
     f"routing.hosts[{HOST}].routes[web].retries", "AGIC cannot express retries"),
    ("standalone", "subset",
     lambda d: (d["routing"]["backends"]["web"].update(subsets={"v1": {"version": "v1"}}),
                _route(d).update(to=[{"backend": "web", "subset": "v1"}])),
     f"routing.hosts[{HOST}].routes[web].to[0].subset", "sends to every pod of the Service"),
    ("standalone", "regex path",
     lambda d: _route(d).update(match=[{"uri": {"regex": "/a.*"}}]),
     f"routing.hosts[{HOST}].routes[web].match[0].uri.regex", "exact and prefix paths only"),
    ("standalone", "method match",
     lambda d: _route(d).update(match=[{"uri": {"prefix": "/"}, "method": {"exact": "GET"}}]),
     f"routing.hosts[{HOST}].routes[web].match[0].method", "host and URL path only"),
    ("standalone", "case-insensitive match",
     lambda d: _route(d).update(match=[{"uri": {"prefix": "/a/"}, "ignoreUriCase": True}]),
     f"routing.hosts[{HOST}].routes[web].match[0].ignoreUriCase", "always case-insensitive"),
    ("standalone", "catch-all first",
     lambda d: d["routing"]["hosts"][0]["routes"].append(
         {"name": "api", "match": [{"uri": {"prefix": "/api/"}}], "to": [{"backend": "web"}]}),
     f"routing.hosts[{HOST}].routes[web]", "move it last"),
    ("standalone", "overlapping prefixes",
     lambda d: d["routing"]["hosts"][0].update(routes=[
         {"name": "api", "match": [{"uri": {"prefix": "/api/"}}], "to": [{"backend": "web"}]},
         {"name": "v2", "match": [{"uri": {"prefix": "/api/v2/"}}], "to": [{"backend": "web"}]},
         {"name": "web", "to": [{"backend": "web"}]}]),
     f"routing.hosts[{HOST}].routes[v2].match", "make the paths disjoint"),
    ("standalone", "traffic policy",
     lambda d: d["routing"]["backends"]["web"].update(trafficPolicy={
         "loadBalancer": {"simple": "LEAST_REQUEST"}}),
     "routing.backends.web.trafficPolicy", "Application Gateway is not one"),
    ("standalone", "probe on a strict port",
     lambda d: d["azure"]["applicationGateway"]["backends"]["web"].update(
         healthProbePort=8081),
     "security.standalonePorts", "STRICT mTLS"),
    ("standalone", "no security section",
     lambda d: d.pop("security"),
     "security.standalonePorts", "list them under security.standalonePorts"),
    ("standalone", "unused agic backend",
     lambda d: d["azure"]["applicationGateway"]["backends"].update(
         api={"healthProbePath": "/"}),
     "azure.applicationGateway.backends.api", "no standalone route"),
    ("standalone", "load balancer section",
     lambda d: d["azure"].update(loadBalancer={"idleTimeoutMinutes": 10}),
     "azure.loadBalancer", "no gateway Service"),
    ("standalone", "add-on in standalone",
     lambda d: d["azure"].update(istioAddon={"revision": "asm-1-25"}),
     "azure.istioAddon", "in standalone there is no gateway"),
]


@pytest.mark.parametrize(("topology", "case", "change", "path", "words"), REFUSED,
                         ids=[f"{t}-{c}" for t, c, *_ in REFUSED])
def test_refused(topology: str, case: str, change: Mutator, path: str, words: str) -> None:
    data = _with(topology, change)
    problems = _problems(data)
    assert path in problems, problems
    assert words in problems[path]


def test_mutators_do_not_leak_between_cases() -> None:
    before = copy.deepcopy(aks_stack("standalone"))
    _with("standalone", REFUSED[-1][2])
    assert aks_stack("standalone") == before


def test_eks_never_sees_azure_rules() -> None:
    assert parse_config(eks_stack()).azure is None


def test_addon_skips_the_rules_of_ingresslibs_own_gateway() -> None:
    """The add-on drains and scales its gateway itself: no drain or replica rule applies."""
    data = _with("gateway", _addon)
    data["loadBalancer"] = {"deregistrationDelaySeconds": 120}
    data["azure"]["istioAddon"]["minReplicas"] = 1
    parse_config(data)
    # ingresslib's own gateway: a drain set shorter than the delay is refused (unset, it follows
    # the delay).
    own = aks_stack(loadBalancer={"deregistrationDelaySeconds": 120},
                     gateway={"drain": {"terminationDrainSeconds": 45}})
    assert "gateway.drain.terminationDrainSeconds" in _problems(own)


def test_application_gateway_may_span_two_zones() -> None:
    data = _with("chained", lambda d: d["azure"]["applicationGateway"].update(zones=["1", "2"]))
    assert parse_config(data).azure.application_gateway.zones == ["1", "2"]  # type: ignore[union-attr]


def test_ingress_names_stay_within_kubernetes_limits() -> None:
    long_host = ".".join(["a" * 60] * 4) + ".com"
    data = aks_stack("standalone", name="a" * 63)
    data["listeners"] = [{"name": "http", "port": 80, "protocol": "HTTP", "hosts": [long_host]}]
    data["routing"]["hosts"][0]["host"] = long_host
    data["routing"]["hosts"][0]["routes"][0]["name"] = "w" * 60
    assert f"routing.hosts[{long_host}].routes[{'w' * 60}].name" in _problems(data)
