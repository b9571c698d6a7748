"""Observability: scrape targets, alert rules (run through promtool), dashboard, access logs."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from ingresslib import StackConfig
from ingresslib.config.observability import Observability, observability_problems
from ingresslib.config.workload import Autoscaling, GatewayWorkload
from ingresslib.manifests.gateway import gateway_objects
from ingresslib.manifests.monitoring import (
    alert_expressions,
    dashboard_queries,
    monitoring_objects,
)
from ingresslib.stack.model import CertificateSource
from tests.configs import eks_stack, http_listener
from tests.harness.validate import ManifestValidator
from tests.shared import promtool

NS = "istio-ingress"
GW = "istio-ingressgateway"
SELECTOR = {"app": GW, "istio": "ingressgateway"}
CERTS = [(NS, "web"), (NS, "api")]
# What an ingress gateway's Envoy reports about itself: outbound only, so reporter="source".
ISTIO = f'reporter="source",source_workload="{GW}",source_workload_namespace="{NS}"'
# The same requests as the backend's sidecar reports them: must not be counted twice.
BACKEND_VIEW = f'reporter="destination",source_workload="{GW}",source_workload_namespace="{NS}"'
OTHER_GATEWAY = f'reporter="source",source_workload="other",source_workload_namespace="{NS}"'
EXPORTED = {
    "istio_requests_total",
    "istio_request_duration_milliseconds_bucket",
    "envoy_server_live",
    "envoy_server_total_connections",
    "kube_deployment_spec_replicas",
    "kube_deployment_status_replicas_available",
    "kube_horizontalpodautoscaler_status_current_replicas",
    "kube_horizontalpodautoscaler_spec_max_replicas",
    "certmanager_certificate_expiration_timestamp_seconds",
}


# The gateway as deployed: 2 to 10 replicas under its HPA; FIXED: 2 replicas, no HPA.
GATEWAY = GatewayWorkload(namespace=NS, name=GW, labels=SELECTOR)
FIXED = GATEWAY.model_copy(update={"replicas": 2, "autoscaling": Autoscaling(enabled=False)})


def _render(obs: dict[str, Any] | None = None, gateway: GatewayWorkload = GATEWAY,
            **overrides: Any) -> list[dict[str, Any]]:
    args: dict[str, Any] = {"stack": "ingress", "cert_manager_certificates": CERTS}
    return monitoring_objects(Observability.model_validate(obs or {}), gateway,
                              **(args | overrides))


def _kind(objs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = [o for o in objs if o["kind"] == kind]
    return found


def _rules(objs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    spec = _kind(objs, "PrometheusRule")["spec"]
    return {r["alert"]: r for g in spec["groups"] for r in g["rules"]}


def _gateway() -> dict[str, dict[str, Any]]:
    cfg = StackConfig.model_validate(eks_stack(listeners=[http_listener("a.example.com")]))
    assert cfg.workload is not None
    return {o["kind"]: o for o in gateway_objects(cfg.workload, cfg.edge.gateway)}


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool(), *map(str, args)], capture_output=True, text=True,
                          check=False, timeout=120)


# --------------------------------------------------------------------------- objects


@pytest.mark.parametrize(("monitor", "kinds"), [
    ("PodMonitor", ["PodMonitor", "ConfigMap", "Telemetry"]),
    ("ServiceMonitor", ["Service", "ServiceMonitor", "ConfigMap", "Telemetry"]),
    ("none", ["ConfigMap", "Telemetry"]),
])
def test_objects_pass_schema_validation(
    validator: ManifestValidator, monitor: str, kinds: list[str]
) -> None:
    objs = [o for o in _render({"monitor": monitor}) if o["kind"] != "PrometheusRule"]
    assert [o["kind"] for o in objs] == kinds
    for o in objs:
        assert validator.errors(o) == [], o["kind"]


def test_prometheus_rule_passes_schema_validation(validator: ManifestValidator) -> None:
    assert validator.errors(_kind(_render(), "PrometheusRule")) == []


def test_pod_monitor_scrapes_envoy_on_the_gateway_pods() -> None:
    objs = _render({"monitorLabels": {"release": "prometheus"}, "scrapeInterval": "15s"})
    spec = _kind(objs, "PodMonitor")["spec"]
    assert spec["selector"] == {"matchLabels": SELECTOR}
    assert spec["namespaceSelector"] == {"matchNames": [NS]}
    assert spec["podMetricsEndpoints"] == [
        {"port": "http-envoy-prom", "path": "/stats/prometheus", "interval": "15s"}]
    pod = _gateway()["Deployment"]["spec"]["template"]
    assert SELECTOR.items() <= pod["metadata"]["labels"].items()
    ports = pod["spec"]["containers"][0]["ports"]
    assert {"name": "http-envoy-prom", "containerPort": 15090, "protocol": "TCP"} in ports
    for kind in ("PodMonitor", "PrometheusRule"):
        assert _kind(objs, kind)["metadata"]["labels"]["release"] == "prometheus"
    assert not [o for o in objs if o["kind"] in ("Service", "ServiceMonitor")]


def test_service_monitor_scrapes_a_metrics_service_not_the_gateway_service() -> None:
    objs = _render({"monitor": "ServiceMonitor"})
    svc = _kind(objs, "Service")
    monitor = _kind(objs, "ServiceMonitor")["spec"]
    assert svc["metadata"]["name"] == f"{GW}-metrics"
    assert svc["spec"]["type"] == "ClusterIP"
    assert "clusterIP" not in svc["spec"]
    assert svc["spec"]["selector"] == SELECTOR
    assert svc["spec"]["ports"] == [{"name": "http-envoy-prom", "port": 15090,
                                     "targetPort": "http-envoy-prom", "protocol": "TCP"}]
    wanted = monitor["selector"]["matchLabels"].items()
    assert wanted <= svc["metadata"]["labels"].items()
    assert not wanted <= _gateway()["Service"]["metadata"]["labels"].items()
    assert monitor["endpoints"] == [
        {"port": "http-envoy-prom", "path": "/stats/prometheus", "interval": "30s"}]
    assert not [o for o in objs if o["kind"] == "PodMonitor"]


def test_telemetry_enables_access_logs_on_the_gateway_pods_only() -> None:
    spec = _kind(_render({"accessLogs": {"filter": "response.code >= 400"}}), "Telemetry")["spec"]
    assert spec == {
        "selector": {"matchLabels": SELECTOR},
        "accessLogging": [{"providers": [{"name": "envoy"}],
                           "filter": {"expression": "response.code >= 400"}}],
    }
    unfiltered = _kind(_render({"accessLogs": {"provider": "otel"}}), "Telemetry")["spec"]
    assert unfiltered["accessLogging"] == [{"providers": [{"name": "otel"}]}]
    assert not [o for o in _render({"accessLogs": {"enabled": False}})
                if o["kind"] == "Telemetry"]


def test_rendering_is_deterministic() -> None:
    obs = {"monitor": "ServiceMonitor", "accessLogs": {"filter": "response.code >= 500"}}
    first, second = _render(obs), _render(obs, cert_manager_certificates=CERTS[::-1])
    assert json.dumps(first) == json.dumps(second)
    text = next(iter(_kind(first, "ConfigMap")["data"].values()))
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True)


# --------------------------------------------------------------------------- alert rules


def test_thresholds_and_durations_come_from_config() -> None:
    rules = _rules(_render({"alerts": {
        "latencyP95Ms": 250, "latencyP99Ms": 800, "latencyFor": "3m", "errorRatio5xx": 0.02,
        "errorsFor": "2m", "replicasFor": "1m", "hpaAtMaxFor": "30m",
        "certificateExpiryDays": 7, "certificateFor": "2h", "labels": {"team": "edge"},
    }}, gateway=GATEWAY.model_copy(update={"autoscaling": Autoscaling(min_replicas=3)})))
    expected = {
        "IngressGatewayLatencyP95High": ("> 250", "3m", "warning"),
        "IngressGatewayLatencyP99High": ("> 800", "3m", "warning"),
        "IngressGateway5xxRatioHigh": ("> 0.02", "2m", "critical"),
        "IngressGatewayReplicasBelowMinimum": ("< 3", "1m", "critical"),
        "IngressGatewayHPAAtMaximum": (f'horizontalpodautoscaler="{GW}"}})', "30m", "warning"),
        "IngressGatewayCertificateExpiring": ("< 7 * 86400", "2h", "warning"),
    }
    assert set(rules) == set(expected)
    for name, (tail, duration, severity) in expected.items():
        assert rules[name]["expr"].endswith(tail), name
        assert rules[name]["for"] == duration
        assert rules[name]["labels"]["severity"] == severity
        assert rules[name]["labels"]["team"] == "edge"
        assert set(rules[name]["annotations"]) == {"summary", "description", "runbook"}


def test_optional_alerts_follow_what_exists() -> None:
    rules = _rules(_render(gateway=FIXED, cert_manager_certificates=[]))
    assert "IngressGatewayHPAAtMaximum" not in rules
    assert "IngressGatewayCertificateExpiring" not in rules
    assert not [o for o in _render({"alerts": {"enabled": False}})
                if o["kind"] == "PrometheusRule"]


def test_queries_use_metrics_that_gateways_export() -> None:
    objs = _render()
    exprs = [*alert_expressions(_kind(objs, "PrometheusRule")).values(),
             *dashboard_queries(_kind(objs, "ConfigMap"))]
    used = {m for e in exprs for m in re.findall(r"([a-z_:]+)\{", e)}
    assert used == EXPORTED
    for expr in exprs:
        for selector in re.findall(r"(?:istio_[a-z_]+)\{([^}]*)\}", expr):
            assert selector.startswith(ISTIO), expr


def test_promtool_accepts_the_rule_group(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(_kind(_render(), "PrometheusRule")["spec"]))
    result = _run("check", "rules", rules)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 6 rules found" in result.stdout


def test_every_dashboard_query_parses(tmp_path: Path) -> None:
    queries = dashboard_queries(_kind(_render(), "ConfigMap"))
    assert len(queries) == 11
    rules = tmp_path / "panels.yaml"
    rules.write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": [
        {"record": f"ingresslib:panel_query_{i}", "expr": q} for i, q in enumerate(queries)
    ]}]}))
    result = _run("check", "rules", rules)
    assert result.returncode == 0, result.stdout + result.stderr


def _latency(slow_ms_bucket: str) -> dict[str, str]:
    """60 requests a minute at the gateway, all in the bucket ending at `slow_ms_bucket`."""
    series = {}
    for le in ("100", "500", "1000", "2500", "+Inf"):
        reached = le == "+Inf" or float(le) >= float(slow_ms_bucket)
        series[f'istio_request_duration_milliseconds_bucket{{{ISTIO},le="{le}"}}'] = (
            "0+60x40" if reached else "0x40")
        # Backends and other gateways see slow requests; none of them may count.
        for other in (BACKEND_VIEW, OTHER_GATEWAY):
            series[f'istio_request_duration_milliseconds_bucket{{{other},le="{le}"}}'] = (
                "0+600x40" if le == "+Inf" else "0x40")
    return series


def _requests(ok: int, failed: int) -> dict[str, str]:
    return {
        f'istio_requests_total{{{ISTIO},response_code="200"}}': f"0+{ok}x30",
        f'istio_requests_total{{{ISTIO},response_code="503"}}': f"0+{failed}x30",
        f'istio_requests_total{{{BACKEND_VIEW},response_code="503"}}': "0+1000x30",
        f'istio_requests_total{{{OTHER_GATEWAY},response_code="500"}}': "0+1000x30",
    }


def _replicas(available: int) -> dict[str, str]:
    return {
        f'kube_deployment_status_replicas_available{{namespace="{NS}",deployment="{GW}"}}':
            f"{available}x30",
        f'kube_deployment_status_replicas_available{{namespace="{NS}",deployment="other"}}':
            "0x30",
    }


def _hpa(current: int) -> dict[str, str]:
    sel = f'namespace="{NS}",horizontalpodautoscaler="{GW}"'
    return {
        f"kube_horizontalpodautoscaler_status_current_replicas{{{sel}}}": f"{current}x40",
        f"kube_horizontalpodautoscaler_spec_max_replicas{{{sel}}}": "10x40",
    }


def _expiry(**days_left: float) -> dict[str, str]:
    """Expiry timestamps of Certificates `<ns>__<name>`; promtool's clock starts at 0."""
    series = {}
    for key, days in days_left.items():
        ns, name = key.split("__")
        series[f'certmanager_certificate_expiration_timestamp_seconds{{namespace="{ns}",'
               f'name="{name}"}}'] = f"{int(days * 86400)}x200"
    return series


