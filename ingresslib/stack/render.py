"""Every object of a stack, by section, checked as `istioctl analyze` would before deploy."""

from __future__ import annotations

# ruff: noqa: PLC0415 - Azure's and Gateway API's modules load for the stacks that use them
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ingresslib.analysis import Finding, analyze
from ingresslib.azure.products import uses_addon, uses_agc
from ingresslib.config.acme import http01_hosts
from ingresslib.config.listeners import host_covers
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import ABSENT, RENDERED, ConfigError, Problem
from ingresslib.manifests.certificates import (
    cert_manager_secrets,
    certificate_objects,
)
from ingresslib.manifests.gateway import gateway_objects
from ingresslib.manifests.monitoring import monitoring_objects
from ingresslib.manifests.ratelimit import ratelimit_objects
from ingresslib.manifests.security import security_objects
from ingresslib.manifests.virtual_service import host_slug
from ingresslib.stack.contract import contract_problems
from ingresslib.stack.model import StackConfig
from ingresslib.stack.routing import stack_routing_manifests

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
    # AKS: the add-on gateway's Service patch, AGIC's Ingresses, the Key Vault certificate sync,
    # the objects that program Application Gateway for Containers.
    service_patch: list[Manifest] = field(default_factory=list)
    ingresses: list[Manifest] = field(default_factory=list)
    certificate_sync: list[Manifest] = field(default_factory=list)
    agc: list[Manifest] = field(default_factory=list)

    def all(self) -> list[Manifest]:
        return [*self.gateway, *self.certificates, *self.routing, *self.security,
                *self.rate_limits, *self.monitoring, *self.service_patch, *self.ingresses,
                *self.certificate_sync, *self.agc]


def stack_manifests(cfg: StackConfig) -> StackManifests:
    """Every object of the stack from its config and edge plan, by the component that owns
    it: the Istio core's sections and, on AKS, the add-on patch, AGIC's Ingresses and the
    Key Vault certificate sync."""
    plan = cfg.edge
    wl = plan.workload
    if wl is None or plan.gateway is None:
        core = StackManifests([], [], _security(cfg), [], [], [])
    else:
        core = StackManifests(
            gateway=gateway_objects(wl, plan.gateway) if plan.deploys_gateway else [],
            routing=stack_routing_manifests(cfg, plan),
            security=_security(cfg),
            rate_limits=ratelimit_objects(cfg.rate_limits, wl, stack=cfg.name),
            certificates=certificate_objects(cfg.certificates, cfg.cert_manager, wl.namespace,
                                             http01_parent_refs=http01_parent_refs(cfg, wl)),
            monitoring=monitoring_objects(
                cfg.observability, wl, stack=cfg.name, deployment=gateway_deployment(cfg, wl),
                cert_manager_certificates=cert_manager_secrets(cfg.certificates, wl.namespace)),
        )
    if cfg.cloud != "aks":
        return core
    return _with_aks_objects(cfg, core)


def _with_aks_objects(cfg: StackConfig, core: StackManifests) -> StackManifests:
    """The core's objects and AKS's own: the add-on gateway's Service patch, AGIC's Ingresses,
    the Key Vault certificate sync and the objects that program AGC. Azure's render modules
    load here, for AKS stacks only."""
    from ingresslib.azure.addon_gateway_plan import addon_service_patch
    from ingresslib.azure.agc.manifests import agc_objects
    from ingresslib.azure.agic.ingresses import ingress_objects
    from ingresslib.azure.certificate_sync_plan import certificate_sync_objects

    plan = cfg.edge
    return replace(
        core,
        service_patch=[] if plan.deploys_gateway or plan.workload is None
        else [addon_service_patch(cfg)],
        ingresses=ingress_objects(cfg),
        certificate_sync=certificate_sync_objects(cfg),
        agc=agc_objects(cfg),
    )


def http01_parent_refs(cfg: StackConfig, wl: GatewayWorkload) -> list[Manifest] | None:
    """With `api: gatewayApi`, the port-80 Gateway listeners serving a host an HTTP-01
    certificate names: cert-manager's solver attaches its HTTPRoute there, and its exact
    challenge path outranks the listener's redirect (ING-IX-ACME-REDIRECT)."""
    if cfg.api != "gatewayApi":
        return None
    from ingresslib.manifests.gateway_api.routes import listener_sections

    names = http01_hosts(cfg)
    refs = [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": cfg.name,
             "namespace": wl.namespace, "sectionName": section}
            for lst in cfg.listeners if lst.port == 80 and lst.protocol == "HTTP"
            for host, section in listener_sections(lst)
            if any(host is None or host_covers(host, n) for n in names)]
    return refs or None


def _security(cfg: StackConfig) -> list[Manifest]:
    if cfg.security is None:
        return []
    plan = cfg.edge
    return security_objects(
        cfg.security, plan.workload, stack=cfg.name, topology=cfg.topology,
        proxy_protocol=plan.gateway.proxy_protocol if plan.gateway else False)


def gateway_deployment(cfg: StackConfig, wl: GatewayWorkload) -> str:
    """The gateway Deployment's (and HPA's) name: the add-on suffixes its revision."""
    if cfg.azure is not None and cfg.azure.istio_addon is not None and uses_addon(cfg):
        return f"{wl.name}-{cfg.azure.istio_addon.revision}"
    return wl.name


