"""Observability of the gateway: who scrapes it, what pages someone, the dashboard, access logs.

Seed section 5 asks for latency (p95, p99), 4xx/5xx and load to be watched and alerted on; the
thresholds live here as config so each stack tunes them without touching the rule templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from ingresslib.config.base import DnsLabel, Labels, Model, _labels
from ingresslib.config.certificates import Certificate, CertManagerCertificate
from ingresslib.config.duration import duration_ns
from ingresslib.errors import Problem

_PROM_DURATION = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)
_UNIT_MS = (365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1)


def prom_duration_ms(text: str) -> int:
    """Milliseconds in a Prometheus duration ("30s", "5m", "1h30m", "2d"), units largest first."""
    m = _PROM_DURATION.match(text)
    if not m or not text:
        raise ValueError("must be a Prometheus duration such as '30s', '5m' or '1h30m'")
    return sum(int(n) * unit for n, unit in zip(m.groups(), _UNIT_MS, strict=True) if n)


def _positive(text: str) -> str:
    if prom_duration_ms(text) == 0:
        raise ValueError("must be longer than zero")
    return text


# What the Prometheus operator's CRDs accept for `interval` and `for` (no "1.5m", no "90s5m").
PromDuration = Annotated[str, AfterValidator(_positive)]


class Alerts(Model):
    """PrometheusRule thresholds; each `...For` keeps a short spike from paging anyone.

    `labels` go on every alert (team, routing); a `severity` there replaces the per-alert one
    (critical for 5xx and missing replicas, warning for the rest).
    """

    enabled: bool = True
    labels: Labels = {}
    latency_p95_ms: int = Field(default=500, ge=1)
    latency_p99_ms: int = Field(default=1000, ge=1)
    latency_for: PromDuration = "10m"
    error_ratio_5xx: float = Field(default=0.05, gt=0, le=1, alias="errorRatio5xx")
    errors_for: PromDuration = "5m"
    replicas_for: PromDuration = "5m"
    hpa_at_max_for: PromDuration = "15m"
    certificate_expiry_days: int = Field(default=14, ge=1)
    certificate_for: PromDuration = "1h"


class Dashboard(Model):
    """A Grafana dashboard ConfigMap that Grafana's sidecar picks up by its label."""

    enabled: bool = True
    namespace: DnsLabel | None = None
    sidecar_label: str = "grafana_dashboard"
    sidecar_label_value: str = "1"

    @model_validator(mode="after")
    def _valid_label(self) -> Dashboard:
        _labels({self.sidecar_label: self.sidecar_label_value})
        return self


class AccessLogs(Model):
    """Envoy access logs of the gateway pods through an Istio Telemetry resource.

    `filter` is an Istio CEL expression such as `response.code >= 400`, to log only failures
    at the edge where full logging would cost the most.
    """

    enabled: bool = True
    provider: str = Field(default="envoy", min_length=1)
    filter: str | None = Field(default=None, min_length=1)


class Observability(Model):
    """Scraping, alerts, dashboard and access logs of the gateway.

    `prometheusScrape` keeps the `prometheus.io/*` annotations (Envoy and agent merged, port
    15020) for Prometheus servers that discover pods by annotation; `monitor` renders a
    Prometheus operator PodMonitor or ServiceMonitor for Envoy's own endpoint (15090).
    `rateWindow` is the range of every rate() in the alerts and the dashboard.
    """

    prometheus_scrape: bool = True
    monitor: Literal["ServiceMonitor", "PodMonitor", "none"] = "PodMonitor"
    monitor_labels: Labels = {}
    scrape_interval: PromDuration = "30s"
    rate_window: PromDuration = "5m"
    alerts: Alerts = Alerts()
    dashboard: Dashboard = Dashboard()
    access_logs: AccessLogs = AccessLogs()

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