LATENCY = {"severity": "warning", "namespace": NS}
FIVE_XX = {"severity": "critical", "namespace": NS}
REPLICAS = {"severity": "critical", "namespace": NS, "deployment": GW}
HPA = {"severity": "warning", "namespace": NS, "horizontalpodautoscaler": GW}
CERT = {"severity": "warning", "namespace": NS, "name": "web"}
OTHER_CERTS = {f"{NS}__api": 30, f"{NS}__unlisted": 1, "default__web": 1}

# (alert, input series, eval time, expected alerts as (labels, $value as rendered))
CASES: dict[str, tuple[str, dict[str, str], str, list[tuple[dict[str, str], str]]]] = {
    "p95-fires": ("IngressGatewayLatencyP95High", _latency("1000"), "15m", [(LATENCY, "975")]),
    "p95-pending-before-for": ("IngressGatewayLatencyP95High", _latency("1000"), "8m", []),
    "p95-quiet-when-fast": ("IngressGatewayLatencyP95High", _latency("100"), "15m", []),
    "p99-quiet-below-threshold": ("IngressGatewayLatencyP99High", _latency("1000"), "15m", []),
    "p99-fires": ("IngressGatewayLatencyP99High", _latency("2500"), "15m", [(LATENCY, "2485")]),
    "5xx-fires": ("IngressGateway5xxRatioHigh", _requests(90, 10), "10m", [(FIVE_XX, "10%")]),
    "5xx-quiet-at-2pct": ("IngressGateway5xxRatioHigh", _requests(98, 2), "10m", []),
    "replicas-fire": ("IngressGatewayReplicasBelowMinimum", _replicas(1), "10m",
                      [(REPLICAS, "1")]),
    "replicas-quiet-at-min": ("IngressGatewayReplicasBelowMinimum", _replicas(2), "10m", []),
    "hpa-fires": ("IngressGatewayHPAAtMaximum", _hpa(10), "20m", [(HPA, "10")]),
    "hpa-pending-before-for": ("IngressGatewayHPAAtMaximum", _hpa(10), "10m", []),
    "hpa-quiet-below-max": ("IngressGatewayHPAAtMaximum", _hpa(9), "20m", []),
    "cert-fires": ("IngressGatewayCertificateExpiring",
                   _expiry(**{f"{NS}__web": 10}, **OTHER_CERTS), "2h", [(CERT, "9d 22h 0m 0s")]),
    "cert-quiet-when-renewed": ("IngressGatewayCertificateExpiring",
                                _expiry(**{f"{NS}__web": 60}, **OTHER_CERTS), "2h", []),
}


