"""The traffic path as a Mermaid flowchart: client -> cloud load balancer -> Istio gateway ->
hosts -> routes -> backends, with each route's weights on its edges.

Drawn from the rendered objects (Gateways, VirtualServices, DestinationRules, the gateway's
Service, Deployment and HPA), so it shows what will be applied, whatever program rendered it.
No object says which cloud it is for, so the load balancer's name comes from the summaries the
program's IngressStacks registered (`stack_summaries`) when there are any, otherwise from the
Service's annotations and the gateway's trusted proxy hops.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from ingresslib.config.listeners import host_covers
from ingresslib.offline.mocks import Registered

Obj = Mapping[str, Any]
_LOAD_BALANCERS = {
    ("eks", "L4"): "AWS NLB",
    ("eks", "L7"): "AWS ALB",
    ("aks", "L4"): "Azure Standard LB",
    ("aks", "L7"): "Azure Application Gateway",
    (None, "L4"): "cloud L4 load balancer",
    (None, "L7"): "cloud L7 load balancer",
}
# Mermaid shapes: (opening, closing) around the quoted label.
_CLIENT = ("((", "))")
_BALANCER = ("{{", "}}")
_GATEWAY = ("[[", "]]")
_HOST = ("(", ")")
_ROUTE = ("[", "]")
_BACKEND = ("([", "])")
_CLUSTER_SUFFIX = ".svc.cluster.local"


def stack_summaries(records: Sequence[Registered]) -> list[Obj]:
    """Each IngressStack's summary (StackConfig.summary), registered as its inputs."""
    return [r.inputs for r in records if r.type == "ingresslib:index:IngressStack"]


