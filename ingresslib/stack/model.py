"""StackConfig: the cloud-agnostic sections, each cloud's section, and the stack's edge plan.

Validation is one pipeline, run when a StackConfig is built, before any resource exists:

1. placement (`ingresslib.config.placement`): a section the stack's cloud or topology does not
   use, instead of anything inside it; a section of the other cloud (`azure:` on an eks
   stack) alone, one its topology does not use (`aws.alb` in topology gateway) first, beside
   the problems of the rest, which `parse_config` checks without it;
2. field rules (pydantic: types, ranges, unknown keys), all together;
3. once every field is valid, the cross-field rules, all together: among the cloud-agnostic
   sections (`StackSpec.problems`), the cloud's edge rules (`ingresslib.aws.rules`,
   `ingresslib.azure.rules`), and the rules of the edge plan both halves of the hop share
   (`edge_problems`);
4. after rendering, the analysis of the objects (`ingresslib.stack.render.check`).

Each step runs only when the one before found nothing (but for a section its topology does not
use), and each problem is reported once.
"""

from __future__ import annotations

# ruff: noqa: PLC0415 - each cloud's planner and rules, Gateway API's renderers and the rule
# tables load for the stacks (and the listing) that use them
import sys
from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import Field, ValidationError, model_validator

from ingresslib.aws.certificate import AcmCertificate
from ingresslib.azure.certificate import KeyVaultCertificate
from ingresslib.azure.products import uses_addon, uses_agc
from ingresslib.config.base import DnsLabel, Section
from ingresslib.config.certificates import (
    CertManagerCertificate,
    ExistingSecret,
    SelfSignedCertificate,
)
from ingresslib.config.duration import duration_ns
from ingresslib.config.edge_interactions import edge_interaction_problems
from ingresslib.config.interactions import interaction_problems
from ingresslib.config.listeners import host_covers
from ingresslib.config.placement import ends_validation, misplaced_sections, without
from ingresslib.config.security import security_problems
from ingresslib.config.stack import Cloud, StackSpec
from ingresslib.config.workload import GatewayWorkload
from ingresslib.deferred import DeferredModel
from ingresslib.edge import CORE_RULES, INTERACTION_RULES, EdgePlan, EdgeRule, Timeouts
from ingresslib.errors import ConfigError, Problem, caller_location, suppressed_by
from ingresslib.stack.routing import checked_routing_manifests, forget_checked_routing
from ingresslib.yaml_source import parse_yaml

if TYPE_CHECKING:
    import pulumi

    from ingresslib.aws.config import Aws
    from ingresslib.azure.config import Azure
else:
    # Each cloud's section model loads with the first config that sets it: a stack of the other
    # cloud never imports it (`ingresslib.deferred`).
    Aws = DeferredModel("ingresslib.aws.config", "Aws")
    Azure = DeferredModel("ingresslib.azure.config", "Azure")

CertificateSource = Annotated[
    SelfSignedCertificate
    | ExistingSecret
    | CertManagerCertificate
    | AcmCertificate
    | KeyVaultCertificate,
    Field(discriminator="source"),
]


