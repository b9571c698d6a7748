"""Every object of a stack, by section, checked as `istioctl analyze` would before deploy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingresslib.analysis import Finding, analyze
from ingresslib.config.azure import uses_addon
from ingresslib.config.certificates import CertManagerCertificate, terminates_in_cluster
from ingresslib.config.stack import StackConfig
from ingresslib.errors import ConfigError, Problem
from ingresslib.manifests.addon_gateway import addon_service, addon_service_patch
from ingresslib.manifests.agic_ingress import ingress_objects
from ingresslib.manifests.certificate_sync import certificate_sync_objects
from ingresslib.manifests.certificates import certificate_objects
from ingresslib.manifests.gateway import GatewayOptions, gateway_objects
from ingresslib.manifests.meta import selector_labels
from ingresslib.manifests.monitoring import monitoring_objects
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
    certificates: list[Manifest]
    monitoring: list[Manifest]
    # AKS: the add-on gateway's Service patch, AGIC's Ingresses, the Key Vault certificate sync.
    service_patch: list[Manifest] = field(default_factory=list)
    ingresses: list[Manifest] = field(default_factory=list)
    certificate_sync: list[Manifest] = field(default_factory=list)

    def all(self) -> list[Manifest]:
        return [*self.gateway, *self.certificates, *self.routing, *self.security,
                *self.rate_limits, *self.monitoring, *self.service_patch, *self.ingresses,
                *self.certificate_sync]


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
    addon = uses_addon(cfg)
    return StackManifests(
        gateway=gateway_objects(wl, GatewayOptions.for_stack(cfg)) if wl and not addon else [],
        routing=routing_objects(cfg),
        security=security_manifests(cfg),
        rate_limits=rate_limit_manifests(cfg),
        certificates=certificate_objects(cfg),
        monitoring=monitoring_manifests(cfg),
        service_patch=[addon_service_patch(cfg)] if addon else [],
        ingresses=ingress_objects(cfg),
        certificate_sync=certificate_sync_objects(cfg),
    )


def gateway_deployment(cfg: StackConfig) -> str:
    """The gateway Deployment's (and HPA's) name: the add-on suffixes its revision."""
    wl = cfg.workload
    assert wl is not None
    if uses_addon(cfg):
        assert cfg.azure is not None
        assert cfg.azure.istio_addon is not None
        return f"{wl.name}-{cfg.azure.istio_addon.revision}"
    return wl.name


def monitoring_manifests(cfg: StackConfig) -> list[Manifest]:
    wl = cfg.workload
    if wl is None:
        return []
    return monitoring_objects(
        cfg.observability,
        stack=cfg.name,
        namespace=wl.namespace,
        selector=selector_labels(wl),
        min_replicas=wl.min_running(),
        max_replicas=wl.autoscaling.max_replicas,
        deployment=gateway_deployment(cfg),
        hpa=gateway_deployment(cfg) if wl.autoscaling.enabled else None,
        canary_revision=wl.upgrade.revision if wl.upgrade else None,
        cert_manager_certificates=[
            (wl.namespace, cfg.credential_name(key))
            for key, cert in sorted(cfg.certificates.items())
            if isinstance(cert, CertManagerCertificate)
        ],
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
    credentials = {
        (wl.namespace, cfg.credential_name(key))
        for key, cert in cfg.certificates.items()
        if terminates_in_cluster(cert, cfg.cloud, cfg.topology)
    } if wl else set()
    # The add-on's own Service selects its gateway pods, though ingresslib only patches it.
    known = [addon_service(cfg)] if uses_addon(cfg) else []
    findings = analyze([*objects, *known], credentials=credentials)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise ConfigError(
            [Problem(f"{f.ref} {f.field}", f.code, f.message) for f in errors],
            "rendered objects",
        )
    return findings
