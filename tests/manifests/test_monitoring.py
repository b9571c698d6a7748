"""manifests/monitoring.py: the scrape target, alert rules, dashboard and access-log Telemetry.

The alerts' PromQL and texts and the dashboard model are long: `golden/monitoring.json` holds
the objects of each case in CASES as rendered, reviewed when written. After a deliberate
change, rewrite it with
`python -c "from tests.manifests.test_monitoring import write_golden; write_golden()"` and
review the diff. The tests below it state what each input changes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ingresslib.config.observability import Observability
from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.monitoring import (
    GatewayTarget,
    alert_expressions,
    dashboard_queries,
    monitoring_objects,
)

GOLDEN = Path(__file__).parent / "golden" / "monitoring.json"
CERTS = [("edge", "web"), ("apps", "api")]
# name -> (observability, gateway workload, monitoring_objects keywords)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "defaults": ({}, {}, {}),
    "everything": (
        {"monitor": "ServiceMonitor", "monitorLabels": {"release": "prom"},
         "scrapeInterval": "15s", "rateWindow": "2m",
         "alerts": {"labels": {"team": "edge"}, "latencyP95Ms": 300, "latencyP99Ms": 900,
                    "latencyFor": "5m", "errorRatio5xx": 0.025, "errorsFor": "3m",
                    "replicasFor": "2m", "hpaAtMaxFor": "20m", "certificateExpiryDays": 21,
                    "certificateFor": "2h"},
         "dashboard": {"namespace": "grafana", "sidecarLabel": "dash",
                       "sidecarLabelValue": "yes"},
         "accessLogs": {"provider": "otel", "filter": "response.code >= 400"}},
        {"name": "gw", "namespace": "edge", "labels": {"istio": "edge"},
         "autoscaling": {"minReplicas": 3, "maxReplicas": 12},
         "upgrade": {"revision": "1-23"}},
        {"cert_manager_certificates": CERTS},
    ),
    "fixed-replicas": (
        {"dashboard": {"enabled": False}, "accessLogs": {"enabled": False}},
        {"replicas": 4, "autoscaling": {"enabled": False}},
        {"deployment": "istio-ingressgateway-asm-1-23"},
    ),
    "nothing": ({"monitor": "none", "alerts": {"enabled": False},
                 "dashboard": {"enabled": False}, "accessLogs": {"enabled": False}}, {}, {}),
}


def _render(name: str) -> list[dict[str, Any]]:
    obs, workload, kwargs = CASES[name]
    return monitoring_objects(Observability.model_validate(obs),
                              GatewayWorkload.model_validate(workload), stack="shop", **kwargs)


def write_golden() -> None:
    GOLDEN.write_text(json.dumps({name: _render(name) for name in CASES}, indent=1,
                                 sort_keys=False) + "\n", encoding="utf-8")


def test_every_case_renders_as_reviewed() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert list(golden) == list(CASES)
    for name in CASES:
        assert _render(name) == golden[name], name


def test_what_each_case_renders() -> None:
    kinds = {name: [(o["kind"], o["metadata"]["name"]) for o in _render(name)] for name in CASES}
    assert kinds == {
        "defaults": [("PodMonitor", "istio-ingressgateway"),
                     ("PrometheusRule", "istio-ingressgateway"),
                     ("ConfigMap", "istio-ingressgateway-dashboard"),
                     ("Telemetry", "istio-ingressgateway-access-logs")],
        "everything": [("Service", "gw-metrics"), ("ServiceMonitor", "gw"),
                       ("PrometheusRule", "gw"), ("ConfigMap", "gw-dashboard"),
                       ("Telemetry", "gw-access-logs")],
        "fixed-replicas": [("PodMonitor", "istio-ingressgateway-asm-1-23"),
                           ("PrometheusRule", "istio-ingressgateway-asm-1-23")],
        "nothing": [],
    }


def test_the_gateway_as_deployed_reaches_the_queries() -> None:
    everything = _render("everything")
    alerts = alert_expressions(everything[2])
    assert sorted(alerts) == [
        "IngressGateway5xxRatioHigh", "IngressGatewayCertificateExpiring",
        "IngressGatewayHPAAtMaximum", "IngressGatewayLatencyP95High",
        "IngressGatewayLatencyP99High", "IngressGatewayReplicasBelowMinimum"]
    # The canary's pods count with the main Deployment's; the HPA floor is the minimum.
    assert 'source_workload=~"gw(-1-23)?"' in alerts["IngressGatewayLatencyP95High"]
    assert alerts["IngressGatewayReplicasBelowMinimum"].endswith(") < 3")
    assert ('certmanager_certificate_expiration_timestamp_seconds{namespace="apps",name="api"}'
            "\nor\n") in alerts["IngressGatewayCertificateExpiring"]
    fixed = alert_expressions(_render("fixed-replicas")[1])
    assert "IngressGatewayHPAAtMaximum" not in fixed
    assert "IngressGatewayCertificateExpiring" not in fixed
    assert fixed["IngressGatewayReplicasBelowMinimum"] == (
        "max by (namespace, deployment) (kube_deployment_status_replicas_available"
        '{namespace="istio-ingress",deployment="istio-ingressgateway-asm-1-23"}) < 4')
    queries = dashboard_queries(everything[3])
    assert 'max(kube_horizontalpodautoscaler_spec_max_replicas{namespace="edge",' \
           'horizontalpodautoscaler="gw"})' in queries
    assert 'sum(envoy_server_live{namespace="edge",pod=~"gw(-1-23)?-[a-z0-9]+-[a-z0-9]+"})' \
        in queries
    model = json.loads(everything[3]["data"]["gw.json"])
    assert model["uid"] == "ingresslib-" + hashlib.sha256(b"shop/edge/gw").hexdigest()[:16]
    assert model["panels"][4]["fieldConfig"]["defaults"]["custom"]["axisSoftMax"] == 12


def test_gateway_target_selectors() -> None:
    gw = GatewayTarget("edge", "gw", "gw-hpa", "5m")
    assert gw.istio == ('reporter="source",source_workload="gw",'
                        'source_workload_namespace="edge"')
    assert gw.envoy == 'namespace="edge",pod=~"gw-[a-z0-9]+-[a-z0-9]+"'
    assert gw.deployment_selector == 'namespace="edge",deployment="gw"'
    assert gw.hpa_selector == 'namespace="edge",horizontalpodautoscaler="gw-hpa"'
    assert gw.quantile(0.5) == (
        "histogram_quantile(0.5, sum by (le) (rate(istio_request_duration_milliseconds_bucket"
        '{reporter="source",source_workload="gw",source_workload_namespace="edge"}[5m])))')
    canary = GatewayTarget("edge", "gw", None, "1m", "1-23")
    assert canary.istio == ('reporter="source",source_workload=~"gw(-1-23)?",'
                            'source_workload_namespace="edge"')
    assert canary.envoy == 'namespace="edge",pod=~"gw(-1-23)?-[a-z0-9]+-[a-z0-9]+"'
