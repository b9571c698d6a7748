"""Monitoring of the gateway: scrape target, alert rules, Grafana dashboard, access logs.

Metric names and labels are the ones an Istio ingress gateway really exports. A gateway only
has outbound listeners, so its Istio metrics carry `reporter="source"` with the gateway as
`source_workload` (the Deployment name). Envoy's own stats on 15090 carry no workload label:
they are selected by the `namespace` and `pod` target labels that PodMonitor, ServiceMonitor
and annotation scraping all add. Istio's default stats matcher keeps `server.*` (so
`envoy_server_live` and `envoy_server_total_connections`) but drops `downstream_cx_active`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ingresslib.config.observability import Alerts, Observability
from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.meta import MANAGED_BY, obj, selector_labels

ENVOY_PROM_PORT = 15090
ENVOY_PROM_PORT_NAME = "http-envoy-prom"
ENVOY_PROM_PATH = "/stats/prometheus"
MONITORING_API = "monitoring.coreos.com/v1"


@dataclass(frozen=True)
class GatewayTarget:
    """The workload every query selects, as Istio, Envoy targets and kube-state-metrics name it."""

    namespace: str
    deployment: str
    hpa: str | None
    window: str
    # The revision of a canary upgrade in progress: its Deployment `<deployment>-<revision>`
    # serves the same traffic, so traffic and Envoy queries count its pods too.
    canary_revision: str | None = None

    @property
    def _workloads(self) -> str:
        if self.canary_revision is None:
            return f'="{self.deployment}"'
        return f'=~"{self.deployment}(-{self.canary_revision})?"'

    @property
    def istio(self) -> str:
        return (
            f'reporter="source",source_workload{self._workloads},'
            f'source_workload_namespace="{self.namespace}"'
        )

    @property
    def envoy(self) -> str:
        # Pods of the Deployment(s) only: <deployment>-<pod-template-hash>-<suffix>.
        canary = f"(-{self.canary_revision})?" if self.canary_revision else ""
        return (f'namespace="{self.namespace}",'
                f'pod=~"{self.deployment}{canary}-[a-z0-9]+-[a-z0-9]+"')

    @property
    def deployment_selector(self) -> str:
        return f'namespace="{self.namespace}",deployment="{self.deployment}"'

    @property
    def hpa_selector(self) -> str:
        return f'namespace="{self.namespace}",horizontalpodautoscaler="{self.hpa}"'

    def quantile(self, q: float) -> str:
        return (
            f"histogram_quantile({q}, sum by (le) (rate("
            f"istio_request_duration_milliseconds_bucket{{{self.istio}}}[{self.window}])))"
        )

    def ratio(self, code: str) -> str:
        """Share of requests answered with `code` (a regex such as 5..)."""
        return (
            f'sum(rate(istio_requests_total{{{self.istio},response_code=~"{code}"}}'
            f"[{self.window}]))\n/\nsum(rate(istio_requests_total{{{self.istio}}}"
            f"[{self.window}]))"
        )


def _alert(
    alerts: Alerts,
    name: str,
    expr: str,
    duration: str,
    severity: str,
    *,
    summary: str,
    description: str,
    hint: str,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": duration,
        "labels": {"severity": severity, **(labels or {}), **alerts.labels},
        "annotations": {"summary": summary, "description": description, "runbook": hint},
    }


def alert_rules(
    obs: Observability,
    gw: GatewayTarget,
    *,
    min_replicas: int,
    max_replicas: int,
    cert_manager_certificates: list[tuple[str, str]],
) -> list[dict[str, Any]]:
    """Alerting rules for the gateway, thresholds and `for` durations taken from config."""
    a = obs.alerts
    where = {"namespace": gw.namespace}
    name = f"{gw.namespace}/{gw.deployment}"
    rules = [
        _alert(
            a, f"IngressGatewayLatencyP{q}High",
            f"{gw.quantile(q / 100)} > {ms}", a.latency_for, "warning",
            summary=f'p{q} latency at {name} is {{{{ $value | printf "%.0f" }}}}ms',
            description=f"The {q}th percentile of request duration through the gateway "
            f"(backend included) has been above {ms}ms for {a.latency_for}.",
            hint="Compare backend latency (reporter=destination) to find the slow service; if "
            "only the gateway is slow, check its CPU throttling and whether the HPA is at max.",
            labels=where,
        )
        for q, ms in ((95, a.latency_p95_ms), (99, a.latency_p99_ms))
    ]
    rules.append(_alert(
        a, "IngressGateway5xxRatioHigh",
        f"{gw.ratio('5..')}\n> {a.error_ratio_5xx:g}", a.errors_for, "critical",
        summary=f"{name} answers {{{{ $value | humanizePercentage }}}} of requests with 5xx",
        description=f"More than {a.error_ratio_5xx:.2%} of requests have ended in 5xx for "
        f"{a.errors_for}.",
        hint="Split istio_requests_total by response_code and response_flags: UH/NR mean no "
        "healthy backend or no route, UF/URX failed connections, UT timeouts.",
        labels=where,
    ))
    rules.append(_alert(
        a, "IngressGatewayReplicasBelowMinimum",
        "max by (namespace, deployment) (kube_deployment_status_replicas_available"
        f"{{{gw.deployment_selector}}}) < {min_replicas}",
        a.replicas_for, "critical",
        summary=f"{name} has {{{{ $value }}}} available pods, fewer than {min_replicas}",
        description=f"Fewer than the {min_replicas} gateway pods the stack requires have been "
        f"available for {a.replicas_for}; one more failure drops edge traffic.",
        hint=f"kubectl -n {gw.namespace} get pods,events: look for Pending (no capacity, "
        "spread constraints), CrashLoopBackOff or failing readiness on 15021.",
    ))
    if gw.hpa is not None:
        current = (
            "max by (namespace, horizontalpodautoscaler) "
            f"(kube_horizontalpodautoscaler_status_current_replicas{{{gw.hpa_selector}}})"
        )
        ceiling = (
            "max by (namespace, horizontalpodautoscaler) "
            f"(kube_horizontalpodautoscaler_spec_max_replicas{{{gw.hpa_selector}}})"
        )
        rules.append(_alert(
            a, "IngressGatewayHPAAtMaximum", f"{current}\n>=\n{ceiling}",
            a.hpa_at_max_for, "warning",
            summary=f"{name} has run at its HPA maximum ({{{{ $value }}}} pods) for "
            f"{a.hpa_at_max_for}",
            description=f"The autoscaler cannot add gateway pods beyond maxReplicas "
            f"({max_replicas}); more load shows up as latency and 5xx.",
            hint="Raise gateway.autoscaling.maxReplicas (and check the nodes can hold them), "
            "or find the traffic source in the dashboard's request rate.",
        ))
    if cert_manager_certificates:
        selected = "\nor\n".join(
            f'certmanager_certificate_expiration_timestamp_seconds{{namespace="{ns}",'
            f'name="{cert}"}}'
            for ns, cert in sorted(cert_manager_certificates)
        )
        days = a.certificate_expiry_days
        rules.append(_alert(
            a, "IngressGatewayCertificateExpiring",
            f"min by (namespace, name) (\n{selected}\n) - time() < {days} * 86400",
            a.certificate_for, "warning",
            summary="Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in "
            "{{ $value | humanizeDuration }}",
            description=f"A gateway certificate expires within {days} days: cert-manager has "
            "not renewed it in time.",
            hint="kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}, "
            "then its CertificateRequests, Orders and Challenges, and the issuer's status.",
        ))
    return rules


def _panel(
    index: int, title: str, unit: str, targets: list[tuple[str, str]], **defaults: Any
) -> dict[str, Any]:
    return {
        "id": index + 1,
        "type": "timeseries",
        "title": title,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"h": 8, "w": 12, "x": 12 * (index % 2), "y": 8 * (index // 2)},
        "fieldConfig": {"defaults": {"unit": unit, **defaults}, "overrides": []},
        "targets": [
            {"expr": expr, "legendFormat": legend, "refId": chr(ord("A") + i)}
            for i, (expr, legend) in enumerate(targets)
        ],
    }


def _thresholds(*steps: tuple[str, float | None]) -> dict[str, Any]:
    """Threshold lines on a panel, drawn where the alerts fire."""
    return {
        "thresholds": {
            "mode": "absolute",
            "steps": [{"color": color, "value": value} for color, value in steps],
        },
        "custom": {"thresholdsStyle": {"mode": "line"}},
    }


def dashboard(
    obs: Observability,
    gw: GatewayTarget,
    *,
    title: str,
    uid: str,
    min_replicas: int,
    max_replicas: int,
) -> dict[str, Any]:
    """The Grafana dashboard model: traffic, latency, errors, connections and replicas."""
    a = obs.alerts
    replicas = [
        (f"max(kube_deployment_spec_replicas{{{gw.deployment_selector}}})", "desired"),
        (f"max(kube_deployment_status_replicas_available{{{gw.deployment_selector}}})",
         "available"),
        (f"sum(envoy_server_live{{{gw.envoy}}})", "live Envoy proxies"),
    ]
    if gw.hpa is not None:
        replicas.append(
            (f"max(kube_horizontalpodautoscaler_spec_max_replicas{{{gw.hpa_selector}}})",
             "HPA max")
        )
    replicas_panel = _thresholds(("red", None), ("green", min_replicas))
    replicas_panel["custom"]["axisSoftMax"] = max_replicas
    panels = [
        _panel(0, "Request rate by response code", "reqps", [
            (f"sum by (response_code) (rate(istio_requests_total{{{gw.istio}}}"
             f"[{gw.window}]))", "{{response_code}}"),
        ]),
        _panel(1, "Latency p50 / p95 / p99", "ms", [
            (gw.quantile(q / 100), f"p{q}") for q in (50, 95, 99)
        ], **_thresholds(("green", None), ("orange", a.latency_p95_ms),
                         ("red", a.latency_p99_ms))),
        _panel(2, "Error ratio (5xx, 4xx)", "percentunit", [
            (gw.ratio("5.."), "5xx"), (gw.ratio("4.."), "4xx"),
        ], **_thresholds(("green", None), ("red", a.error_ratio_5xx))),
        _panel(3, "Downstream connections by pod", "short", [
            (f"sum by (pod) (envoy_server_total_connections{{{gw.envoy}}})", "{{pod}}"),
        ]),
        _panel(4, "Replicas", "short", replicas, min=0, **replicas_panel),
    ]
    return {
        "uid": uid,
        "title": title,
        "tags": ["ingresslib", "istio", "ingress-gateway"],
        "editable": False,
        "schemaVersion": 39,
        "refresh": "1m",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [{
            "name": "datasource",
            "label": "Data source",
            "type": "datasource",
            "query": "prometheus",
            "current": {},
            "hide": 0,
            "refresh": 1,
        }]},
        "panels": panels,
    }


def alert_expressions(rule: dict[str, Any]) -> dict[str, str]:
    """Alert name to PromQL of a rendered PrometheusRule."""
    return {r["alert"]: r["expr"] for g in rule["spec"]["groups"] for r in g["rules"]}


def dashboard_queries(configmap: dict[str, Any]) -> list[str]:
    """Every panel query of a rendered dashboard ConfigMap."""
    return [
        target["expr"]
        for text in configmap["data"].values()
        for panel in json.loads(text)["panels"]
        for target in panel["targets"]
    ]


def _monitor(
    obs: Observability,
    gw: GatewayTarget,
    selector: dict[str, str],
    labels: dict[str, str],
) -> list[dict[str, Any]]:
    """The operator's scrape target for Envoy's stats; a ServiceMonitor needs a Service port,
    so it gets its own ClusterIP Service and the gateway Service stays as the LB sees it."""
    endpoint = {"port": ENVOY_PROM_PORT_NAME, "path": ENVOY_PROM_PATH,
                "interval": obs.scrape_interval}
    spec: dict[str, Any] = {"namespaceSelector": {"matchNames": [gw.namespace]}}
    monitor_labels = {**labels, **obs.monitor_labels}
    if obs.monitor == "PodMonitor":
        spec |= {"selector": {"matchLabels": selector}, "podMetricsEndpoints": [endpoint]}
        return [obj(MONITORING_API, "PodMonitor", gw.deployment, gw.namespace,
                    labels=monitor_labels, spec=spec)]
    metrics_labels = {**selector, "app.kubernetes.io/component": "metrics"}
    service = obj(
        "v1", "Service", f"{gw.deployment}-metrics", gw.namespace,
        labels={**labels, **metrics_labels},
        spec={
            "type": "ClusterIP",
            "selector": selector,
            "ports": [{"name": ENVOY_PROM_PORT_NAME, "port": ENVOY_PROM_PORT,
                       "targetPort": ENVOY_PROM_PORT_NAME, "protocol": "TCP"}],
        },
    )
    spec |= {"selector": {"matchLabels": metrics_labels}, "endpoints": [endpoint]}
    return [service, obj(MONITORING_API, "ServiceMonitor", gw.deployment, gw.namespace,
                         labels=monitor_labels, spec=spec)]


def monitoring_objects(
    obs: Observability,
    gateway: GatewayWorkload,
    *,
    stack: str,
    deployment: str | None = None,
    cert_manager_certificates: Sequence[tuple[str, str]] = (),
) -> list[dict[str, Any]]:
    """Scrape target, PrometheusRule, dashboard ConfigMap and access-log Telemetry of the
    gateway `gateway` (as deployed: its namespace, pod labels, replica floor and ceiling, HPA
    and canary revision come from it).

    `deployment` names its Deployment (and HPA) when that is not the workload's name (the AKS
    Istio add-on suffixes its revision); `cert_manager_certificates` are (namespace, name) of
    the cert-manager Certificates whose expiry to alert on.
    """
    namespace = gateway.namespace
    selector = selector_labels(gateway)
    min_replicas = gateway.min_running()
    max_replicas = gateway.autoscaling.max_replicas
    deployment = deployment or gateway.name
    hpa = deployment if gateway.autoscaling.enabled else None
    canary_revision = gateway.upgrade.revision if gateway.upgrade else None
    gw = GatewayTarget(namespace, deployment, hpa, obs.rate_window, canary_revision)
    labels = {**MANAGED_BY, "app.kubernetes.io/part-of": stack,
              "app.kubernetes.io/name": deployment}
    objs: list[dict[str, Any]] = []
    if obs.monitor != "none":
        objs += _monitor(obs, gw, selector, labels)
    if obs.alerts.enabled:
        rules = alert_rules(obs, gw, min_replicas=min_replicas, max_replicas=max_replicas,
                            cert_manager_certificates=list(cert_manager_certificates))
        objs.append(obj(
            MONITORING_API, "PrometheusRule", deployment, namespace,
            labels={**labels, **obs.monitor_labels},
            spec={"groups": [{"name": f"ingresslib.{stack}.{namespace}.{deployment}",
                              "rules": rules}]},
        ))
    if obs.dashboard.enabled:
        d = obs.dashboard
        key = f"{stack}/{namespace}/{deployment}"
        model = dashboard(
            obs, gw, title=f"Ingress gateway {namespace}/{deployment} ({stack})",
            uid="ingresslib-" + hashlib.sha256(key.encode()).hexdigest()[:16],
            min_replicas=min_replicas, max_replicas=max_replicas,
        )
        objs.append(obj(
            "v1", "ConfigMap", f"{deployment}-dashboard", d.namespace or namespace,
            labels={**labels, d.sidecar_label: d.sidecar_label_value},
            data={f"{deployment}.json": json.dumps(model, indent=2, sort_keys=True)},
        ))
    if obs.access_logs.enabled:
        logs: dict[str, Any] = {"providers": [{"name": obs.access_logs.provider}]}
        if obs.access_logs.filter:
            logs["filter"] = {"expression": obs.access_logs.filter}
        objs.append(obj(
            "telemetry.istio.io/v1", "Telemetry", f"{deployment}-access-logs", namespace,
            labels=labels,
            spec={"selector": {"matchLabels": selector}, "accessLogging": [logs]},
        ))
    return objs
