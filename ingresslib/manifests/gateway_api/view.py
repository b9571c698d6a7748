"""Gateway API objects read back as the classic API's shapes, for tools that draw or explain
an Istio gateway's routing (the traffic picture): a Gateway as the Istio Gateway of the pods
its address Service selects, each route as a VirtualService bound to it, a subset Service as
the subset of the backend it stands for (whose DestinationRule, kept with Gateway API, names
the subsets). Never rendered or registered."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ingresslib.manifests.gateway_api.routes import SUBSET_OF

Obj = dict[str, Any]
GROUP = "gateway.networking.k8s.io"
_CLASSIC = "networking.istio.io/v1"


def _is(o: Obj, kind: str) -> bool:
    return o.get("kind") == kind and o.get("apiVersion", "").rpartition("/")[0] == GROUP


def _ns(o: Obj) -> str:
    return o["metadata"].get("namespace") or "default"


def _services(objects: Sequence[Obj]) -> dict[tuple[str, str], Obj]:
    return {(_ns(o), o["metadata"]["name"]): o for o in objects
            if o.get("kind") == "Service" and o.get("apiVersion") == "v1"}


def _redirect_sections(routes: Sequence[Obj]) -> set[tuple[str, str, str]]:
    """(gateway namespace, gateway, listener) of the routes that only redirect to HTTPS; the
    listener "" for a route attached to the whole Gateway (every listener)."""
    out = set()
    for r in routes:
        rules = r["spec"].get("rules") or []
        if len(rules) != 1 or rules[0].get("matches") or rules[0].get("backendRefs"):
            continue
        filters = rules[0].get("filters") or []
        if [f.get("requestRedirect", {}).get("scheme") for f in filters] != ["https"]:
            continue
        for ref in r["spec"].get("parentRefs") or []:
            out.add((ref.get("namespace") or _ns(r), ref["name"], ref.get("sectionName", "")))
    return out


def _server(gw: Obj, lst: Obj, redirecting: set[tuple[str, str, str]]) -> Obj:
    server: Obj = {"port": {"number": lst["port"], "name": lst["name"],
                            "protocol": lst["protocol"]},
                   "hosts": [lst.get("hostname") or "*"]}
    tls = lst.get("tls")
    if tls is not None:
        if tls.get("mode") == "Passthrough":
            server["tls"] = {"mode": "PASSTHROUGH"}
        else:
            mode = (tls.get("options") or {}).get("gateway.istio.io/tls-terminate-mode",
                                                  "SIMPLE")
            refs = tls.get("certificateRefs") or []
            server["tls"] = {"mode": mode, **({"credentialName": refs[0]["name"]}
                                              if refs else {})}
    elif {(_ns(gw), gw["metadata"]["name"], section) for section in (lst["name"], "")} & (
            redirecting):
        server["tls"] = {"httpsRedirect": True}
    return server


def _string(kind: str, value: str) -> Obj:
    return {"exact": value} if kind == "Exact" else {"regex": value}


def _match(m: Obj) -> Obj:
    out: Obj = {}
    path = m.get("path")
    if path:
        key = {"Exact": "exact", "PathPrefix": "prefix"}.get(path.get("type", "PathPrefix"),
                                                               "regex")
        out["uri"] = {key: path.get("value", "/")}
    method = m.get("method")
    if isinstance(method, str):
        out["method"] = {"exact": method}
    elif isinstance(method, dict):  # GRPCRoute: /service/method, either may be left out
        service, name = method.get("service"), method.get("method")
        if service:
            out["uri"] = {"exact": f"/{service}/{name}"} if name else {"prefix": f"/{service}/"}
        elif name:
            out["uri"] = {"regex": f"/[^/]+/{re.escape(name)}"}
    for key in ("headers", "queryParams"):
        if m.get(key):
            out[key] = {h["name"]: _string(h.get("type", "Exact"), h["value"]) for h in m[key]}
    return out


class _Destinations:
    def __init__(self, services: dict[tuple[str, str], Obj]) -> None:
        self.services = services

    def of(self, ref: Obj, namespace: str) -> Obj:
        ns = ref.get("namespace") or namespace
        name = ref["name"]
        svc = self.services.get((ns, name))
        of = (svc or {}).get("metadata", {}).get("labels", {}).get(SUBSET_OF)
        dest: Obj = {"host": f"{of or name}.{ns}.svc.cluster.local"}
        if "port" in ref:
            dest["port"] = {"number": ref["port"]}
        if of:
            dest["subset"] = name.removeprefix(f"{of}-")
        return dest


def _http_rule(rule: Obj, i: int, namespace: str, dests: _Destinations) -> Obj:
    out: Obj = {"name": rule.get("name") or f"rule-{i}"}
    matches = [_match(m) for m in rule.get("matches") or []]
    if [m for m in matches if m]:
        out["match"] = matches
    refs = rule.get("backendRefs") or []
    if refs:
        out["route"] = [{"destination": dests.of(r, namespace),
                         **({"weight": r["weight"]} if "weight" in r else {})} for r in refs]
    for f in rule.get("filters") or []:
        if f.get("type") == "RequestRedirect":
            r = f["requestRedirect"]
            path = r.get("path") or {}
            out["redirect"] = {k: v for k, v in (
                ("scheme", r.get("scheme")), ("authority", r.get("hostname")),
                ("uri", path.get("replaceFullPath") or path.get("replacePrefixMatch")),
                ("redirectCode", r.get("statusCode", 302))) if v is not None}
        elif f.get("type") == "RequestMirror":
            mirror = f["requestMirror"]
            out["mirror"] = dests.of(mirror["backendRef"], namespace)
            fraction = mirror.get("fraction")
            percent = (100 * fraction["numerator"] / fraction.get("denominator", 100)
                       if fraction else mirror.get("percent", 100))
            out["mirrorPercentage"] = {"value": percent}
    return out


def _virtual_service(route: Obj, dests: _Destinations) -> Obj:
    namespace = _ns(route)
    gateways = sorted({f"{ref.get('namespace') or namespace}/{ref['name']}"
                       for ref in route["spec"].get("parentRefs") or []})
    spec: Obj = {"hosts": list(route["spec"].get("hostnames") or ["*"]), "gateways": gateways}
    rules = route["spec"].get("rules") or []
    if route["kind"] == "TLSRoute":
        spec["tls"] = [{"match": [{"sniHosts": spec["hosts"]}],
                        "route": [{"destination": dests.of(r, namespace),
                                   **({"weight": r["weight"]} if "weight" in r else {})}
                                  for rule in rules for r in rule.get("backendRefs") or []]}]
    else:
        spec["http"] = [_http_rule(rule, i, namespace, dests) for i, rule in enumerate(rules)]
    return {"apiVersion": _CLASSIC, "kind": "VirtualService",
            "metadata": {"name": f"{route['kind'].lower()}-{route['metadata']['name']}",
                         "namespace": namespace}, "spec": spec}


def classic_view(objects: Sequence[Obj]) -> list[Obj]:
    """The Istio Gateways, VirtualServices and DestinationRule subsets that say what the
    Gateway API objects among `objects` do; [] when there are none."""
    services = _services(objects)
    # Istio's Gateways only: another implementation's (Application Gateway for Containers)
    # is no Istio gateway, and the picture draws it as its load balancer.
    istio = [o for o in objects if _is(o, "Gateway")
             and o["spec"].get("gatewayClassName") == "istio"]
    names = {(_ns(g), g["metadata"]["name"]) for g in istio}
    routes = [o for o in objects if any(_is(o, k) for k in ("HTTPRoute", "GRPCRoute",
                                                             "TLSRoute"))
              and any((ref.get("namespace") or _ns(o), ref["name"]) in names
                      for ref in o["spec"].get("parentRefs") or [])]
    redirecting = _redirect_sections(routes)
    out: list[Obj] = []
    for gw in istio:
        hosts = [a.get("value", "") for a in gw["spec"].get("addresses") or []
                 if a.get("type") == "Hostname"]
        name, _, rest = (hosts[0] if hosts else "").partition(".")
        svc = services.get((rest.partition(".")[0], name))
        selector = (svc or {}).get("spec", {}).get("selector") or {}
        out.append({"apiVersion": _CLASSIC, "kind": "Gateway",
                    "metadata": {"name": gw["metadata"]["name"], "namespace": _ns(gw)},
                    "spec": {"selector": selector,
                             "servers": [_server(gw, lst, redirecting)
                                         for lst in gw["spec"].get("listeners") or []]}})
    dests = _Destinations(services)
    redirect_routes = {id(r) for r in routes if _only_redirects(r, redirecting)}
    out += [_virtual_service(r, dests) for r in routes if id(r) not in redirect_routes]
    return out


def _only_redirects(route: Obj, redirecting: set[tuple[str, str, str]]) -> bool:
    return any((ref.get("namespace") or _ns(route), ref["name"], ref.get("sectionName", ""))
               in redirecting for ref in route["spec"].get("parentRefs") or []) and not any(
        r.get("backendRefs") or r.get("matches") for r in route["spec"].get("rules") or [])
