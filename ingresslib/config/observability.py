"""Observability of the gateway: who scrapes it, what pages someone, the dashboard, access logs.

Seed section 5 asks for latency (p95, p99), 4xx/5xx and load to be watched and alerted on; the
thresholds live here as config so each stack tunes them without touching the rule templates.
"""


from collections.abc import Iterator, Mapping
from typing import Literal, Self

from pydantic import Field, model_validator

from ingresslib.config.base import DnsLabel, Labels, Model, _labels, applies_to
from ingresslib.config.certificates import Certificate, CertManagerCertificate
from ingresslib.config.duration import PromDuration, duration_ns, prom_duration_ms
from ingresslib.errors import Problem


class Alerts(Model):
    """PrometheusRule thresholds; each `...For` keeps a short spike from paging anyone.

    `labels` go on every alert (team, routing); a `severity` there replaces the per-alert one
    (critical for 5xx and missing replicas, warning for the rest).
    """

    enabled: bool = True
    """Render the PrometheusRule."""
    labels: Labels = {}
    """Labels on every alert (team, routing); a `severity` here replaces the per-alert one."""
    latency_p95_ms: int = Field(default=500, ge=1)
    """Alert when the 95th percentile of request latency exceeds this, in milliseconds; at most
    latencyP99Ms."""
    latency_p99_ms: int = Field(default=1000, ge=1)
    """Alert when the 99th percentile exceeds this, in milliseconds."""
    latency_for: PromDuration = "10m"
    """How long a latency threshold must be exceeded before the alert fires (a Prometheus duration
    such as `10m`)."""
    error_ratio_5xx: float = Field(default=0.05, gt=0, le=1, alias="errorRatio5xx")
    """Alert when this share of requests (0-1) answers 5xx."""
    errors_for: PromDuration = "5m"
    """How long the 5xx ratio must be exceeded before the alert fires."""
    replicas_for: PromDuration = "5m"
    """How long available gateway pods may stay below the replica floor."""
    hpa_at_max_for: PromDuration = "15m"
    """How long the HPA may stay at maxReplicas."""
    certificate_expiry_days: int = Field(default=14, ge=1)
    """Alert when a cert-manager certificate expires within this many days; fewer than its
    renewBefore."""
    certificate_for: PromDuration = "1h"
    """How long a certificate may stay close to expiry before the alert fires."""


class Dashboard(Model):
    """A Grafana dashboard ConfigMap that Grafana's sidecar picks up by its label."""

    enabled: bool = True
    """Render the dashboard ConfigMap."""
    namespace: DnsLabel | None = None
    """Namespace of the ConfigMap (where Grafana's sidecar looks); the gateway namespace when
    unset."""
    sidecar_label: str = "grafana_dashboard"
    """Label key Grafana's dashboard sidecar selects ConfigMaps by."""
    sidecar_label_value: str = "1"
    """That label's value."""

    @model_validator(mode="after")
    def _valid_label(self) -> Self:
        _labels({self.sidecar_label: self.sidecar_label_value})
        return self


class AccessLogs(Model):
    """Envoy access logs of the gateway pods through an Istio Telemetry resource.

    `filter` is an Istio CEL expression such as `response.code >= 400`, to log only failures
    at the edge where full logging would cost the most.
    """

    enabled: bool = True
    """Log every request of the gateway pods."""
    provider: str = Field(default="envoy", min_length=1)
    """Istio extension provider the logs go to (mesh config); `envoy` is Envoy's standard output."""
    filter: str | None = Field(default=None, min_length=1)
    """Istio CEL expression selecting what is logged (`response.code >= 400`); everything when
    unset."""


