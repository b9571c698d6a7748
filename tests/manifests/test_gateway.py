"""manifests/gateway.py: every object of the gateway workload, in apply order, and what the
edge plan's gateway options change in them."""

from __future__ import annotations

import json
from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.edge import GatewayOptions
from ingresslib.manifests.gateway import gateway_objects

OPTIONS = GatewayOptions(
    stack="shop", service_type="LoadBalancer", trusted_proxies=2, proxy_protocol=True,
    prometheus_scrape=False, service_annotations={"cloud/lb": "nlb"},
    namespace_labels={"cloud/readiness": "on"}, health_check_sources=("10.0.0.0/16",),
    health_check_ports=(15021, 80), idle_timeout_seconds=350, https_at_load_balancer=(443,))
WL = GatewayWorkload.model_validate({
    "name": "gw", "namespace": "edge", "labels": {"istio": "edge"},
    "upgrade": {"revision": "1-23"}, "networkPolicy": {"ingressFrom": ["203.0.113.0/24"]}})


def _by_name(objs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objs}


def _proxy_config(deployment: dict[str, Any]) -> dict[str, Any]:
    return json.loads(deployment["spec"]["template"]["metadata"]["annotations"][
        "proxy.istio.io/config"])


def test_every_object_in_apply_order() -> None:
    objs = gateway_objects(WL, OPTIONS)
    assert [(o["kind"], o["metadata"]["name"]) for o in objs] == [
        ("Namespace", "edge"), ("ServiceAccount", "gw"), ("Role", "gw"), ("RoleBinding", "gw"),
        ("Deployment", "gw"), ("Deployment", "gw-1-23"), ("Service", "gw"),
        ("HorizontalPodAutoscaler", "gw"), ("PodDisruptionBudget", "gw"),
        ("NetworkPolicy", "gw"), ("EnvoyFilter", "gw-forwarded-proto"),
    ]


def test_the_options_reach_their_objects() -> None:
    objs = _by_name(gateway_objects(WL, OPTIONS))
    labels = {"app": "gw", "istio": "edge", "app.kubernetes.io/managed-by": "ingresslib",
              "app.kubernetes.io/name": "gw", "app.kubernetes.io/part-of": "shop"}
    for key in [("ServiceAccount", "gw"), ("Role", "gw"), ("RoleBinding", "gw"),
                ("Service", "gw"), ("HorizontalPodAutoscaler", "gw"),
                ("PodDisruptionBudget", "gw"), ("NetworkPolicy", "gw")]:
        assert objs[key]["metadata"]["labels"] == labels, key
    assert objs["Namespace", "edge"]["metadata"]["labels"]["cloud/readiness"] == "on"
    for name in ("gw", "gw-1-23"):
        deployment = objs["Deployment", name]
        assert _proxy_config(deployment) == {
            "terminationDrainDuration": "45s",
            "proxyMetadata": {"ISTIO_META_IDLE_TIMEOUT": "350s"},
            "gatewayTopology": {"numTrustedProxies": 2, "proxyProtocol": {}}}, name
        assert not any(k.startswith("prometheus.io/") for k in deployment["spec"]["template"][
            "metadata"]["annotations"]), name
    assert objs["Deployment", "gw"]["metadata"]["labels"] == labels
    assert objs["Deployment", "gw-1-23"]["metadata"]["labels"] == {
        **labels, "app": "gw-1-23", "istio.io/rev": "1-23"}
    assert objs["Deployment", "gw-1-23"]["spec"]["replicas"] == 1
    service = objs["Service", "gw"]
    assert service["spec"]["type"] == "LoadBalancer"
    assert [p["name"] for p in service["spec"]["ports"]] == ["status-port", "http", "https"]
    assert service["metadata"]["annotations"] == {"cloud/lb": "nlb"}
    assert objs["NetworkPolicy", "gw"]["spec"]["ingress"][1] == {
        "ports": [{"port": 15021, "protocol": "TCP"}, {"port": 80, "protocol": "TCP"}],
        "from": [{"ipBlock": {"cidr": "10.0.0.0/16"}}]}
    proto = objs["EnvoyFilter", "gw-forwarded-proto"]
    assert proto["metadata"]["labels"]["app.kubernetes.io/part-of"] == "shop"
    assert [p["match"]["routeConfiguration"] for p in proto["spec"]["configPatches"]] == [
        {"portNumber": 443}]


def test_prometheus_scrape_reaches_every_deployment() -> None:
    opts = GatewayOptions(prometheus_scrape=True)
    for deployment in [o for o in gateway_objects(WL, opts) if o["kind"] == "Deployment"]:
        assert deployment["spec"]["template"]["metadata"]["annotations"][
            "prometheus.io/scrape"] == "true"
        assert _proxy_config(deployment) == {"terminationDrainDuration": "45s"}


def test_what_the_workload_turns_off_is_not_rendered() -> None:
    wl = GatewayWorkload.model_validate({
        "createNamespace": False, "replicas": 3, "autoscaling": {"enabled": False},
        "disruption": {"enabled": False}, "networkPolicy": {"enabled": False}})
    objs = gateway_objects(wl, GatewayOptions(service_type="ClusterIP"))
    assert [o["kind"] for o in objs] == ["ServiceAccount", "Role", "RoleBinding", "Deployment",
                                         "Service"]
    assert objs[3]["spec"]["replicas"] == 3
    assert objs[4]["spec"]["type"] == "ClusterIP"


def test_the_edge_plan_can_keep_the_status_port_off_the_service() -> None:
    objs = gateway_objects(WL, GatewayOptions(status_port_on_service=False))
    service = next(o for o in objs if o["kind"] == "Service")
    assert [p["name"] for p in service["spec"]["ports"]] == ["http", "https"]
