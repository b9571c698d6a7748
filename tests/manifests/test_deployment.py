"""manifests/deployment.py: the gateway Deployment, its canary, and the proxy config annotation."""

from __future__ import annotations

import json
from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.deployment import deployment, proxy_config

SKIPS = {
    "checkov.io/skip1": "CKV_K8S_14=image 'auto' is replaced by Istio's injector with the "
    "control plane's pinned proxy image",
    "checkov.io/skip2": "CKV_K8S_15=image 'auto' is replaced at admission; the injector sets "
    "the pull policy",
    "checkov.io/skip3": "CKV_K8S_38=Istio's gateway needs its service account token to reach "
    "istiod",
    "checkov.io/skip4": "CKV_K8S_40=UID 1337 is the proxy UID Istio's injection template and "
    "traffic capture expect",
    "checkov.io/skip5": "CKV_K8S_43=image 'auto' is replaced by the injector; the digest is the "
    "mesh's choice",
    "checkov.io/skip6": "CKV_K8S_8=liveness probe: Istio's gateway injection template adds the "
    "proxy's probes",
    "checkov.io/skip7": "CKV_K8S_9=readiness probe: Istio's gateway injection template adds "
    "/healthz/ready",
}
EVERYONE = {"istio": "edge"}


def _spread(key: str, skew: int = 1, when: str = "ScheduleAnyway") -> dict[str, Any]:
    return {"maxSkew": skew, "topologyKey": key, "whenUnsatisfiable": when,
            "labelSelector": {"matchLabels": EVERYONE}, "matchLabelKeys": ["pod-template-hash"]}


def _wl(**settings: Any) -> GatewayWorkload:
    return GatewayWorkload.model_validate({"name": "gw", "namespace": "edge",
                                           "labels": EVERYONE, **settings})


def test_default_deployment() -> None:
    made = deployment(_wl(), {"l": "v"}, trusted_proxies=0, prometheus_scrape=False)
    assert made == {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "gw", "namespace": "edge", "labels": {"l": "v"},
                     "annotations": SKIPS},
        "spec": {
            "selector": {"matchLabels": {"app": "gw", "istio": "edge"}},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {
                    "annotations": {"inject.istio.io/templates": "gateway",
                                    "proxy.istio.io/config": '{"terminationDrainDuration":"45s"}'},
                    "labels": {"app": "gw", "istio": "edge", "sidecar.istio.io/inject": "true"},
                },
                "spec": {
                    "serviceAccountName": "gw",
                    "terminationGracePeriodSeconds": 60,
                    "securityContext": {
                        "runAsNonRoot": True, "runAsUser": 1337, "runAsGroup": 1337,
                        "fsGroup": 1337, "seccompProfile": {"type": "RuntimeDefault"},
                        "sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start",
                                     "value": "0"}],
                    },
                    "containers": [{
                        "name": "istio-proxy",
                        "image": "auto",
                        "ports": [{"name": "http-envoy-prom", "containerPort": 15090,
                                   "protocol": "TCP"}],
                        "resources": {"requests": {"cpu": "1000m", "memory": "1Gi"},
                                      "limits": {"cpu": "2000m", "memory": "2Gi"}},
                        "securityContext": {
                            "allowPrivilegeEscalation": False, "privileged": False,
                            "readOnlyRootFilesystem": True, "runAsNonRoot": True,
                            "runAsUser": 1337, "runAsGroup": 1337,
                            "capabilities": {"drop": ["ALL"]}},
                    }],
                    "topologySpreadConstraints": [_spread("topology.kubernetes.io/zone"),
                                                  _spread("kubernetes.io/hostname")],
                },
            },
        },
    }
    # Sorted, for byte-identical renders.
    template = made["spec"]["template"]["metadata"]
    assert list(template["annotations"]) == sorted(template["annotations"])
    assert list(template["labels"]) == sorted(template["labels"])


def test_prometheus_scrape_annotations_and_pod_annotations() -> None:
    wl = _wl(podAnnotations={"a.example.com/x": "1", "prometheus.io/port": "9"})
    ann = deployment(wl, {}, trusted_proxies=0, prometheus_scrape=True)["spec"]["template"][
        "metadata"]["annotations"]
    assert ann == {"a.example.com/x": "1", "inject.istio.io/templates": "gateway",
                   "prometheus.io/path": "/stats/prometheus", "prometheus.io/port": "15020",
                   "prometheus.io/scrape": "true",
                   "proxy.istio.io/config": '{"terminationDrainDuration":"45s"}'}
    assert list(ann) == sorted(ann)


def test_proxy_config_every_setting() -> None:
    wl = _wl(drain={"terminationDrainSeconds": 150, "terminationGracePeriodSeconds": 170})
    text = proxy_config(wl, 2, True, 300)
    assert text == ('{"gatewayTopology":{"numTrustedProxies":2,"proxyProtocol":{}},'
                    '"proxyMetadata":{"ISTIO_META_IDLE_TIMEOUT":"300s"},'
                    '"terminationDrainDuration":"150s"}')
    assert json.loads(proxy_config(wl, 0, True)) == {
        "terminationDrainDuration": "150s", "gatewayTopology": {"proxyProtocol": {}}}
    assert json.loads(proxy_config(wl, 1)) == {
        "terminationDrainDuration": "150s", "gatewayTopology": {"numTrustedProxies": 1}}
    assert proxy_config(wl, 0, idle_timeout_seconds=0) == (
        '{"proxyMetadata":{"ISTIO_META_IDLE_TIMEOUT":"0s"},"terminationDrainDuration":"150s"}')