class Observability(Model):
    """Scraping, alerts, dashboard and access logs of the gateway.

    `prometheusScrape` keeps the `prometheus.io/*` annotations (Envoy and agent merged, port
    15020) for Prometheus servers that discover pods by annotation; `monitor` renders a
    Prometheus operator PodMonitor or ServiceMonitor for Envoy's own endpoint (15090).
    `rateWindow` is the range of every rate() in the alerts and the dashboard.
    """

    model_config = applies_to(topologies=("gateway", "chained"))

    prometheus_scrape: bool = True
    """Keep the `prometheus.io/*` pod annotations (port 15020) for Prometheus servers that discover
    pods by annotation."""
    monitor: Literal["ServiceMonitor", "PodMonitor", "none"] = "PodMonitor"
    """Render a Prometheus operator `PodMonitor` or `ServiceMonitor` for Envoy's metrics (15090), or
    `none`."""
    monitor_labels: Labels = {}
    """Labels on the monitor, for the Prometheus that selects it."""
    scrape_interval: PromDuration = "30s"
    """How often Prometheus scrapes the gateway (a Prometheus duration)."""
    rate_window: PromDuration = "5m"
    """Range of every rate() in the alerts and the dashboard; at least 4 scrape intervals."""
    alerts: Alerts = Alerts.defaults()
    """Alert thresholds."""
    dashboard: Dashboard = Dashboard.defaults()
    """The Grafana dashboard."""
    access_logs: AccessLogs = AccessLogs.defaults()
    """Envoy access logs through an Istio Telemetry resource."""

    def problems(self, path: str) -> Iterator[Problem]:
        alerts = self.alerts
        if alerts.enabled and alerts.latency_p95_ms > alerts.latency_p99_ms:
            yield Problem(
                f"{path}.alerts.latencyP95Ms",
                alerts.latency_p95_ms,
                f"must be <= latencyP99Ms ({alerts.latency_p99_ms}): the 95th percentile "
                "never exceeds the 99th, so the p99 alert could never fire first",
            )
        interval = prom_duration_ms(self.scrape_interval)
        if prom_duration_ms(self.rate_window) < 4 * interval:
            yield Problem(
                f"{path}.rateWindow",
                self.rate_window,
                f"must span at least 4 scrapes ({self.scrape_interval} each) or one missed "
                "scrape leaves rate() without samples and alerts flap",
            )
        if self.monitor == "none" and self.monitor_labels:
            yield Problem(
                f"{path}.monitorLabels",
                self.monitor_labels,
                "label the PodMonitor or ServiceMonitor, and monitor is none; remove them",
            )
        if self.monitor == "none" and not self.prometheus_scrape and (
            alerts.enabled or self.dashboard.enabled
        ):
            yield Problem(
                f"{path}.monitor",
                self.monitor,
                "nothing scrapes the gateway (prometheusScrape is false too), so the alerts "
                "and dashboard have no data; choose PodMonitor or ServiceMonitor",
            )
        if self.access_logs.filter and not self.access_logs.enabled:
            yield Problem(
                f"{path}.accessLogs.filter",
                self.access_logs.filter,
                "filters access logs, which are disabled; remove it or enable them",
            )


def observability_problems(
    obs: Observability,
    *,
    certificates: Mapping[str, Certificate],
    path: str = "observability",
) -> Iterator[Problem]:
    """The section's own rules, then the expiry alert against the stack's certificates.

    Only cert-manager exports expiry metrics, and an alert window wider than a Certificate's
    renewBefore fires on every healthy certificate before cert-manager even tries to renew.
    """
    yield from obs.problems(path)
    alerts = obs.alerts
    if not alerts.enabled:
        return
    where = f"{path}.alerts.certificateExpiryDays"
    days = alerts.certificate_expiry_days
    issued = {k: c for k, c in certificates.items() if isinstance(c, CertManagerCertificate)}
    if not issued and "certificate_expiry_days" in alerts.model_fields_set:
        yield Problem(
            where,
            days,
            "only certificates with source certManager export expiry metrics, and none is "
            "declared; remove it",
        )
    for key, cert in issued.items():
        renew_days = duration_ns(cert.renew_before) / (86_400 * 10**9)
        if days >= renew_days:
            yield Problem(
                where,
                days,
                f"would fire on certificates.{key} before cert-manager renews it (renewBefore "
                f"{cert.renew_before}, {renew_days:g} days); use fewer days",
            )