def _escape(text: str) -> str:
    """Mermaid entity codes for what would end a quoted label or be read as HTML."""
    text = text.replace("#", "#35;")
    for char, code in (('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text


class _Graph:
    """Nodes keyed by meaning (one node per backend subset, host, ...) with short readable ids
    made unique; edges deduplicated; everything in insertion order."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._nodes: list[str] = []
        self._edges: dict[str, None] = {}

    def node(self, key: str, hint: str, lines: Sequence[str], shape: tuple[str, str]) -> str:
        """The id of the node for `key`, declared on first use with an id made from `hint`."""
        if key in self._ids:
            return self._ids[key]
        base = re.sub(r"[^A-Za-z0-9]+", "_", hint).strip("_")
        node_id, n = base, 2
        while node_id in self._ids.values():
            node_id, n = f"{base}_{n}", n + 1
        self._ids[key] = node_id
        label = "<br/>".join(_escape(line) for line in lines if line)
        self._nodes.append(f'    {node_id}{shape[0]}"{label}"{shape[1]}')
        return node_id

    def edge(self, src: str, dst: str, label: str | None = None, *, dotted: bool = False) -> None:
        if dotted:
            arrow = f'-. "{_escape(label)}" .->' if label else "-.->"
        else:
            arrow = f'-- "{_escape(label)}" -->' if label else "-->"
        self._edges.setdefault(f"    {src} {arrow} {dst}")

    def render(self) -> str:
        return "\n".join(["flowchart LR", *self._nodes, *self._edges]) + "\n"


def _of_kind(objects: Sequence[Obj], kind: str, group: str = "") -> list[Obj]:
    found = [
        o for o in objects
        if o.get("kind") == kind and o.get("apiVersion", "").rpartition("/")[0] == group
    ]
    return sorted(found, key=_ref)


def _ref(o: Obj) -> str:
    meta = o["metadata"]
    return f"{meta.get('namespace', '')}/{meta['name']}"


def _pod_labels(deployment: Obj) -> dict[str, str]:
    return deployment["spec"]["template"]["metadata"].get("labels") or {}


def _selects(selector: Mapping[str, str] | None, labels: Mapping[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in (selector or {}).items())


def _fqdn(host: str, namespace: str) -> str:
    """Istio's short-name rule: `svc` and `svc.ns` are relative to the object's namespace."""
    if "." not in host:
        return f"{host}.{namespace}{_CLUSTER_SUFFIX}"
    if host.count(".") == 1:
        return f"{host}{_CLUSTER_SUFFIX}"
    return host


def _replicas(deployment: Obj, objects: Sequence[Obj]) -> str:
    meta = deployment["metadata"]
    for hpa in _of_kind(objects, "HorizontalPodAutoscaler", "autoscaling"):
        target = hpa["spec"]["scaleTargetRef"]
        if (hpa["metadata"].get("namespace") == meta.get("namespace")
                and target.get("kind") == "Deployment" and target.get("name") == meta["name"]):
            low, high = hpa["spec"].get("minReplicas", 1), hpa["spec"]["maxReplicas"]
            return f"{meta['name']}: {low}-{high} replicas (HPA)"
    count = deployment["spec"].get("replicas", 1)
    return f"{meta['name']}: {count} replica{'s' if count != 1 else ''}"


def _trusts_proxies(deployments: Sequence[Obj]) -> bool:
    """Whether the gateway trusts a proxy hop in front of it: the L7 load balancer of chained."""
    for dep in deployments:
        annotations = dep["spec"]["template"]["metadata"].get("annotations") or {}
        proxy = yaml.safe_load(annotations.get("proxy.istio.io/config", "")) or {}
        if (proxy.get("gatewayTopology") or {}).get("numTrustedProxies", 0) > 0:
            return True
    return False


def _annotated_cloud(service: Obj) -> str | None:
    keys = " ".join((service["metadata"].get("annotations") or {}).keys())
    if "aws-load-balancer" in keys:
        return "eks"
    if "azure-load-balancer" in keys:
        return "aks"
    return None


def _annotated_internal(service: Obj) -> bool:
    annotations = service["metadata"].get("annotations") or {}
    return any(
        (k.endswith("-scheme") and v == "internal") or (k.endswith("-internal") and v == "true")
        for k, v in annotations.items()
    )


def _balancer(service: Obj, stack: Obj | None, chained: bool) -> list[str]:
    cloud = stack["cloud"] if stack else _annotated_cloud(service)
    if stack:
        chained = stack["topology"] == "chained"
    name = _LOAD_BALANCERS[(cloud, "L7" if chained else "L4")]
    internal = stack["scheme"] == "internal" if stack else _annotated_internal(service)
    kind = service["spec"].get("type", "ClusterIP")
    return [f"{name}{' (internal)' if internal else ''}", f"Service {_ref(service)} ({kind})"]


def _server_line(server: Obj) -> str:
    port = server["port"]
    line = f"{port.get('name', port['protocol'].lower())} :{port['number']} {port['protocol']}"
    tls = server.get("tls") or {}
    if tls.get("httpsRedirect"):
        line += ", redirects to HTTPS"
    mode = tls.get("mode")
    if mode == "PASSTHROUGH":
        line += ", TLS passthrough"
    elif mode:
        credential = tls.get("credentialName")
        line += f", TLS {mode}" + (f" {credential}" if credential else "")
    return line


def _condition(key: str, value: Any) -> list[str]:
    """One match field in words: `uri prefix /api/`, `header x-team exact a`, `port 443`."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in (
            "exact", "prefix", "regex"):
        ((op, text),) = value.items()
        return [f"{key} {op} {text}"]
    if key in ("headers", "queryParams", "withoutHeaders") and isinstance(value, dict):
        singular = {"headers": "header", "queryParams": "query",
                    "withoutHeaders": "without header"}[key]
        return [c for name in sorted(value) for c in _condition(f"{singular} {name}", value[name])]
    if isinstance(value, list):
        return [f"{'SNI' if key == 'sniHosts' else key} {', '.join(str(v) for v in value)}"]
    if isinstance(value, dict):
        return [f"{key} {', '.join(f'{k}={v}' for k, v in sorted(value.items()))}"]
    return [f"{key} {value}"]


def _match_summary(kind: str, rule: Obj) -> str:
    matches = rule.get("match") or []
    if not matches:
        return "all requests" if kind == "http" else "all connections"
    return " or ".join(
        " and ".join(c for k in sorted(m, key=_match_order) for c in _condition(k, m[k]))
        for m in matches
    )


def _match_order(key: str) -> tuple[int, str]:
    """How people read a match: what is asked for (SNI, path) before the finer conditions."""
    first = ("sniHosts", "uri", "method", "authority", "headers", "queryParams", "port")
    return (first.index(key) if key in first else len(first), key)


def _action(rule: Obj) -> str | None:
    """What a rule does instead of routing: a redirect or a direct response."""
    if "redirect" in rule:
        redirect = rule["redirect"]
        target = " ".join(str(redirect[k]) for k in ("scheme", "authority", "uri") if k in redirect)
        return f"redirect {redirect.get('redirectCode', 301)} {target}".rstrip()
    if "directResponse" in rule:
        return f"responds {rule['directResponse']['status']}"
    return None


class _Drawing:
    """One traffic diagram: walks gateways down to backends, adding nodes and edges."""

    def __init__(self, objects: Sequence[Obj], stacks: Sequence[Obj]) -> None:
        self.objects = objects
        self.stacks = stacks
        self.graph = _Graph()
        self.client = self.graph.node("client", "client", ["client"], _CLIENT)
        self.subsets: dict[str, dict[str, dict[str, str]]] = {}
        for dr in _of_kind(objects, "DestinationRule", "networking.istio.io"):
            host = _fqdn(dr["spec"]["host"], dr["metadata"]["namespace"])
            for subset in dr["spec"].get("subsets") or []:
                self.subsets.setdefault(host, {})[subset["name"]] = subset.get("labels") or {}
        self.virtual_services = {
            _ref(vs): vs for vs in _of_kind(objects, "VirtualService", "networking.istio.io")
        }

    def _stack_for(self, service: Obj) -> Obj | None:
        meta = service["metadata"]
        ref = f"{meta['namespace']}/{meta['name']}"
        return next((s for s in self.stacks if s["gateway"] == ref), None)

    def gateway(self, gw: Obj) -> None:
        meta, spec = gw["metadata"], gw["spec"]
        selector = spec.get("selector") or {}
        deployments = [d for d in _of_kind(self.objects, "Deployment", "apps")
                       if _selects(selector, _pod_labels(d))]
        services = [
            s for s in _of_kind(self.objects, "Service")
            if any(d["metadata"].get("namespace") == s["metadata"].get("namespace")
                   and _selects(s["spec"].get("selector"), _pod_labels(d)) for d in deployments)
        ]
        balancers = [
            self.graph.node(f"lb {_ref(svc)}", f"lb {svc['metadata']['name']}",
                            _balancer(svc, self._stack_for(svc), _trusts_proxies(deployments)),
                            _BALANCER)
            for svc in services
        ]
        gw_id = self.graph.node(
            f"gw {_ref(gw)}", f"gateway {meta['name']}",
            [f"Istio gateway {_ref(gw)}", *(_replicas(d, self.objects) for d in deployments)],
            _GATEWAY,
        )
        for lb_id in balancers:
            self.graph.edge(self.client, lb_id)
        for source in balancers or [self.client]:
            self.graph.edge(source, gw_id)
        served: dict[str, list[str]] = {}
        for server in spec.get("servers") or []:
            for host in server.get("hosts") or []:
                served.setdefault(host.rpartition("/")[2], []).append(_server_line(server))
        for vs in self.virtual_services.values():
            if not self._binds(vs, meta["namespace"], meta["name"]):
                continue
            parents = []
            for host in vs["spec"].get("hosts") or []:
                covering = [h for h in served if h == "*" or host_covers(h, host)] or [host]
                for name in covering:
                    host_id = self.graph.node(f"host {_ref(gw)} {name}", f"host {name}",
                                              [name, *served.get(name, [])], _HOST)
                    self.graph.edge(gw_id, host_id)
                    parents.append(host_id)
            self.routes(vs, parents, set())

    @staticmethod
    def _binds(vs: Obj, namespace: str, name: str) -> bool:
        own = vs["metadata"]["namespace"]
        return any(
            (ref.partition("/")[0], ref.partition("/")[2]) == (namespace, name)
            if "/" in ref else (own, ref) == (namespace, name)
            for ref in vs["spec"].get("gateways") or []
        )

    def routes(self, vs: Obj, parents: Sequence[str], seen: set[str]) -> None:
        """Each rule of `vs` as a node under `parents`, its destinations and delegates after it;
        `seen` stops delegation cycles."""
        seen.add(_ref(vs))
        namespace = vs["metadata"]["namespace"]
        for kind in ("http", "tls", "tcp"):
            for i, rule in enumerate(vs["spec"].get(kind) or []):
                label = [rule.get("name") or f"{kind} rule {i + 1}", _match_summary(kind, rule),
                         _action(rule) or ""]
                rule_id = self.graph.node(f"route {_ref(vs)} {kind} {i}",
                                          f"route {label[0]}", label, _ROUTE)
                for parent in parents:
                    self.graph.edge(parent, rule_id)
                destinations = rule.get("route") or []
                for dest in destinations:
                    weight = dest.get("weight", 100 if len(destinations) == 1 else None)
                    self.graph.edge(rule_id, self.backend(dest["destination"], namespace),
                                    None if weight is None else f"{weight}%")
                if "mirror" in rule:
                    percent = (rule.get("mirrorPercentage") or {}).get("value", 100)
                    self.graph.edge(rule_id, self.backend(rule["mirror"], namespace),
                                    f"mirror {percent}%", dotted=True)
                if "delegate" in rule:
                    self.delegate(rule["delegate"], namespace, rule_id, seen)

    def delegate(self, ref: Obj, namespace: str, parent: str, seen: set[str]) -> None:
        key = f"{ref.get('namespace', namespace)}/{ref['name']}"
        target = self.virtual_services.get(key)
        if target is None or key in seen:
            node = self.graph.node(f"delegate {key}", f"delegate {ref['name']}",
                                   [f"VirtualService {key}", "delegate"], _ROUTE)
            self.graph.edge(parent, node)
        else:
            self.routes(target, [parent], seen)

    def backend(self, dest: Obj, namespace: str) -> str:
        host = _fqdn(dest["host"], namespace)
        port = (dest.get("port") or {}).get("number")
        subset = dest.get("subset")
        short = host.removesuffix(_CLUSTER_SUFFIX)
        lines = [f"{short}:{port}" if port else short]
        if subset:
            labels = self.subsets.get(host, {}).get(subset, {})
            selector = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
            lines.append(f"subset {subset}" + (f" ({selector})" if selector else ""))
        return self.graph.node(f"backend {host} {port} {subset}",
                               f"backend {short.partition('.')[0]} {subset or ''}", lines, _BACKEND)

    def plaintext_backends(self) -> list[tuple[Obj, list[str]]]:
        """PeerAuthentications with PERMISSIVE ports: what a standalone load balancer reaches."""
        found = []
        for pa in _of_kind(self.objects, "PeerAuthentication", "security.istio.io"):
            ports = sorted(p for p, m in (pa["spec"].get("portLevelMtls") or {}).items()
                           if m.get("mode") == "PERMISSIVE")
            if ports:
                found.append((pa, ports))
        return found

    def standalone(self, stack: Obj | None) -> None:
        """No gateway: the cloud L7 load balancer sends straight to the backend ports that
        accept plaintext from it."""
        cloud = stack["cloud"] if stack else None
        listeners = list(stack["listeners"]) if stack else []
        name = stack["name"] if stack else ""
        lb_id = self.graph.node(f"lb standalone {name}", f"lb {name}",
                                [_LOAD_BALANCERS[(cloud, "L7")], *listeners], _BALANCER)
        self.graph.edge(self.client, lb_id)
        for pa, ports in self.plaintext_backends():
            selector = (pa["spec"].get("selector") or {}).get("matchLabels") or {}
            pods = ", ".join(f"{k}={v}" for k, v in sorted(selector.items())) or "all pods"
            node = self.graph.node(
                f"backend {_ref(pa)}", f"backend {pa['metadata']['name']}",
                [f"{pa['metadata']['namespace']}: {pods}",
                 f":{', :'.join(ports)} mTLS PERMISSIVE"],
                _BACKEND,
            )
            self.graph.edge(lb_id, node)


def traffic_diagram(objects: Sequence[Obj], stacks: Sequence[Obj] = ()) -> str:
    """A Mermaid `flowchart LR` of the traffic path through the rendered `objects`; `stacks`
    (the program's IngressStack summaries) name the cloud load balancer. Deterministic."""
    drawing = _Drawing(objects, stacks)
    gateways = _of_kind(objects, "Gateway", "networking.istio.io")
    for gw in gateways:
        drawing.gateway(gw)
    standalone = [s for s in stacks if s["topology"] == "standalone"]
    for stack in standalone:
        drawing.standalone(stack)
    if not gateways and not stacks and drawing.plaintext_backends():
        drawing.standalone(None)
    return drawing.graph.render()
