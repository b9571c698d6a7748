"""Ingress objects for the Application Gateway Ingress Controller (topology standalone on AKS):
one per route, in its backend's namespace, so each route keeps its own request timeout, health
probe and drain (AGIC applies an Ingress's annotations to every path of it).

Every Ingress names the X-Forwarded-For rewrite set Pulumi keeps on the gateway
(`rewrite-rule-set`: AGIC attaches it to the Ingress's path rules and default rule,
EDGE-ID-XFF-PORT), and drains for at least its request timeout (EDGE-DR-APPGW)."""

from __future__ import annotations

from typing import Any

from ingresslib.azure.agic.rules import (
    drain_seconds,
    ingress_name,
    route_paths,
    timeout_seconds,
)
from ingresslib.azure.application_gateway.plan import XFF_REWRITE
from ingresslib.azure.config import AksStack, uses_application_gateway
from ingresslib.config.listeners import ListenerHosts
from ingresslib.manifests.meta import MANAGED_BY, obj

ANNOTATION = "appgw.ingress.kubernetes.io/"
PROBE_INTERVAL_SECONDS = 10
PROBE_TIMEOUT_SECONDS = 5
PROBE_UNHEALTHY_THRESHOLD = 3


def _tls(listeners: ListenerHosts, host: str) -> tuple[str | None, bool]:
    """The Application Gateway certificate serving `host`, and whether its HTTP requests are
    redirected to HTTPS (unless an HTTP listener of the host says httpsRedirect: false)."""
    serving = listeners.serving(host)
    certificate = next((lst.tls.certificate for lst in serving
                        if lst.protocol == "HTTPS" and lst.tls), None)
    redirect = certificate is not None and all(
        lst.https_redirect is not False for lst in serving if lst.protocol == "HTTP")
    return certificate, redirect


def ingress_objects(cfg: AksStack) -> list[dict[str, Any]]:
    """Every route of `routing.hosts` as an Ingress (the config rules have refused whatever AGIC
    cannot express)."""
    if not uses_application_gateway(cfg) or cfg.topology != "standalone":
        return []
    assert cfg.azure is not None
    agw = cfg.azure.application_gateway
    assert agw is not None
    objs = []
    listeners = ListenerHosts(cfg.listeners)
    for host in cfg.routing.hosts:
        certificate, redirect = _tls(listeners, host.host)
        for route in host.routes:
            dest = route.to[0]
            backend = cfg.routing.backends[dest.backend]
            settings = agw.backends[dest.backend]
            target = settings.target_port or backend.port
            annotations = {
                # HTTP/1.1 is all Application Gateway speaks to backends (EDGE-PR-APPGW).
                f"{ANNOTATION}backend-protocol": "http",
                f"{ANNOTATION}request-timeout": str(
                    timeout_seconds(route, agw.request_timeout_seconds)),
                f"{ANNOTATION}health-probe-path": settings.health_probe_path,
                f"{ANNOTATION}health-probe-port": str(settings.health_probe_port or target),
                f"{ANNOTATION}health-probe-status-codes": settings.health_probe_status_codes,
                f"{ANNOTATION}health-probe-interval": str(PROBE_INTERVAL_SECONDS),
                f"{ANNOTATION}health-probe-timeout": str(PROBE_TIMEOUT_SECONDS),
                f"{ANNOTATION}health-probe-unhealthy-threshold": str(PROBE_UNHEALTHY_THRESHOLD),
                f"{ANNOTATION}connection-draining": "true",
                f"{ANNOTATION}connection-draining-timeout": str(drain_seconds(cfg, route)),
                f"{ANNOTATION}rewrite-rule-set": XFF_REWRITE,
            }
            if certificate:
                annotations[f"{ANNOTATION}appgw-ssl-certificate"] = certificate
                annotations[f"{ANNOTATION}ssl-redirect"] = "true" if redirect else "false"
            paths = [{"path": p.path, "pathType": p.path_type, "backend": {"service": {
                "name": backend.service, "port": {"number": backend.port}}}}
                for p in route_paths(route)]
            rule: dict[str, Any] = {"http": {"paths": paths}}
            if host.host != "*":
                rule["host"] = host.host
            objs.append(obj(
                "networking.k8s.io/v1", "Ingress",
                ingress_name(cfg.name, host.host, route.name), backend.namespace,
                labels={**MANAGED_BY, "app.kubernetes.io/part-of": cfg.name},
                annotations=annotations,
                spec={"ingressClassName": agw.ingress_class, "rules": [rule]},
            ))
    return objs