def test_the_edge_settings_reach_the_annotation() -> None:
    made = deployment(_wl(), {}, trusted_proxies=1, prometheus_scrape=False,
                      proxy_protocol=True, idle_timeout_seconds=350)
    assert json.loads(made["spec"]["template"]["metadata"]["annotations"][
        "proxy.istio.io/config"]) == {
        "terminationDrainDuration": "45s",
        "proxyMetadata": {"ISTIO_META_IDLE_TIMEOUT": "350s"},
        "gatewayTopology": {"numTrustedProxies": 1, "proxyProtocol": {}}}


def test_fixed_replicas_come_first_in_the_spec() -> None:
    spec = deployment(_wl(replicas=3, autoscaling={"enabled": False}, maxSurge="25%"), {},
                      trusted_proxies=0, prometheus_scrape=False)["spec"]
    assert list(spec) == ["replicas", "selector", "strategy", "template"]
    assert spec["replicas"] == 3
    assert spec["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": "25%"}


def test_scheduling() -> None:
    wl = _wl(scheduling={
        "nodeSelector": {"pool": "edge", "arch": "arm64"},
        "tolerations": [{"key": "edge", "operator": "Exists", "effect": "NoSchedule"},
                        {"key": "k", "value": "v"},
                        {"key": "gone", "operator": "Exists", "effect": "NoExecute",
                         "tolerationSeconds": 30}],
        "priorityClassName": "system-cluster-critical",
        "zoneSpread": {"maxSkew": 2, "whenUnsatisfiable": "DoNotSchedule"},
        "nodeSpread": {"enabled": False}})
    pod = deployment(wl, {}, trusted_proxies=0, prometheus_scrape=False)["spec"]["template"][
        "spec"]
    assert pod["topologySpreadConstraints"] == [
        _spread("topology.kubernetes.io/zone", 2, "DoNotSchedule")]
    assert pod["nodeSelector"] == {"arch": "arm64", "pool": "edge"}
    assert list(pod["nodeSelector"]) == ["arch", "pool"]
    assert pod["tolerations"] == [{"key": "edge", "operator": "Exists", "effect": "NoSchedule"},
                                  {"key": "k", "operator": "Equal", "value": "v"},
                                  {"key": "gone", "operator": "Exists", "effect": "NoExecute",
                                   "tolerationSeconds": 30}]
    assert pod["priorityClassName"] == "system-cluster-critical"


def test_no_spread_no_constraints() -> None:
    wl = _wl(scheduling={"zoneSpread": {"enabled": False}, "nodeSpread": {"enabled": False}})
    pod = deployment(wl, {}, trusted_proxies=0, prometheus_scrape=False)["spec"]["template"][
        "spec"]
    assert "topologySpreadConstraints" not in pod
    only_node = _wl(scheduling={"zoneSpread": {"enabled": False}})
    pod = deployment(only_node, {}, trusted_proxies=0, prometheus_scrape=False)["spec"][
        "template"]["spec"]
    assert pod["topologySpreadConstraints"] == [_spread("kubernetes.io/hostname")]


def test_revision_labels_the_pods_and_the_deployment() -> None:
    made = deployment(_wl(revision="1-22"), {"l": "v"}, trusted_proxies=0,
                      prometheus_scrape=False)
    assert made["metadata"]["name"] == "gw"
    assert made["metadata"]["labels"] == {"l": "v", "istio.io/rev": "1-22"}
    assert made["spec"]["template"]["metadata"]["labels"] == {
        "app": "gw", "istio": "edge", "istio.io/rev": "1-22", "sidecar.istio.io/inject": "true"}
    assert made["spec"]["selector"] == {"matchLabels": {"app": "gw", "istio": "edge"}}


def test_canary_is_its_own_deployment_on_the_new_revision() -> None:
    wl = _wl(revision="1-22", upgrade={"revision": "1-23", "replicas": 2})
    main = deployment(wl, {"app": "gw", "l": "v"}, trusted_proxies=0, prometheus_scrape=False)
    assert "replicas" not in main["spec"]
    canary = deployment(wl, {"app": "gw", "l": "v"}, trusted_proxies=0,
                        prometheus_scrape=False, canary=True)
    assert canary["metadata"]["name"] == "gw-1-23"
    assert canary["metadata"]["labels"] == {"app": "gw-1-23", "l": "v", "istio.io/rev": "1-23"}
    assert canary["spec"]["replicas"] == 2
    assert canary["spec"]["selector"] == {"matchLabels": {"app": "gw-1-23", "istio": "edge"}}
    assert canary["spec"]["template"]["metadata"]["labels"] == {
        "app": "gw-1-23", "istio": "edge", "istio.io/rev": "1-23",
        "sidecar.istio.io/inject": "true"}
    # The spread counts every revision's pods together.
    assert canary["spec"]["template"]["spec"]["topologySpreadConstraints"][0][
        "labelSelector"] == {"matchLabels": EVERYONE}


def test_canary_without_an_upgrade_is_the_main_deployment() -> None:
    wl = _wl(replicas=3, autoscaling={"enabled": False})
    assert deployment(wl, {}, trusted_proxies=0, prometheus_scrape=False, canary=True) == (
        deployment(wl, {}, trusted_proxies=0, prometheus_scrape=False))
