"""Zero-downtime upgrades: a revision canary in config steps, and no config change that does
not need it replaces the gateway Service (and with it the cloud load balancer)."""

from __future__ import annotations

import copy
import subprocess
from typing import Any

import pytest
import yaml

from ingresslib import IngressStack, parse_config
from ingresslib.errors import ConfigError
from ingresslib.offline.mocks import Registered
from ingresslib.offline.output import manifests
from ingresslib.offline.runner import run_program
from tests.configs import HOST, HTTP, aks_stack, eks_stack, https_listener
from tests.shared import promtool

BASE = eks_stack(
    gateway={"revision": "1-24-0"},
    listeners=[HTTP, https_listener(certificate="shop")],
    certificates={"shop": {"source": "selfSigned", "dnsNames": [HOST]}},
    routing={
        "backends": {"web": {"service": "web", "namespace": "shop", "port": 8080,
                             "subsets": {"v1": {"version": "v1"}, "v2": {"version": "v2"}}}},
        "hosts": [{"host": HOST, "routes": [{"name": "web", "to": [
            {"backend": "web", "subset": "v1", "weight": 80},
            {"backend": "web", "subset": "v2", "weight": 20}]}]}],
    },
)


def _render(data: dict[str, Any]) -> list[Registered]:
    return run_program(lambda: IngressStack("edge", parse_config(data)))


