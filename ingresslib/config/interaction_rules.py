"""The rules of settings that validate alone and break together (ING-IX): each a code, a
one-line statement and its public source, listed with the edge rules
(`ingresslib.stack.model.edge_rules`), and the string matching the checks share.

The checks live beside the settings they join: `ingresslib.config.interactions` (routing),
`ingresslib.config.authz_interactions` (authorization as routing reads it),
`ingresslib.config.acme` (a controller that must reach the gateway).
"""

from __future__ import annotations

import re

from ingresslib.config.routing import StringMatch

# code -> (one-line statement, public source). Listed with the edge rules
# (`ingresslib.stack.model.edge_rules`).
RULES: dict[str, tuple[str, str]] = {
    "ING-IX-ACME-REDIRECT": (
        "Istio applies a port-80 server's httpsRedirect to the whole virtual host, the "
        "HTTP-01 solver's routes included: a redirecting listener whose hosts an HTTP-01 "
        "certificate names is rendered as its own Gateway with a route that redirects every "
        "path but /.well-known/acme-challenge/ (api: istio), or the solver attaches an "
        "HTTPRoute to the Gateway, whose exact challenge path outranks the redirect "
        "(api: gatewayApi); with api: istio a port-80 listener that does not redirect takes "
        "no route of those hosts that could answer the challenge",
        "istio/istio#33593, #27643; cert-manager, HTTP01 challenges (gatewayHTTPRoute)"),
    "ING-IX-ACME-INGRESS": (
        "Istio serves the solver's Ingress only on gateway pods labelled "
        "istio: ingressgateway (or the value of meshConfig.ingressSelector), and only when its "
        "class is given by the kubernetes.io/ingress.class annotation or by an IngressClass "
        "with controller istio.io/ingress-controller: the solver sets the annotation "
        "(http01.ingress.class) and the gateway carries the label, or the challenge reaches "
        "no route",
        "Istio, Kubernetes Ingress (Specifying IngressClass; meshConfig ingressSelector, "
        "ingressClass); cert-manager/cert-manager#4537, #3429; istio/istio#37329; "
        "Azure/AKS#4075"),
    "ING-IX-ACME-REACH": (
        "Let's Encrypt validates HTTP-01 from the internet, on port 80, from addresses it "
        "does not publish: the load balancer is internet-facing and admits every client "
        "(loadBalancerSourceRanges), the NetworkPolicy admits every client, and no "
        "authorization rule refuses GET /.well-known/acme-challenge/ on the certificate's "
        "hosts",
        "Let's Encrypt, Challenge Types (HTTP-01: port 80 only) and FAQ (no list of "
        "validation addresses); Istio, Authorization Policy (ALLOW denies what no rule "
        "matches)"),
    "ING-IX-HASH-SPLIT": (
        "Envoy picks one of a route's weighted destinations per request before the "
        "destination's consistent hash picks a pod: a route does not split by weight to a "
        "backend whose load balancer hashes (hashCookie, hashHeader, hashSourceIp), or "
        "clients bounce between the subsets",
        "istio/istio#33343, #9764, #17181; Envoy, Route weighted_clusters"),
    "ING-IX-CORS-PREFLIGHT": (
        "Envoy answers a browser's preflight (OPTIONS with Origin, Access-Control-Request-"
        "Method and -Headers, without the request's own headers) from the CORS policy of the "
        "route it matches: a route with cors matches the preflight too (its method match "
        "admits OPTIONS, its header matches are headers a preflight sends) and no "
        "authorization rule that needs a token refuses it",
        "Fetch Standard, CORS-preflight request; Envoy, CORS filter (per-route policy); "
        "kgateway-dev/kgateway#3774; istio/istio#45716, #55318 (authorization before CORS)"),
    "ING-IX-ALLOW-SCOPE": (
        "Any ALLOW policy on the gateway denies every request no ALLOW rule matches, and an "
        "ALLOW rule with HTTP fields never matches a TLS passthrough connection: ALLOW rules "
        "scoped to some hosts or paths leave every other host, route and passthrough host "
        "the gateway serves allowed by a rule, or the config is refused (restrict one host "
        "with a DENY rule instead)",
        "Istio, Authorization Policy (ALLOW: deny if no ALLOW policy matches; HTTP-only "
        "fields on TCP); istio/istio#24665, #29119"),
    "ING-IX-AUTHZ-HOST-PORT": (
        "A gateway routes Host h and h:port for any port (a wildcard *.d as *.d and "
        "*.d:serverPort) and an authorization host matches the header exactly, with one "
        "'*': each rule host is rendered as the names routing serves, h and h:*, or *.d, "
        "*.d:80 and *.d:443, so that Host: h:port is allowed and denied as routing serves "
        "it",
        "istio/istio#44080, #39810; Istio, Authorization Policy, Operation hosts; Istio "
        "pilot, buildGatewayVirtualHostDomains"),
    "ING-IX-AUTHZ-PATH": (
        "An authorization path /p/* does not match /p, which a route's prefix /p serves: "
        "each /p/* is rendered as /p and /p/*; a * is a prefix or suffix wildcard only "
        "(elsewhere it is literal and never matches); a DENY path without '*' that a route "
        "serves as a prefix is refused (the paths below it pass); policy paths match case-"
        "sensitively, so a rule's paths on a host with an ignoreUriCase route are refused",
        "Istio, Authorization Policy, Operation paths; istio/istio#46910, #40541, #38139"),
}


def rule(code: str) -> str:
    """`(code)`, to end a message with the rule it breaks."""
    assert code in RULES, code
    return f"({code})"


def string_admits(m: StringMatch, value: str) -> bool:
    if m.exact is not None:
        return m.exact == value
    if m.prefix is not None:
        return value.startswith(m.prefix)
    assert m.regex is not None
    try:
        return re.fullmatch(m.regex, value) is not None
    except re.error:
        return True