def _annotations(rule: dict[str, Any], labels: dict[str, str], value: str) -> dict[str, str]:
    """The rule's annotations as Prometheus renders them for one alert."""
    def fill(text: str) -> str:
        text = re.sub(r"\{\{ \$value[^}]* \}\}", value, text)
        return re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels[m[1]], text)
    return {k: fill(v) for k, v in rule["annotations"].items()}


@pytest.mark.parametrize("case", CASES)
def test_alert_fires_only_when_it_should(case: str, tmp_path: Path) -> None:
    alert, series, eval_time, expected = CASES[case]
    spec = _kind(_render(), "PrometheusRule")["spec"]
    rule = _rules(_render())[alert]
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(spec))
    test = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [{"series": s, "values": v} for s, v in series.items()],
            "alert_rule_test": [{
                "eval_time": eval_time,
                "alertname": alert,
                "exp_alerts": [
                    {"exp_labels": labels, "exp_annotations": _annotations(rule, labels, value)}
                    for labels, value in expected
                ],
            }],
        }],
    }
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(test, sort_keys=False))
    result = _run("test", "rules", tmp_path / "test.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- dashboard


def test_dashboard_configmap_for_the_grafana_sidecar() -> None:
    cm = _kind(_render({"dashboard": {"namespace": "monitoring", "sidecarLabel": "dash",
                                      "sidecarLabelValue": "yes"}}), "ConfigMap")
    assert cm["metadata"]["namespace"] == "monitoring"
    assert cm["metadata"]["labels"]["dash"] == "yes"
    (text,) = cm["data"].values()
    model = json.loads(text)
    titles = [p["title"] for p in model["panels"]]
    assert titles == ["Request rate by response code", "Latency p50 / p95 / p99",
                      "Error ratio (5xx, 4xx)", "Downstream connections by pod", "Replicas"]
    legends = {t["legendFormat"] for p in model["panels"] for t in p["targets"]}
    assert {"p50", "p95", "p99", "5xx", "4xx", "desired", "available", "HPA max"} <= legends
    assert {p["datasource"]["uid"] for p in model["panels"]} == {"${datasource}"}
    default = _kind(_render(), "ConfigMap")
    assert default["metadata"]["namespace"] == NS
    assert default["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(next(iter(default["data"].values())))["uid"] == model["uid"]
    assert not [o for o in _render({"dashboard": {"enabled": False}}) if o["kind"] == "ConfigMap"]


# --------------------------------------------------------------------------- config


def _paths(obs: dict[str, Any], certificates: dict[str, Any] | None = None) -> list[str]:
    source: TypeAdapter[CertificateSource] = TypeAdapter(CertificateSource)
    certs = {k: source.validate_python(v) for k, v in (certificates or {}).items()}
    found = observability_problems(Observability.model_validate(obs), certificates=certs)
    return [p.path for p in found]


CERT_MANAGER = {"source": "certManager", "dnsNames": ["a.example.com"], "issuer": "le"}


@pytest.mark.parametrize(("obs", "certificates", "path"), [
    ({"alerts": {"latencyP95Ms": 900, "latencyP99Ms": 800}}, None,
     "observability.alerts.latencyP95Ms"),
    ({"scrapeInterval": "1m", "rateWindow": "2m"}, None, "observability.rateWindow"),
    ({"monitor": "none", "monitorLabels": {"release": "prometheus"}}, None,
     "observability.monitorLabels"),
    ({"monitor": "none", "prometheusScrape": False}, None, "observability.monitor"),
    ({"accessLogs": {"enabled": False, "filter": "response.code >= 400"}}, None,
     "observability.accessLogs.filter"),
    ({"alerts": {"certificateExpiryDays": 10}}, None,
     "observability.alerts.certificateExpiryDays"),
    ({"alerts": {"certificateExpiryDays": 30}}, {"web": CERT_MANAGER},
     "observability.alerts.certificateExpiryDays"),
    ({}, {"web": {**CERT_MANAGER, "renewBefore": "240h"}},
     "observability.alerts.certificateExpiryDays"),
])
def test_cross_field_rules_name_the_field(
    obs: dict[str, Any], certificates: dict[str, Any] | None, path: str
) -> None:
    assert _paths(obs, certificates) == [path]


@pytest.mark.parametrize(("obs", "certificates"), [
    ({}, None),
    ({}, {"web": CERT_MANAGER}),
    ({"alerts": {"certificateExpiryDays": 29}}, {"web": CERT_MANAGER}),
    ({"monitor": "none", "prometheusScrape": False,
      "alerts": {"enabled": False}, "dashboard": {"enabled": False}}, None),
    ({"alerts": {"enabled": False, "latencyP95Ms": 900, "latencyP99Ms": 800}}, None),
])
def test_consistent_configs_have_no_problems(
    obs: dict[str, Any], certificates: dict[str, Any] | None
) -> None:
    assert _paths(obs, certificates) == []


@pytest.mark.parametrize("obs", [
    {"scrapeInterval": "30 s"},
    {"rateWindow": "0s"},
    {"alerts": {"latencyFor": "5m30"}},
    {"alerts": {"errorRatio5xx": 1.5}},
    {"monitor": "Probe"},
    {"dashboard": {"sidecarLabel": "-bad-"}},
    {"accessLogs": {"filtr": "response.code >= 400"}},
])
def test_invalid_fields_are_refused(obs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Observability.model_validate(obs)