class StackConfig(StackSpec):
    """An ingress stack for one cluster: the cloud-agnostic sections, `aws` (eks) or `azure`
    (aks), and, derived once, the edge plan both sides of the load balancer hop follow.

    Building it runs the whole validation pipeline (module docstring); an invalid config
    raises ConfigError and never reaches Pulumi.
    """

    certificates: dict[DnsLabel, CertificateSource] = {}
    """TLS certificates by name (a DNS-1123 label); a listener's `tls.certificate` names one.
    `source` decides where it comes from and where TLS ends."""
    azure: Annotated[Azure | None, Section()] = None
    """Azure settings; required with cloud aks, refused with eks."""
    aws: Annotated[Aws | None, Section()] = None
    """AWS settings (NLB, ALB, Route53); refused with cloud aks."""

    @cached_property
    def edge(self) -> EdgePlan:
        """The contract between the cloud load balancer and the gateway, from the cloud's
        planner (`ingresslib.aws.edge_plan`, `ingresslib.azure.edge_plan`)."""
        if self.cloud == "eks":
            from ingresslib.aws.edge_plan import eks_edge_plan as plan
        else:
            from ingresslib.azure.edge_plan import aks_edge_plan as plan
        built = plan(self, prometheus_scrape=self.observability.prometheus_scrape)
        return replace(built, rules=(*built.rules, *self._interaction_rules()))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False
                   ) -> Self:
        """pydantic's `model_copy`; with `update`, the copy plans its edge again from its own
        fields instead of carrying the original's plan. (pydantic copies a cached property's
        value as it copies the fields, so a copy with another topology or load balancer would
        render the original's edge: pydantic/pydantic#11428, #11955.) Like pydantic's, the
        copy is not validated: `replace(...)` (`Model.replace`) validates a changed
        config."""
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy.__dict__.pop("edge", None)
        return copy

    def __copy__(self) -> Self:
        """A shallow copy (`copy.copy`, `model_copy`) that renders its own routing: without
        the objects this config's validation kept for its own first render
        (`ingresslib.stack.routing`), which both renders would otherwise share."""
        copy = super().__copy__()
        forget_checked_routing(copy)
        return copy

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        """A deep copy (`copy.deepcopy`, `model_copy(deep=True)`), without the objects this
        config's validation kept for its own first render: the copy renders its own."""
        copy = super().__deepcopy__(memo)
        forget_checked_routing(copy)
        return copy

    def _interaction_rules(self) -> Iterator[EdgeRule]:
        """The interaction rules of settings this stack uses, listed with its edge rules
        (edge.md): long-lived routes (EDGE-TO-LONG), a global rate limit (EDGE-RL-FAIL)."""
        if any(r.long_lived for h in self.routing.hosts for r in h.routes):
            yield INTERACTION_RULES["EDGE-TO-LONG"]
        if self.rate_limits.global_ is not None:
            yield INTERACTION_RULES["EDGE-RL-FAIL"]

    def deployed_gateway(self) -> GatewayWorkload:
        """The gateway as the edge plan deploys it (its drain settled against the load
        balancer); the section as written where ingresslib deploys none (the AKS Istio add-on's
        gateway, of which it takes only `service`)."""
        plan = self.edge
        if plan.deploys_gateway and plan.workload is not None:
            return plan.workload
        return super().deployed_gateway()

    @property
    def workload(self) -> GatewayWorkload | None:
        """The gateway as the edge plan deploys or binds to it (None in standalone)."""
        return self.edge.workload

    def summary(self) -> dict[str, Any]:
        """What no rendered object says about the stack (cloud, topology, edge listeners):
        the IngressStack component's inputs, so offline tools can read them from a render."""
        wl = self.workload
        return {
            "name": self.name,
            "cloud": self.cloud,
            "topology": self.topology,
            "scheme": self.load_balancer.scheme,
            "gateway": f"{wl.namespace}/{wl.name}" if wl else None,
            "listeners": [f"{lst.name} :{lst.port} {lst.protocol} {', '.join(lst.hosts)}"
                          for lst in self.listeners],
            "edge": self.edge.summary(),
        }

    @model_validator(mode="before")
    @classmethod
    def _placement(cls, data: Any) -> Any:
        """Sections this stack's cloud or topology does not use are reported first, and
        nothing inside them (`ingresslib.config.placement`). `parse_config` goes on to check
        the rest of a config without them (unless one is the other cloud's); validating the
        model directly stops here."""
        misplaced = misplaced_sections(data)
        if misplaced:
            raise ConfigError(misplaced)
        return data

    @model_validator(mode="after")
    def _pipeline(self) -> StackConfig:
        once: dict[tuple[str, str, str], Problem] = {}
        found = [*self.problems(""), *self._edge_rules()]
        # A name that refers to nothing is one problem: what the rules conclude about the
        # section holding it follows from it, and is left out.
        suppressed = suppressed_by([p for p in found if p.dangling])
        for p in found:
            if not suppressed(p):
                once.setdefault((p.path, p.message, repr(p.value)), p)
        problems = list(once.values())
        if problems:
            raise ConfigError(problems)
        return self

    def _edge_rules(self) -> Iterator[Problem]:
        yield from edge_interaction_problems(self)
        if self.cloud == "eks":
            from ingresslib.aws.rules import aws_problems as cloud_problems
        else:
            from ingresslib.azure.rules import azure_problems as cloud_problems
        yield from cloud_problems(self)
        yield from edge_problems(self)
        yield from gateway_api_problems(self)
        yield from interaction_problems(self, self.edge.workload, addon=uses_addon(self))


# AKS: the Istio add-on serves Gateway API (manual or automated deployment) from this
# revision, with the CRDs from AKS's Managed Gateway API installation, which holds the
# standard channel only (Azure, "Configure Istio ingress with the Kubernetes Gateway API").
ADDON_GATEWAY_API_REVISION = (1, 26)