def check(cfg: StackConfig, objects: list[Manifest]) -> list[Finding]:
    """Analyse the objects; raise ConfigError on any error, return the warnings."""
    wl = cfg.workload
    secrets = {
        (wl.namespace, cert.credential_name(key))
        for key, cert in cfg.certificates.items()
        if cert.terminates_in_cluster(cfg.topology)
    } if wl else set()
    known, agc_contract, agc_secrets = _aks_read_back(cfg, objects)
    contract = [*contract_problems(cfg.edge, objects), *agc_contract]
    if contract:
        raise ConfigError(contract, RENDERED)
    findings = analyze([*objects, *known], credentials=secrets)
    if cfg.api == "gatewayApi" or uses_agc(cfg):
        from ingresslib.gateway_api_analysis import analyze_gateway_api

        # Application Gateway for Containers is programmed through Gateway API whatever the
        # Istio side's API: its Gateway reads the listeners' Secrets in its own namespace.
        findings += analyze_gateway_api(
            [*objects, *known], credentials=secrets | agc_secrets,
            known_services={(b.namespace, b.service) for b in cfg.routing.backends.values()})
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        by_ref = {f"{o['kind']}/{o['metadata'].get('namespace', '')}/{o['metadata']['name']}": o
                  for o in objects}
        raise ConfigError([finding_problem(cfg, f, by_ref.get(f.ref)) for f in errors],
                          RENDERED)
    return findings


def _aks_read_back(cfg: StackConfig, objects: list[Manifest]
                   ) -> tuple[list[Manifest], list[Problem], set[tuple[str, str]]]:
    """What an AKS stack adds to the analysis: the add-on's own Service, which selects its
    gateway pods though ingresslib only patches it; the AGC objects read back against the
    plan; the (namespace, Secret) pairs AGC's Gateway reads. Nothing on EKS."""
    if cfg.cloud != "aks":
        return [], [], set()
    from ingresslib.azure.addon_gateway_plan import addon_service
    from ingresslib.azure.agc.manifests import agc_contract_problems, agc_credentials

    known = [addon_service(cfg)] if uses_addon(cfg) else []
    return known, list(agc_contract_problems(cfg, objects)), agc_credentials(cfg)


def finding_problem(cfg: StackConfig, finding: Finding, obj: Manifest | None = None
                    ) -> Problem:
    """A finding of the analysis as the user's config names it: the host, route, listener or
    backend it was rendered from (by name), the rendered object and field in the message.
    `obj` is the rendered object the finding is about: a Gateway API route's rule names the
    route it was rendered from."""
    path = _config_path(cfg, finding.ref, finding.field, obj)
    where = f"{finding.ref} {finding.field}"
    if path is None:
        return Problem(where, ABSENT, finding.message, code=finding.code)
    return Problem(path, ABSENT, f"{finding.message} (rendered as {where})", code=finding.code)


def _config_path(cfg: StackConfig, ref: str, field: str, obj: Manifest | None = None
                 ) -> str | None:
    """The config path an object's field was rendered from, or None (objects the config did
    not describe one by one)."""
    wl = cfg.workload
    if wl is None:
        return None
    kind, _, name = ref.partition("/")
    name = name.rpartition("/")[2]
    prefix = f"{cfg.name}-"
    if kind == "DestinationRule" and name.startswith(prefix):
        key = name.removeprefix(prefix)
        return f"routing.backends.{key}" if key in cfg.routing.backends else None
    if kind == "Gateway" and name == cfg.name:
        index = _index(field, "spec.servers[")
        listeners = cfg.listeners
        if index is not None and cfg.topology != "chained" and index < len(listeners):
            return f"listeners[{listeners[index].name}]"
        return "listeners"
    if kind in ("HTTPRoute", "GRPCRoute", "TLSRoute"):
        routes = "tlsRoutes" if kind == "TLSRoute" else "routes"
        for host in cfg.routing.hosts:
            route = f"{prefix}{host_slug(host.host)}"
            if name == route or name.startswith(f"{route}-"):
                base = f"routing.hosts[{host.host}].{routes}"
                return _rule_path(base, host.tls_routes if routes == "tlsRoutes"
                                  else host.routes, field, obj)
        return None
    if kind == "VirtualService":
        for host in cfg.routing.hosts:
            vs = f"{prefix}{host_slug(host.host)}"
            if name == vs or name.startswith(f"{vs}-"):
                base = f"routing.hosts[{host.host}]"
                index = _index(field, "spec.http[")
                if index is not None and name == vs and index < len(host.routes):
                    return f"{base}.routes[{host.routes[index].name}]"
                tls = _index(field, "spec.tls[")
                if tls is not None and tls < len(host.tls_routes):
                    return f"{base}.tlsRoutes[{tls}]"
                return f"{base}.routes" if field.startswith("spec.http") else base
    return None


def _rule_path(base: str, routes: Sequence[Any], field: str, obj: Manifest | None) -> str:
    """`base[name]` for the config route a Gateway API rule was rendered from (each rule
    carries its route's name), else `base` (a rule of no route: the HTTPS redirect)."""
    index = _index(field, "spec.rules[")
    rules = ((obj or {}).get("spec") or {}).get("rules") or []
    if index is None or index >= len(rules):
        return base
    rule = rules[index].get("name")
    return f"{base}[{rule}]" if rule in {r.name for r in routes} else base


def _index(field: str, prefix: str) -> int | None:
    if not field.startswith(prefix):
        return None
    digits = field[len(prefix):].partition("]")[0]
    return int(digits) if digits.isdigit() else None
