"""Every object of a stack, by section, checked as `istioctl analyze` would before deploy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingresslib.analysis import Finding, analyze
from ingresslib.config.stack import StackConfig
from ingresslib.errors import ConfigError, Problem
from ingresslib.manifests.gateway import GatewayOptions, gateway_objects
from ingresslib.manifests.meta import selector_labels
from ingresslib.manifests.ratelimit import ratelimit_objects
from ingresslib.manifests.routing import routing_objects
from ingresslib.manifests.security import security_objects

Manifest = dict[str, Any]


@dataclass(frozen=True)
class StackManifests:
    """The rendered objects of each component of an IngressStack."""

    gateway: list[Manifest]
    routing: list[Manifest]
    security: list[Manifest]
    rate_limits: list[Manifest]

    def all(self) -> list[Manifest]:
        return [*self.gateway, *self.routing, *self.security, *self.rate_limits]


def security_manifests(cfg: StackConfig) -> list[Manifest]:
    if cfg.security is None:
        return []
    wl = cfg.workload
    return security_objects(
        cfg.security,
        stack=cfg.name,
        topology=cfg.topology,
        gateway_namespace=wl.namespace if wl else None,
        gateway_selector=selector_labels(wl) if wl else None,
        external_traffic_policy=wl.service.external_traffic_policy if wl else None,
        proxy_protocol=cfg.proxy_protocol(),
    )


def stack_manifests(cfg: StackConfig) -> StackManifests:
    wl = cfg.workload
    return StackManifests(
        gateway=gateway_objects(wl, GatewayOptions.for_stack(cfg)) if wl else [],
        routing=routing_objects(cfg),
        security=security_manifests(cfg),
        rate_limits=rate_limit_manifests(cfg),
    )


def rate_limit_manifests(cfg: StackConfig) -> list[Manifest]:
    wl = cfg.workload
    if wl is None:
        return []
    return ratelimit_objects(
        cfg.rate_limits,
        stack=cfg.name,
        gateway_namespace=wl.namespace,
        gateway_selector=selector_labels(wl),
        revision=wl.revision,
    )


def check(cfg: StackConfig, objects: list[Manifest]) -> list[Finding]:
    """Analyse the objects; raise ConfigError on any error, return the warnings."""
    wl = cfg.workload
    credentials = (
        {(wl.namespace, cfg.credential_name(key)) for key in cfg.certificates} if wl else set()
    )
    findings = analyze(objects, credentials=credentials)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise ConfigError(
            [Problem(f"{f.ref} {f.field}", f.code, f.message) for f in errors],
            "rendered objects",
        )
    return findings