def gateway_api_problems(cfg: StackConfig) -> Iterator[Problem]:
    """With `api: gatewayApi`: what Gateway API cannot say of the routing (the renderer's
    refusals, with their config paths), and what the AKS Istio add-on's gateway cannot take."""
    wl = cfg.edge.workload
    if cfg.api != "gatewayApi" or wl is None:
        return
    try:
        checked_routing_manifests(cfg, cfg.edge)
    except ConfigError as e:
        yield from e.problems
        return
    if not uses_addon(cfg):
        return
    assert cfg.azure is not None
    assert cfg.azure.istio_addon is not None
    revision = cfg.azure.istio_addon.revision
    major, minor = (int(n) for n in revision.removeprefix("asm-").split("-"))
    if (major, minor) < ADDON_GATEWAY_API_REVISION:
        yield Problem(
            "azure.istioAddon.revision", revision,
            "the AKS Istio add-on serves the Kubernetes Gateway API from revision asm-1-26; "
            "upgrade the add-on (a canary revision) before api: gatewayApi, or keep api: istio")
    if cfg.gateway_api.channel == "experimental":
        yield Problem(
            "gatewayApi.channel", "experimental",
            "the add-on's Gateway API support takes AKS's Managed Gateway API CRDs, which are "
            "the standard channel only (experimental CRDs are refused); use channel standard")
    # Each field that needs the route patches EnvoyFilter, by its own path (EDGE-API-DROP).
    from ingresslib.manifests.gateway_api.istio import patched_fields

    experimental = cfg.gateway_api.channel == "experimental"
    for i, host in enumerate(cfg.routing.hosts):
        for j, route in enumerate(host.routes):
            for name in patched_fields(cfg.routing, route, experimental):
                value = getattr(route, name)
                yield Problem(
                    f"routing.hosts[{i}].routes[{j}].{name}",
                    value.model_dump(by_alias=True, exclude_none=True)
                    if hasattr(value, "model_dump") else value,
                    "under Gateway API this needs an EnvoyFilter (HTTPRoute cannot say it: "
                    "retries other than status codes, a gRPC route's timeout), which the AKS "
                    "Istio add-on does not support; keep api: istio (its VirtualServices "
                    "carry it), or remove it")


def edge_rules() -> list[EdgeRule]:
    """Every edge rule, by code: the ones all clouds share, each cloud's, the rules of changes
    and of the translation between the routing APIs, and the rules of settings that break
    together (`ingresslib.edge.INTERACTION_RULES`, each cloud's, and ING-IX:
    `ingresslib.config.interactions`)."""
    from ingresslib.aws.edge_plan import RULES as AWS_RULES
    from ingresslib.aws.interaction_rules import RULES as AWS_INTERACTION_RULES
    from ingresslib.azure.agc.edge_plan import RULES as AGC_RULES
    from ingresslib.azure.edge_plan import RULES as AZURE_RULES
    from ingresslib.azure.interaction_rules import RULES as AZURE_INTERACTION_RULES
    from ingresslib.config.interaction_rules import RULES as IX_RULES
    from ingresslib.translation_rules import TRANSLATION_RULES
    from ingresslib.update_rules import UPDATE_RULES

    rules = {**CORE_RULES, **AWS_RULES, **AZURE_RULES, **AGC_RULES, **UPDATE_RULES,
             **TRANSLATION_RULES, **INTERACTION_RULES, **AWS_INTERACTION_RULES,
             **AZURE_INTERACTION_RULES,
             **{code: EdgeRule(code, statement, source)
                for code, (statement, source) in IX_RULES.items()}}
    return [rules[code] for code in sorted(rules)]


def edge_problems(cfg: StackConfig) -> Iterator[Problem]:
    """Rules of the gateway's half of the hop, against the edge plan: its own settings (when
    ingresslib deploys it), the Service type the load balancer needs, a drain that outlasts
    what the load balancer keeps sending, and policies that depend on how the client address
    arrives."""
    plan = cfg.edge
    wl = plan.workload
    yield from _l7_certificate_problems(cfg)
    yield from _route_timeout_problems(cfg, plan)
    if wl is not None and plan.gateway is not None:
        if plan.deploys_gateway:
            drain = wl.drain.termination_drain_seconds
            needed = plan.drain_needed_seconds
            if drain <= needed:
                yield Problem(
                    "gateway.drain.terminationDrainSeconds",
                    drain,
                    f"must outlast {plan.drain_reason}, or the load balancer still sends to a "
                    f"closed Envoy; use at least {needed + 5} ({_code(plan, 'EDGE-DR')})",
                )
        yield from _idle_problems(cfg, plan)
        yield from _service_problems(cfg, wl, plan.gateway.service_type)
    if cfg.security is not None:
        yield from security_problems(
            cfg.security,
            cfg.topology,
            external_traffic_policy=wl.service.external_traffic_policy if wl else None,
            proxy_protocol=plan.gateway.proxy_protocol if plan.gateway else False,
        )


