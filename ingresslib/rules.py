"""Every rule by its code: its one-line statement, its public source, and the functions that
enforce it. The one table a code leads through to its code.

Codes: `EDGE-...` (the hop between the load balancer and the gateway, changes, the routing APIs
and settings that break together; statements in each cloud's `RULES` and `ingresslib.edge`,
gathered by `ingresslib.stack.model.edge_rules`), `ING-IX-...` (cloud-agnostic interactions:
`ingresslib.config.interaction_rules`), and the findings of the analysis of rendered objects:
`IST...` (istioctl's own code, same meaning), `ING0...` and `GWAPI...` (this library's), whose
statements are here (`ANALYSIS_RULES`).

`ENFORCED_BY` names, for each code, the functions that refuse or report it, or that make it hold
by construction, as `module:qualname`, in pipeline order (field -> cross-field -> cloud edge
plan -> read-back -> analysis; diff for the rules of changes). The table only points: each
function stays where its value lives. `tests/test_rules.py` checks that every function exists
and names its code, and that every code the library names is here.

    python -m ingresslib.rules EDGE-DR     # statement, source, and file:line of each enforcer
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    """One rule: `code`, a one-line `statement`, its public `source`, and `enforced_by`, the
    functions that enforce it as `module:qualname` strings (resolved by `enforcers`)."""

    code: str
    statement: str
    source: str
    enforced_by: tuple[str, ...]

    def enforcers(self) -> list[Callable[..., Any]]:
        """The enforcing functions themselves (imports their modules)."""
        return [resolve(name) for name in self.enforced_by]


def resolve(name: str) -> Callable[..., Any]:
    """The function `module:qualname` names; ImportError or AttributeError when it is gone."""
    module, _, qualname = name.partition(":")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def _istio(code: str) -> str:
    return (f"Istio, istioctl analyze message {code} "
            f"(https://istio.io/latest/docs/reference/config/analysis/{code.lower()}/)")


_GWAPI_SPEC = "Gateway API specification, "

# Findings of the analysis of rendered objects: code -> (statement, source).
ANALYSIS_RULES: dict[str, tuple[str, str]] = {
    "IST0101": (
        "Every subset a route names is defined by a DestinationRule, and every Gateway a "
        "VirtualService binds exists: otherwise the route has no cluster (503) or configures "
        "nothing", _istio("IST0101")),
    "IST0130": (
        "No rule follows a catch-all rule of the same VirtualService: rules are tried in order, "
        "so it is never reached", _istio("IST0130")),
    "IST0131": (
        "No match follows an identical or catch-all match it can never win against",
        _istio("IST0131")),
    "IST0132": (
        "Every host of a VirtualService is accepted by a server of the Gateways it binds, or "
        "its routes are never reached", _istio("IST0132")),
    "IST0138": (
        "One certificate serves the hosts of one Gateway: HTTP/2 clients reuse a connection "
        "for every host the certificate names (a warning)", _istio("IST0138")),
    "IST0145": (
        "Two Gateways selecting the same pods do not claim one host on one port: one of them "
        "loses", _istio("IST0145")),
    "IST0162": (
        "Every Gateway server port is a port of the gateway Service, or nothing outside reaches "
        "the listener", _istio("IST0162")),
    "ING0001": (
        "Some Service reaches the pods a Gateway selects (a warning: a routing component used "
        "alone may be given no gateway Service)",
        "Istio, Gateway selector (the gateway pods a Service fronts); istioctl IST0162"),
    "ING0002": (
        "Every credentialName a TLS server names is provided by a certificate source, or the "
        "listener has no certificate and refuses every handshake",
        "Istio, Gateway ServerTLSSettings.credentialName"),
    "ING0003": (
        "A route's weights are not negative and not all zero (Istio rejects both and "
        "normalises other sums)", "Istio, VirtualService HTTPRouteDestination.weight"),
    "ING0004": (
        "Every rendered duration is one Istio accepts: parseable, at least 1ms, whole "
        "milliseconds", "Istio, protobuf Duration validation (ValidateDuration)"),
    "ING0005": (
        "A host with its own virtual host under a wildcard routing host says whether it "
        "inherits the wildcard's routes (inheritWildcardRoutes): Envoy never falls back to a "
        "wider virtual host, so the wildcard's routes would answer 404 there",
        "istio/istio#55475, #58396; Envoy, RouteConfiguration virtual_hosts (most specific "
        "domain wins)"),
    "GWAPI0001": (
        "Every parentRef names a rendered Gateway, and its sectionName a listener of it",
        _GWAPI_SPEC + "ParentReference (Accepted: NoMatchingParent)"),
    "GWAPI0002": (
        "A route's hostnames intersect those of the listeners it attaches to",
        _GWAPI_SPEC + "HTTPRoute hostnames (Accepted: NoMatchingListenerHostname)"),
    "GWAPI0003": (
        "Every backendRef (and mirror) names a Service the stack renders or routes to, on a "
        "port it has", _GWAPI_SPEC + "BackendRef (ResolvedRefs: BackendNotFound)"),
    "GWAPI0004": (
        "A reference into another namespace (backendRef, certificateRef) has the "
        "ReferenceGrant that permits it", _GWAPI_SPEC + "ReferenceGrant (RefNotPermitted)"),
    "GWAPI0005": (
        "Each listener a route attaches to admits the route's namespace and kind",
        _GWAPI_SPEC + "Listener allowedRoutes (NotAllowedByListeners)"),
    "GWAPI0006": (
        "A rule whose backendRefs all weigh 0 answers every request with a 500",
        _GWAPI_SPEC + "HTTPBackendRef weight"),
    "GWAPI0007": (
        "No match is shadowed by one tried before it that always takes it",
        _GWAPI_SPEC + "HTTPRouteRule matches (precedence); Istio pilot sortHTTPRoutes"),
    "GWAPI0008": (
        "Gateway API's precedence does not reorder the config's first-match order",
        _GWAPI_SPEC + "HTTPRouteRule matches (precedence); Istio pilot sortHTTPRoutes"),
    "GWAPI0009": (
        "A PathPrefix not ending in / matches whole path segments only (a warning: /api no "
        "longer takes /apix)", _GWAPI_SPEC + "HTTPPathMatch PathPrefix"),
    "GWAPI0010": (
        "The Gateway names the gateway Service in spec.addresses and listens only on its "
        "ports (else Istio deploys a gateway of its own)",
        "Istio, Gateway API manual deployment (spec.addresses naming the Service)"),
    "GWAPI0011": (
        "Every listener certificateRef names a Secret a certificate source provides",
        _GWAPI_SPEC + "GatewayTLSConfig certificateRefs (ResolvedRefs: InvalidCertificateRef)"),
    "GWAPI0012": (
        "Two Gateways bound to one Service do not listen on one port for intersecting "
        "hostnames", _GWAPI_SPEC + "Listener conflicts (Conflicted)"),
    "GWAPI0013": (
        "Two routes do not tie in precedence for one listener and hostname (creation time "
        "would decide)", _GWAPI_SPEC + "HTTPRouteRule matches (ties broken by creation time)"),
}

_A = "ingresslib.analysis:"
_G = "ingresslib.gateway_api_analysis:"
_AWS_PLAN = "ingresslib.aws.edge_plan:eks_edge_plan"
_AKS_PLAN = "ingresslib.azure.edge_plan:aks_edge_plan"
_AGC_PLAN = "ingresslib.azure.agc.edge_plan:agc_edge_plan"
_AGC_READBACK = "ingresslib.azure.agc.manifests:agc_contract_problems"
_READBACK = "ingresslib.stack.contract:contract_problems"
_AGW_READBACK = "ingresslib.azure.application_gateway.edge_contract:application_gateway_problems"
_INGRESS_READBACK = "ingresslib.azure.application_gateway.edge_contract:ingress_problems"

# code -> the functions that enforce it, in pipeline order.
ENFORCED_BY: dict[str, tuple[str, ...]] = {
    # Routing APIs and changes.
    "EDGE-API-DROP": ("ingresslib.stack.model:gateway_api_problems",),
    "EDGE-API-TLS-DR": ("ingresslib.manifests.gateway_api.routes:_backend_tls",),
    "EDGE-CH-ALB-RULES": ("ingresslib.aws.alb_rules:_rule_count_problems",),
    "EDGE-CH-ALB-TGB": ("ingresslib.offline.diff:_rebinding_steps",),
    "EDGE-CH-IMMUTABLE": ("ingresslib.offline.diff:_immutable_steps",),
    "EDGE-CH-NAMED-REPLACE": ("ingresslib.offline.diff:_named_replacement_steps",),
    "EDGE-CH-SETTING": ("ingresslib.config.stack:StackSpec.problems",),
    # Drain.
    "EDGE-DR": ("ingresslib.stack.model:edge_problems", _READBACK),
    "EDGE-DR-AGC": (_AGC_PLAN, _AGC_READBACK),
    "EDGE-DR-ALB": (_AWS_PLAN,),
    "EDGE-DR-APPGW": ("ingresslib.azure.agic.rules:_timeout_problems", _AKS_PLAN,
                      _INGRESS_READBACK),
    "EDGE-DR-AZURE-LB": (_AKS_PLAN,),
    "EDGE-DR-NLB": (_AWS_PLAN,),
    # Health checks.
    "EDGE-HC-AGC": ("ingresslib.azure.agc.rules:_standalone_route_problems", _AGC_PLAN,
                    _AGC_READBACK),
    "EDGE-HC-ALB-GRPC": ("ingresslib.aws.rules:_backend_health_problems",),
    "EDGE-HC-AZURE": (_AKS_PLAN,),
    "EDGE-HC-LBRULE": ("ingresslib.azure.rules:_lb_rule_problems", _AKS_PLAN, _AGW_READBACK),
    "EDGE-HC-NETPOL": ("ingresslib.aws.rules:_network_policy_problems",
                       "ingresslib.stack.contract:_probe_sources"),
    "EDGE-HC-NLB-PORTS": (_AWS_PLAN, "ingresslib.stack.contract:_status_port"),
    "EDGE-HC-PROXY": (_AWS_PLAN, _READBACK),
    # Settings on the wrong hop, callers inside the network.
    "EDGE-HOP-ALB": ("ingresslib.aws.interaction_rules:_wrong_hop_problems",),
    "EDGE-HOP-AZURE": ("ingresslib.azure.interaction_rules:azure_interaction_problems",),
    "EDGE-HOP-DNS": ("ingresslib.config.edge_interactions:_wrong_hop_problems",),
    "EDGE-IN-DNS": ("ingresslib.aws.interaction_rules:_dns_problems",),
    "EDGE-IN-HAIRPIN": ("ingresslib.aws.rules:_nlb_problems",),
    "EDGE-TLS-NLB-PORT": ("ingresslib.aws.rules:_nlb_problems",),
    "EDGE-AWS-REGION": ("ingresslib.aws.rules:region_problems",),
    # Client identity.
    "EDGE-ID-AGC": (_AGC_PLAN,),
    "EDGE-ID-HOPS": (_AWS_PLAN, _AKS_PLAN, _READBACK),
    "EDGE-ID-PROXY": (_AWS_PLAN, _READBACK),
    "EDGE-ID-XFF-ALB": ("ingresslib.aws.alb_plan:load_balancer_attributes",),
    "EDGE-ID-XFF-PORT": (_AKS_PLAN, _AGW_READBACK, _INGRESS_READBACK),
    "EDGE-ID-XFP": (_AWS_PLAN,),
    # Messages, network, protocols, TLS.
    "EDGE-MSG-KEY": ("ingresslib.aws.rules:_managed_annotation_problems",
                     "ingresslib.azure.rules:_annotation_problems"),
    "EDGE-NET-AGC": ("ingresslib.azure.agc.rules:_subnet_problems",
                     "ingresslib.azure.agc.rules:_chained_problems",
                     "ingresslib.azure.agc.rules:_edge_problems", _AGC_PLAN, _AGC_READBACK),
    "EDGE-PR-ALB": ("ingresslib.aws.rules:_protocol_version_problems",
                    "ingresslib.aws.alb_rules:_protocol_version_problems"),
    "EDGE-PR-ALB-UPSTREAM": ("ingresslib.aws.rules:_protocol_version_problems",),
    "EDGE-PR-APPGW": (_AKS_PLAN,),
    "EDGE-TLS-AGC": ("ingresslib.azure.agc.rules:_listener_problems",
                     "ingresslib.azure.agc.rules:_standalone_route_problems", _AGC_PLAN),
    # Rate limits, retries, timeouts.
    "EDGE-RL-FAIL": ("ingresslib.config.edge_interactions:_rate_limit_problems",
                     "ingresslib.stack.model:StackConfig._interaction_rules",
                     "ingresslib.stack.model:_route_timeout_problems"),
    "EDGE-RT-RETRY": ("ingresslib.config.edge_interactions:_retry_problems",),
    "EDGE-TO": ("ingresslib.edge:Timeouts", _READBACK),
    "EDGE-TO-AGC": ("ingresslib.azure.agc.rules:_timeout_problems", _AGC_PLAN, _AGC_READBACK),
    "EDGE-TO-ALB": (_AWS_PLAN,),
    "EDGE-TO-APPGW": ("ingresslib.azure.agic.rules:_timeout_problems",
                      "ingresslib.azure.edge_plan:_agic_timeout_rule", _AKS_PLAN,
                      _INGRESS_READBACK),
    "EDGE-TO-AZURE-LB": ("ingresslib.azure.edge_plan:_idle_rule", _AKS_PLAN),
    "EDGE-TO-LONG": ("ingresslib.azure.interaction_rules:_standalone_long_lived_problems",
                     "ingresslib.stack.model:StackConfig._interaction_rules",
                     "ingresslib.stack.model:_route_timeout_problems"),
    "EDGE-TO-NLB": (_AWS_PLAN,),
    # Cloud-agnostic interactions.
    "ING-IX-ACME-INGRESS": ("ingresslib.config.acme:_ingress_message",),
    "ING-IX-ACME-REACH": ("ingresslib.config.acme:_reach_problems",),
    "ING-IX-ACME-REDIRECT": ("ingresslib.config.acme:_plain_http_challenge_problems",),
    "ING-IX-ALLOW-SCOPE": ("ingresslib.config.authz_interactions:_allow_scope_problems",),
    "ING-IX-AUTHZ-HOST-PORT": ("ingresslib.manifests.security:policy_hosts",),
    "ING-IX-AUTHZ-PATH": ("ingresslib.config.security:_path",
                          "ingresslib.config.authz_interactions:_deny_exact_path_problems",
                          "ingresslib.config.authz_interactions:_path_case_problems",
                          "ingresslib.manifests.security:policy_paths"),
    "ING-IX-CORS-PREFLIGHT": ("ingresslib.config.interactions:_cors_message",
                              "ingresslib.config.authz_interactions:_cors_authz_problems"),
    "ING-IX-HASH-SPLIT": ("ingresslib.config.interactions:_hash_split_problems",),
    # Analysis of the rendered objects.
    "IST0101": ("ingresslib.config.stack:_reference", _A + "_missing_subsets",
                _A + "_missing_gateways"),
    "IST0130": (_A + "_unreachable_rules",),
    "IST0131": (_A + "_unreachable_rules",),
    "IST0132": ("ingresslib.config.stack:routing_problems", _A + "_hosts_not_in_gateways"),
    "IST0138": (_A + "_duplicate_certificates",),
    "IST0145": (_A + "_conflicting_gateways",),
    "IST0162": (_A + "_gateway_ports_on_service",),
    "ING0001": (_A + "_gateway_ports_on_service",),
    "ING0002": (_A + "_missing_credentials",),
    "ING0003": (_A + "_weights",),
    "ING0004": (_A + "_duration_findings",),
    "ING0005": (_A + "_shadowed_wildcard_routes",),
    "GWAPI0001": (_G + "_unresolved_parents",),
    "GWAPI0002": (_G + "_hostnames_meet",),
    "GWAPI0003": (_G + "_unresolved_backends",),
    "GWAPI0004": (_G + "_reference_grants",),
    "GWAPI0005": (_G + "_allowed_routes",),
    "GWAPI0006": (_G + "_weights",),
    "GWAPI0007": (_G + "_rule_order",),
    "GWAPI0008": (_G + "_rule_order",),
    "GWAPI0009": (_G + "_segment_prefixes",),
    "GWAPI0010": (_G + "_gateway_binding",),
    "GWAPI0011": (_G + "_certificates",),
    "GWAPI0012": (_G + "_conflicting_gateways",),
    "GWAPI0013": (_G + "_rule_order",),
}


def rules() -> dict[str, Rule]:
    """Every rule by code, sorted: the edge and interaction rules (`edge_rules`) and the
    analysis findings, each with its enforcers. KeyError names a code without enforcers."""
    from ingresslib.stack.model import edge_rules  # noqa: PLC0415 (loads every cloud's rules)

    stated = {r.code: (r.statement, r.source) for r in edge_rules()} | ANALYSIS_RULES
    return {code: Rule(code, statement, source, ENFORCED_BY[code])
            for code, (statement, source) in sorted(stated.items())}


def where(code: str) -> list[str]:
    """`file:line qualname` of each function that enforces `code`."""
    out = []
    for name in ENFORCED_BY[code]:
        fn = inspect.unwrap(resolve(name))
        _, line = inspect.getsourcelines(fn)
        out.append(f"{inspect.getsourcefile(fn)}:{line} {name}")
    return out


def main(argv: list[str]) -> int:
    """Print each code's statement, source and enforcers (every code without arguments)."""
    table = rules()
    unknown = [c for c in argv if c not in table]
    if unknown:
        print(f"no rule {', '.join(unknown)}; codes: {', '.join(table)}", file=sys.stderr)
        return 2
    for code in argv or table:
        rule = table[code]
        print(f"{code}: {rule.statement}\n  source: {rule.source}")
        for line in where(code):
            print(f"  enforced by {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
