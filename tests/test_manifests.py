"""The pure core: what each gateway object holds, decided from config alone (no Pulumi)."""

from __future__ import annotations

import json
from typing import Any

from ingresslib import GatewayOptions, StackConfig
from ingresslib.config import GatewayWorkload
from ingresslib.manifests.gateway import gateway_objects
from tests.configs import eks_stack, http_listener

LISTENERS = [http_listener("a.example.com")]


def _objs(gateway: dict[str, Any] | None = None, topology: str = "gateway",
          **stack: Any) -> dict[str, dict[str, Any]]:
    cfg = StackConfig.model_validate(eks_stack(topology, listeners=LISTENERS,
                                               gateway=gateway or {}, **stack))
    assert cfg.workload is not None
    return {o["kind"]: o for o in gateway_objects(cfg.workload, cfg.edge.gateway)}


def _pod(objs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return objs["Deployment"]["spec"]["template"]


def test_default_objects_in_apply_order() -> None:
    cfg = StackConfig.model_validate(eks_stack(listeners=LISTENERS))
    assert cfg.workload is not None
    kinds = [o["kind"] for o in gateway_objects(cfg.workload, cfg.edge.gateway)]
    assert kinds == [
        "Namespace", "ServiceAccount", "Role", "RoleBinding", "Deployment", "Service",
        "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
    ]


def test_hpa_owns_replicas() -> None:
    objs = _objs()
    assert "replicas" not in objs["Deployment"]["spec"]
    hpa = objs["HorizontalPodAutoscaler"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 10)
    assert hpa["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    assert hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": "istio-ingressgateway"}


def test_fixed_replicas_without_hpa() -> None:
    objs = _objs({"replicas": 3, "autoscaling": {"enabled": False}})
    assert objs["Deployment"]["spec"]["replicas"] == 3
    assert "HorizontalPodAutoscaler" not in objs


def test_custom_and_memory_metrics() -> None:
    objs = _objs({"autoscaling": {
        "targetMemoryUtilization": 80,
        "customMetrics": [{"type": "External", "name": "sqs_depth", "selector": {"q": "in"},
                           "target": {"type": "AverageValue", "averageValue": "30"}}],
    }})
    metrics = objs["HorizontalPodAutoscaler"]["spec"]["metrics"]
    assert [m["type"] for m in metrics] == ["Resource", "Resource", "External"]
    assert metrics[2]["external"] == {
        "metric": {"name": "sqs_depth", "selector": {"matchLabels": {"q": "in"}}},
        "target": {"type": "AverageValue", "averageValue": "30"},
    }


def test_istio_injection_and_drain() -> None:
    pod = _pod(_objs({"drain": {"terminationDrainSeconds": 150,
                                "terminationGracePeriodSeconds": 170}}))
    assert pod["metadata"]["labels"]["sidecar.istio.io/inject"] == "true"
    ann = pod["metadata"]["annotations"]
    assert ann["inject.istio.io/templates"] == "gateway"
    # EDGE-TO-NLB: Envoy closes idle connections before the NLB's 350 s forget them.
    assert json.loads(ann["proxy.istio.io/config"]) == {
        "terminationDrainDuration": "150s",
        "proxyMetadata": {"ISTIO_META_IDLE_TIMEOUT": "300s"}}
    assert pod["spec"]["terminationGracePeriodSeconds"] == 170
    assert pod["spec"]["containers"][0]["image"] == "auto"


def test_chained_trusts_one_proxy_hop() -> None:
    pod = _pod(_objs(topology="chained"))
    config = json.loads(pod["metadata"]["annotations"]["proxy.istio.io/config"])
    assert config["gatewayTopology"] == {"numTrustedProxies": 1}


def test_hardened_security_context() -> None:
    spec = _pod(_objs())["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["securityContext"]["sysctls"] == [
        {"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]
    ctx = spec["containers"][0]["securityContext"]
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["capabilities"] == {"drop": ["ALL"]}


def test_seed_resources_and_rolling_update() -> None:
    objs = _objs()
    container = _pod(objs)["spec"]["containers"][0]
    assert container["resources"] == {"requests": {"cpu": "1000m", "memory": "1Gi"},
                                      "limits": {"cpu": "2000m", "memory": "2Gi"}}
    assert objs["Deployment"]["spec"]["strategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}


def test_zone_and_node_spread() -> None:
    spreads = _pod(_objs({"scheduling": {"zoneSpread": {"whenUnsatisfiable": "DoNotSchedule"},
                                         "nodeSpread": {"enabled": False}}}))["spec"]
    assert [s["topologyKey"] for s in spreads["topologySpreadConstraints"]] == [
        "topology.kubernetes.io/zone"]
    assert spreads["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "DoNotSchedule"
    both = _pod(_objs())["spec"]["topologySpreadConstraints"]
    assert [s["topologyKey"] for s in both] == ["topology.kubernetes.io/zone",
                                                "kubernetes.io/hostname"]


def test_scheduling_passthrough() -> None:
    spec = _pod(_objs({"scheduling": {
        "nodeSelector": {"pool": "edge"},
        "tolerations": [{"key": "edge", "operator": "Exists", "effect": "NoSchedule"}],
        "priorityClassName": "system-cluster-critical",
    }}))["spec"]
    assert spec["nodeSelector"] == {"pool": "edge"}
    assert spec["tolerations"] == [{"key": "edge", "operator": "Exists", "effect": "NoSchedule"}]
    assert spec["priorityClassName"] == "system-cluster-critical"


def test_service_ports_type_and_policy() -> None:
    svc = _objs({"service": {"httpTargetPort": 8080, "httpsTargetPort": 8443,
                             "loadBalancerSourceRanges": ["203.0.113.0/24"],
                             "annotations": {"example.com/x": "y"}}})["Service"]
    # An NLB with IP targets: every Service port would be a listener, and the health check
    # reaches the pods' 15021 by number, so the status port stays off (EDGE-HC-NLB-PORTS).
    assert [(p["name"], p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] == [
        ("http", 80, 8080), ("https", 443, 8443)]
    assert svc["spec"]["type"] == "LoadBalancer"
    assert svc["spec"]["externalTrafficPolicy"] == "Local"
    assert svc["spec"]["loadBalancerSourceRanges"] == ["203.0.113.0/24"]
    assert svc["metadata"]["annotations"]["example.com/x"] == "y"
    chained = _objs(topology="chained")["Service"]["spec"]
    assert chained["type"] == "ClusterIP"
    assert "externalTrafficPolicy" not in chained
    # An NLB with instance targets checks kube-proxy's health check node port: no status
    # port either. Behind the ALB (a ClusterIP Service, no listener of its own) it stays first.
    instance = _objs(aws={"nlb": {"targetType": "instance"}})["Service"]["spec"]
    assert [p["name"] for p in instance["ports"]] == ["http", "https"]
    assert chained["ports"][0] == {"name": "status-port", "port": 15021,
                                   "targetPort": 15021, "protocol": "TCP"}


def test_pdb_leaves_room_and_allows_unhealthy_eviction() -> None:
    pdb = _objs()["PodDisruptionBudget"]["spec"]
    assert pdb["maxUnavailable"] == 1
    assert pdb["unhealthyPodEvictionPolicy"] == "AlwaysAllow"
    # Every revision's pods: a canary Deployment counts toward the same budget.
    assert pdb["selector"] == {"matchLabels": {"istio": "ingressgateway"}}
    pdb = _objs({"disruption": {"minAvailable": "50%", "maxUnavailable": None}})
    assert pdb["PodDisruptionBudget"]["spec"]["minAvailable"] == "50%"


def test_role_reads_secrets_only() -> None:
    objs = _objs()
    assert objs["Role"]["rules"] == [
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "watch", "list"]}]
    assert objs["RoleBinding"]["subjects"] == [
        {"kind": "ServiceAccount", "name": "istio-ingressgateway", "namespace": "istio-ingress"}]


def test_revision_labels_replace_injection_label() -> None:
    objs = _objs({"revision": "1-24-0"})
    ns_labels = objs["Namespace"]["metadata"]["labels"]
    assert ns_labels["istio.io/rev"] == "1-24-0"
    assert "istio-injection" not in ns_labels
    assert _pod(objs)["metadata"]["labels"]["istio.io/rev"] == "1-24-0"
    # The revision stays out of selectors, so a canary revision sits behind the same Service.
    assert "istio.io/rev" not in objs["Service"]["spec"]["selector"]


def test_network_policy_ports_and_sources() -> None:
    """EDGE-HC-NETPOL: clients restricted, and the NLB's health checks still admitted from its
    subnets on the status port."""
    subnets = [{"id": "subnet-0a1b2c3d4e5f60001", "zone": "eu-west-1a", "cidr": "10.1.0.0/24"},
               {"id": "subnet-0a1b2c3d4e5f60002", "zone": "eu-west-1b", "cidr": "10.1.1.0/24"}]
    np = _objs({"networkPolicy": {"ingressFrom": ["203.0.113.0/24"],
                                  "metricsFromNamespaces": ["monitoring"]}},
               aws={"nlb": {"subnets": subnets}})["NetworkPolicy"]
    traffic, probes, metrics = np["spec"]["ingress"]
    assert [p["port"] for p in traffic["ports"]] == [80, 443, 15021]
    assert traffic["from"] == [{"ipBlock": {"cidr": "203.0.113.0/24"}}]
    assert [p["port"] for p in probes["ports"]] == [15021]
    assert probes["from"] == [{"ipBlock": {"cidr": "10.1.0.0/24"}},
                              {"ipBlock": {"cidr": "10.1.1.0/24"}}]
    assert metrics["from"] == [{"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "monitoring"}}}]
    assert "NetworkPolicy" not in _objs({"networkPolicy": {"enabled": False}})


def test_existing_namespace_is_not_created() -> None:
    assert "Namespace" not in _objs({"createNamespace": False})


def test_prometheus_annotations_opt_out() -> None:
    ann = _pod(_objs())["metadata"]["annotations"]
    assert ann["prometheus.io/port"] == "15020"
    off = _pod(_objs(observability={"prometheusScrape": False}))["metadata"]["annotations"]
    assert not any(k.startswith("prometheus.io/") for k in off)


def test_workload_is_usable_without_a_stack() -> None:
    objs = gateway_objects(GatewayWorkload(name="edge", namespace="edge"), GatewayOptions())
    assert {o["metadata"]["name"] for o in objs} == {"edge"}