def _code(plan: EdgePlan, prefix: str) -> str:
    """The code of the plan's rule that starts with `prefix`."""
    return next((r.code for r in plan.rules if r.code.startswith(prefix)), prefix)


def _idle_problems(cfg: StackConfig, plan: EdgePlan) -> Iterator[Problem]:
    """Envoy's idle timeout nests with the load balancer's: shorter behind one that drops idle
    flows, longer behind one that reuses idle connections."""
    t = plan.timeouts
    wl = plan.workload
    if t is None or wl is None:
        return
    given = wl.idle_timeout is not None and plan.deploys_gateway
    path = "gateway.idleTimeout" if given else (t.idle_setting or "gateway.idleTimeout")
    value: Any = wl.idle_timeout if given else t.load_balancer_idle_seconds
    code = t.idle_rule
    if not plan.deploys_gateway and t.idle_setting:
        # Envoy's idle timeout is not ingresslib's to set (the AKS Istio add-on's gateway):
        # the load balancer's own setting moves, in its own unit.
        yield from _fixed_envoy_idle_problems(plan, t)
        return
    if t.pooling and t.envoy_idle_seconds <= t.load_balancer_idle_seconds:
        yield Problem(path, value,
                      f"{plan.load_balancer} reuses idle connections for "
                      f"{t.load_balancer_idle_seconds} s, so Envoy must keep them longer or "
                      "requests meet a closed connection (502); use at least "
                      f"{t.load_balancer_idle_seconds + 1}s ({code})")
    if not t.pooling and t.envoy_idle_seconds >= t.load_balancer_idle_seconds:
        yield Problem(path, value,
                      f"{plan.load_balancer} forgets a flow idle for "
                      f"{t.load_balancer_idle_seconds} s without telling Envoy (Envoy's idle "
                      f"timeout is {t.envoy_idle_seconds} s), so the next request on it "
                      f"fails; Envoy must close first: use at most "
                      f"{t.load_balancer_idle_seconds - 1}s ({code})")


def _fixed_envoy_idle_problems(plan: EdgePlan, t: Timeouts) -> Iterator[Problem]:
    """The idle nesting when Envoy's idle timeout is fixed: the fix is the load balancer's
    idle setting (`t.idle_setting`), stated in its unit (minutes or seconds)."""
    minutes = t.idle_setting.endswith("Minutes")
    unit = 60 if minutes else 1
    value = t.load_balancer_idle_seconds // unit
    envoy, lb = t.envoy_idle_seconds, t.load_balancer_idle_seconds
    word = "minutes" if minutes else "seconds"
    if not t.pooling and envoy >= lb:
        yield Problem(t.idle_setting, value,
                      f"{plan.load_balancer} forgets a flow idle for {lb} s without telling "
                      f"Envoy, whose idle timeout is {envoy} s on a gateway ingresslib does "
                      "not deploy (it cannot change it), so the next request on that flow "
                      f"fails; the load balancer must wait longer: set at least "
                      f"{envoy // unit + 1} ({word}) ({t.idle_rule})")
    if t.pooling and envoy <= lb:
        yield Problem(t.idle_setting, value,
                      f"{plan.load_balancer} reuses idle connections for {lb} s, longer than "
                      f"Envoy's {envoy} s on a gateway ingresslib does not deploy (it cannot "
                      "change it), so requests meet a closed connection (502); set at most "
                      f"{(envoy - 1) // unit} ({word}) ({t.idle_rule})")