def _with(**gateway: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["gateway"] = {**data["gateway"], **gateway}
    return data


def _deployments(records: list[Registered]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in manifests(records) if o["kind"] == "Deployment"}


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


STEPS = [
    _with(),                                                    # 1-24-0 only
    _with(upgrade={"revision": "1-25-0", "replicas": 1}),       # canary joins the Service
    _with(upgrade={"revision": "1-25-0", "replicas": 3},        # more traffic to the canary
          autoscaling={"minReplicas": 2, "maxReplicas": 4}),
    _with(revision="1-25-0"),                                   # promote; canary goes
]


def test_revision_canary_steps(validator) -> None:
    renders = [_render(step) for step in STEPS]
    for records in renders:
        validator.assert_valid(manifests(records))
    services = [next(o for o in manifests(r) if o["kind"] == "Service") for r in renders]
    pods = []
    for records in renders:
        deps = _deployments(records)
        pods.append({name: d["spec"]["template"]["metadata"]["labels"]
                     for name, d in deps.items()})
    assert [sorted(p) for p in pods] == [
        ["istio-ingressgateway"],
        ["istio-ingressgateway", "istio-ingressgateway-1-25-0"],
        ["istio-ingressgateway", "istio-ingressgateway-1-25-0"],
        ["istio-ingressgateway"],
    ]
    assert pods[1]["istio-ingressgateway"]["istio.io/rev"] == "1-24-0"
    assert pods[1]["istio-ingressgateway-1-25-0"]["istio.io/rev"] == "1-25-0"
    assert pods[3]["istio-ingressgateway"]["istio.io/rev"] == "1-25-0"
    # The one Service selects every revision's pods at every step.
    for service, labels in zip(services, pods, strict=True):
        assert all(_matches(service["spec"]["selector"], pod) for pod in labels.values())
    canary = _deployments(renders[2])["istio-ingressgateway-1-25-0"]
    assert canary["spec"]["replicas"] == 3
    main = _deployments(renders[2])["istio-ingressgateway"]
    # Each Deployment selects only its own pods, so the two never adopt each other's.
    assert not _matches(main["spec"]["selector"]["matchLabels"],
                        pods[2]["istio-ingressgateway-1-25-0"])
    assert not _matches(canary["spec"]["selector"]["matchLabels"],
                        pods[2]["istio-ingressgateway"])


def test_upgrade_to_the_current_revision_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(_with(upgrade={"revision": "1-24-0"}))
    assert err.value.problems[0].path == "gateway.upgrade.revision"


CHANGES = {
    "replicas": lambda d: d["gateway"].update(autoscaling={"minReplicas": 4, "maxReplicas": 20}),
    "resources": lambda d: d["gateway"].update(resources={
        "requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}),
    "routes": lambda d: d["routing"]["hosts"][0]["routes"][0]["to"][1].update(weight=50)
    or d["routing"]["hosts"][0]["routes"][0]["to"][0].update(weight=50),
    "certificates": lambda d: d["certificates"]["shop"].update(validityHours=4380),
    "revision": lambda d: d["gateway"].update(revision="1-25-0"),
    "canary": lambda d: d["gateway"].update(upgrade={"revision": "1-25-0"}),
    "drain": lambda d: d["gateway"].update(drain={"terminationDrainSeconds": 150,
                                                  "terminationGracePeriodSeconds": 170}),
}


# Type tokens of load balancers and their addresses: pulumi-aws, and pulumi-azure-native
# (azure-native:network:PublicIPAddress, ...:ApplicationGateway).
_LB_TYPES = (":lb/", "network/loadbalancer", "network/publicipaddress", "network:loadbalancer",
             "network:publicipaddress", "network:applicationgateway")


def _edge(records: list[Registered]) -> list[tuple[str, str, Any]]:
    """The resources that carry the cloud load balancer's identity: the gateway Service, and
    any load-balancer resource a cloud layer registers (names, URNs, inputs)."""
    keep = [r for r in records if (r.type == "kubernetes:core/v1:Service"
            and r.inputs["metadata"]["name"] == "istio-ingressgateway")
            or any(t in r.type.lower() for t in _LB_TYPES)]
    return sorted((r.urn, r.name, r.inputs) for r in keep)


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_changes_keep_the_load_balancer(change) -> None:
    base = _edge(_render(BASE))
    data = copy.deepcopy(BASE)
    CHANGES[change](data)
    assert _edge(_render(data)) == base
    assert base  # the gateway Service is there to compare


def _aks(topology: str) -> dict[str, Any]:
    """BASE on AKS: its routes and revision, a Key Vault certificate, the Azure edge."""
    return aks_stack(topology, gateway={"revision": "1-24-0"},
                      routing=copy.deepcopy(BASE["routing"]))


AKS_CHANGES = {key: CHANGES[key] for key in
               ("replicas", "resources", "routes", "revision", "canary", "drain")}
AKS_CHANGES["certificate"] = lambda d: d["certificates"]["edge"].update(certificate="shop-2026")


@pytest.mark.parametrize("topology", ["gateway", "chained"])
@pytest.mark.parametrize("change", sorted(AKS_CHANGES))
def test_changes_keep_the_azure_load_balancer(topology: str, change: str) -> None:
    """Neither the gateway Service nor the public IP (gateway) or the Application Gateway
    (chained) changes; a certificate change touches only what reads the certificate."""
    base = _edge(_render(_aks(topology)))
    data = _aks(topology)
    AKS_CHANGES[change](data)
    after = _edge(_render(data))
    types = {urn.split("::")[-2].rsplit("$", 1)[-1] for urn, _, _ in base}
    assert "kubernetes:core/v1:Service" in types
    if topology == "gateway":
        assert "azure-native:network:PublicIPAddress" in types
    else:
        assert "azure-native:network:ApplicationGateway" in types
    if change == "certificate" and topology == "chained":
        # Application Gateway reads the certificate: its sslCertificates change, nothing else.
        changed = [b for b, a in zip(base, after, strict=True) if b != a]
        assert [c[1] for c in changed] == ["edge-azure-appgw-gateway"]
        return
    assert after == base


def test_monitoring_counts_the_canarys_pods_during_an_upgrade(tmp_path) -> None:
    rules = [o for o in manifests(_render(STEPS[1])) if o["kind"] == "PrometheusRule"]
    exprs = [r["expr"] for g in rules[0]["spec"]["groups"] for r in g["rules"]]
    assert any('source_workload=~"istio-ingressgateway(-1-25-0)?"' in e for e in exprs)
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(rules[0]["spec"]))
    check = subprocess.run([promtool(), "check", "rules", str(path)], capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    steady = [o for o in manifests(_render(STEPS[0])) if o["kind"] == "PrometheusRule"]
    assert all("1-25-0" not in r["expr"]
               for g in steady[0]["spec"]["groups"] for r in g["rules"])