def _route_timeout_problems(cfg: StackConfig, plan: EdgePlan) -> Iterator[Problem]:
    """A route timeout longer than the load balancer in front waits for a response can never
    be reached: the load balancer gives up first. A `longLived` route's timeout is the
    longest its connections last (EDGE-TO-LONG): a load balancer whose wait ends whole
    connections waits it on the route's host, and needs it; one that ends idle connections
    only carries it however long."""
    t = plan.timeouts
    if t is None:
        return
    by = t.response_by or plan.load_balancer
    setting = f" ({t.response_setting})" if t.response_setting else ""
    for i, host in enumerate(cfg.routing.hosts):
        for j, route in enumerate(host.routes):
            at = f"routing.hosts[{i}].routes[{j}].timeout"
            seconds = duration_ns(route.timeout) / 10**9 if route.timeout else None
            if route.long_lived:
                if not t.response_ends_sessions:
                    continue
                if seconds is None:
                    yield Problem(at, None, f"{by} ends a long-lived connection (an upgraded "
                                  f"WebSocket too) after its wait of {t.response_seconds} s"
                                  f"{setting}, however busy: set "
                                  "this route's timeout to the longest a connection may last, "
                                  "and ingresslib sets that wait on its host (EDGE-TO-LONG)")
                elif t.response_max_seconds and seconds > t.response_max_seconds:
                    yield Problem(at, route.timeout, f"{by} waits at most "
                                  f"{t.response_max_seconds} s, and ends a long-lived "
                                  "connection then; use at most "
                                  f"{t.response_max_seconds}s (EDGE-TO-LONG)")
                continue
            limit = _rate_limit_seconds(cfg, host.host)
            if seconds is not None and limit and (
                    seconds <= t.response_seconds < seconds + limit):
                yield Problem(at, route.timeout,
                              f"the gateway first asks the ratelimit service, waiting up to "
                              f"rateLimits.global.timeout ({limit * 1000:g} ms), so a request "
                              f"may take longer than {by}'s wait of {t.response_seconds} s"
                              f"{setting}, which answers the client first; use at most "
                              f"{t.response_seconds - limit:g}s (EDGE-RL-FAIL)")
            if seconds is not None and seconds > t.response_seconds:
                raise_it = (f"raise {t.response_setting}" if t.response_setting
                            else "raise the load balancer's")
                waits = (f"waits at most {t.response_seconds} s for a response{setting}"
                         if t.response_ends_sessions else
                         f"ends a connection idle for {t.response_seconds} s{setting}, as a "
                         "request waiting on its response is")
                yield Problem(at, route.timeout,
                              f"{by} {waits}, so this timeout is never reached; use at most "
                              f"{t.response_seconds}s or {raise_it}; for WebSocket, "
                              "server-sent events or other long-lived connections set "
                              f"longLived: true on the route ({t.response_rule}, EDGE-TO-LONG)")


def _rate_limit_seconds(cfg: StackConfig, host: str) -> float:
    """How long a request for routing host `host` may wait for the global rate limit's
    service before its route starts (Envoy's route timeout starts after it): the limit's
    timeout where a descriptor applies to the host, else 0."""
    glob = cfg.rate_limits.global_
    if glob is None or not any(
            not d.hosts or any(host_covers(h, host) or host_covers(host, h) for h in d.hosts)
            for d in glob.descriptors):
        return 0
    return duration_ns(glob.timeout) / 10**9


# The L7 load balancer of chained and standalone, and the certificate source it reads.
L7_LOAD_BALANCERS = {"eks": ("the ALB", "acm"), "aks": ("Application Gateway", "keyVault")}


def _l7_certificate_problems(cfg: StackConfig) -> Iterator[Problem]:
    """In chained and standalone the cloud's L7 load balancer terminates TLS: a listener's
    certificate must be one it reads, not one the cluster holds. Application Gateway for
    Containers reads Secrets from the cluster: its own rules check them (EDGE-TLS-AGC)."""
    if cfg.topology == "gateway" or uses_agc(cfg):
        return
    lb, source = L7_LOAD_BALANCERS[cfg.cloud]
    for i, lst in enumerate(cfg.listeners):
        cert = cfg.certificates.get(lst.tls.certificate or "") if lst.tls else None
        if cert is not None and cert.CLOUD in (None, cfg.cloud) and (
                cert.terminates_in_cluster(cfg.topology)):
            yield Problem(f"listeners[{i}].tls.certificate", cert.source,
                          f"in topology {cfg.topology} {lb} terminates TLS and reads "
                          f"certificates from {source}, not from the cluster; use a {source} "
                          "source")


def _service_problems(cfg: StackConfig, wl: GatewayWorkload, service_type: str
                      ) -> Iterator[Problem]:
    svc = wl.service
    why = "set in gateway.service.type" if svc.type else (
        f"the default for {cfg.cloud} {cfg.topology}"
    )
    yield from svc.type_problems("gateway.service", service_type, why)
    if cfg.topology == "gateway" and svc.type not in (None, "LoadBalancer"):
        yield Problem(
            "gateway.service.type",
            svc.type,
            "in topology gateway the Service is the cloud load balancer; use LoadBalancer "
            "or choose topology chained",
        )
    if service_type != "LoadBalancer" and cfg.load_balancer.scheme == "internal" and (
        cfg.topology == "gateway"
    ):
        yield Problem("loadBalancer.scheme", "internal", "needs a LoadBalancer Service")


def parse_config(
    data: Mapping[str, Any] | str | pulumi.Config | None, source: str = "config"
) -> StackConfig:
    """Validate a config into a StackConfig: plain data (a dict, as Pulumi's structured config
    gives it), YAML text of the same, or a `pulumi.Config` whose `stack` key holds it
    (`pulumi.Config("ingress")` reads `ingress:stack`, named so in errors).

    Raises ConfigError listing every problem, with field paths in the user's spelling and list
    items by name. Sections on a stack they do not belong to come first, alone for their part;
    a section of the other cloud alone (pipeline step 1). Called from a program, each problem
    is located at the program's line that called it (YAML text's own syntax errors and
    duplicate keys at their line and column in the text, as a stack file's are).
    """
    where = caller_location(direct=True)
    try:
        return _parsed(data, source)
    except ConfigError as e:
        raise (e.located(lambda _: where) if where else e) from None


def _parsed(data: Mapping[str, Any] | str | pulumi.Config | None, source: str) -> StackConfig:
    # Only a program that imported Pulumi can pass a pulumi.Config: `validate` never loads it.
    sdk = sys.modules.get("pulumi")
    if sdk is not None and isinstance(data, sdk.Config):
        source = f"{data.name}:{CONFIG_KEY}"
        data = data.get_object(CONFIG_KEY)
    elif isinstance(data, str):
        data, _ = parse_yaml(data, f"{source} text")
    if data is not None and not isinstance(data, Mapping):
        raise ConfigError([Problem("<root>", data, "must be a mapping of config keys "
                                   "(cloud, listeners, ...)")], source)
    data = data or {}
    misplaced = misplaced_sections(data)
    if ends_validation(misplaced):
        raise ConfigError(misplaced, source).named(data)
    try:
        config = StackConfig.model_validate(without(data, misplaced))
    except ValidationError as e:
        problems = ConfigError.from_validation(e, data, source, StackConfig).problems
    except ConfigError as e:
        problems = e.problems
    else:
        problems = []
    if misplaced or problems:
        raise ConfigError([*misplaced, *problems], source).named(data) from None
    return config


CONFIG_NAMESPACE = "ingress"
CONFIG_KEY = "stack"


def load_config(cloud: Cloud | None = None) -> StackConfig:
    """Read `ingress:stack` from the current Pulumi stack's structured config.

    `cloud` is the cloud the calling program is written for; a config for the other is refused.
    On EKS the ARNs the stack names are checked against the stack's `aws:region` when set
    (EDGE-AWS-REGION).
    """
    import pulumi  # validate reads the stack file without it: config_from

    return config_from(pulumi.Config(CONFIG_NAMESPACE).get_object(CONFIG_KEY), cloud,
                       aws_region=pulumi.Config("aws").get("region"))


def config_from(data: Any, cloud: Cloud | None = None, *, aws_region: str | None = None
                ) -> StackConfig:
    """`load_config` of `data`, the value of `ingress:stack` as `pulumi.Config.get_object`
    gives it (None when unset), and `aws_region` the stack's `aws:region` (None when unset)."""
    source = f"{CONFIG_NAMESPACE}:{CONFIG_KEY}"
    if not data:
        raise ConfigError(
            [Problem(source, data, "missing or empty; set it in Pulumi.<stack>.yaml under config")],
            source,
        )
    config = parse_config(data, source)
    if cloud is not None and config.cloud != cloud:
        raise ConfigError(
            [Problem("cloud", config.cloud, f"this program deploys to {cloud}; use {cloud}")],
            source,
        )
    if aws_region and config.cloud == "eks":
        from ingresslib.aws.rules import region_problems

        if problems := list(region_problems(config, aws_region)):
            raise ConfigError(problems, source).named(data)
    return config
