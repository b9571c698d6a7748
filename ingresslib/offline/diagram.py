"""The traffic path: client -> WAF -> each cloud load balancer -> Istio gateway (listeners,
rate limits) -> hosts -> routes -> backends and subsets, with each route's weights, mirrors and
redirects; in standalone the load balancer's own rules (ALB listener rules, AGIC Ingresses)
down to the backends.

`traffic` builds it as a graph of typed nodes (`Traffic`), drawn as Mermaid text here
(`mermaid`, `traffic_diagram`) and as SVG and PNG images by `ingresslib.offline.picture`.
Drawn from the rendered objects (Gateways, VirtualServices, DestinationRules, EnvoyFilters, the
gateway's Service, Deployment and HPA, Ingresses, TargetGroupBindings) and the plan's cloud
resources (ALB listeners and rules, WAF, Application Gateway), so it shows what will be
applied, whatever program rendered it. No object says which cloud it is for, so the load
balancer's name comes from the summaries the program's IngressStacks registered
(`stack_summaries`) when there are any, otherwise from the Service's annotations and the
gateway's trusted proxy hops.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import Any

import yaml

from ingresslib.config.listeners import host_covers
from ingresslib.manifests.gateway_api.view import classic_view
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
# Node kinds, and their Mermaid shapes: (opening, closing) around the quoted label.
_SHAPES: dict[str, tuple[str, str]] = {
    "client": ("((", "))"),
    "waf": ("{{", "}}"),
    "balancer": ("{{", "}}"),
    "gateway": ("[[", "]]"),
    "ratelimit": ("[(", ")]"),
    "host": ("(", ")"),
    "route": ("[", "]"),
    "backend": ("([", "])"),
}
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


@dataclass(frozen=True)
class Node:
    """One box of the picture: `kind` says what it is (a key of the shapes: client, waf,
    balancer, gateway, ratelimit, host, route, backend), `icon` which product it is drawn as
    (e.g. `aws-alb`, `azure-appgw`, `istio`, `k8s-svc`), `lines` its label, first line first."""

    id: str
    kind: str
    icon: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Edge:
    """Traffic from `src` to `dst`; `label` a weight or what the hop does, `dotted` for
    traffic that is copied or checked rather than forwarded (mirrors, rate-limit calls)."""

    src: str
    dst: str
    label: str | None = None
    dotted: bool = False


@dataclass(frozen=True)
class Traffic:
    """The traffic path, nodes and edges in the order they were found: deterministic."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


class _Graph:
    """Nodes keyed by meaning (one node per backend subset, host, ...) with short readable ids
    made unique; edges deduplicated; everything in insertion order."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._nodes: dict[str, Node] = {}
        self._edges: dict[Edge, None] = {}

    def node(self, key: str, hint: str, lines: Sequence[str], kind: str,
             icon: str = "") -> str:
        """The id of the node for `key`, declared on first use with an id made from `hint`."""
        if key in self._ids:
            return self._ids[key]
        base = re.sub(r"[^A-Za-z0-9]+", "_", hint).strip("_")
        node_id, n = base, 2
        while node_id in self._nodes:
            node_id, n = f"{base}_{n}", n + 1
        self._ids[key] = node_id
        self._nodes[node_id] = Node(node_id, kind, icon or kind, tuple(ln for ln in lines if ln))
        return node_id

    def add_lines(self, node_id: str, lines: Sequence[str]) -> None:
        """More label lines for a node already declared (rate limits found later)."""
        node = self._nodes[node_id]
        self._nodes[node_id] = replace(node, lines=(*node.lines, *lines))

    def edge(self, src: str, dst: str, label: str | None = None, *, dotted: bool = False) -> None:
        self._edges.setdefault(Edge(src, dst, label, dotted))

    def traffic(self) -> Traffic:
        return Traffic(tuple(self._nodes.values()), tuple(self._edges))


def mermaid(traffic: Traffic) -> str:
    """A Mermaid `flowchart LR` of `traffic`: nodes, then edges."""
    lines = ["flowchart LR"]
    for node in traffic.nodes:
        opening, closing = _SHAPES[node.kind]
        label = "<br/>".join(_escape(line) for line in node.lines)
        lines.append(f'    {node.id}{opening}"{label}"{closing}')
    for edge in traffic.edges:
        if edge.dotted:
            arrow = f'-. "{_escape(edge.label)}" .->' if edge.label else "-.->"
        else:
            arrow = f'-- "{_escape(edge.label)}" -->' if edge.label else "-->"
        lines.append(f"    {edge.src} {arrow} {edge.dst}")
    return "\n".join(lines) + "\n"


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


_AWS_LB = "service.beta.kubernetes.io/aws-load-balancer-"
_AZURE_LB = "service.beta.kubernetes.io/azure-"


def _icon(cloud: str | None, layer: str) -> str:
    return {("eks", "L4"): "aws-nlb", ("eks", "L7"): "aws-alb", ("aks", "L4"): "azure-lb",
            ("aks", "L7"): "azure-appgw"}.get((cloud or "", layer), "balancer")


def _tls_ports(service: Obj) -> set[str]:
    """Service ports (names and numbers) whose TLS the AWS NLB terminates (ACM)."""
    annotations = service["metadata"].get("annotations") or {}
    if not annotations.get(f"{_AWS_LB}ssl-cert"):
        return set()
    listed = {p.strip() for p in annotations.get(f"{_AWS_LB}ssl-ports", "*").split(",")}
    ports = service["spec"].get("ports") or []
    if "*" in listed:
        return {str(p["port"]) for p in ports} | {p.get("name", "") for p in ports}
    return {str(p["port"]) for p in ports if str(p["port"]) in listed or p.get("name") in listed}


def _service_lines(service: Obj) -> list[str]:
    """What a Service-made load balancer listens on: its ports, TLS where the NLB ends it,
    its address where it is fixed."""
    annotations = service["metadata"].get("annotations") or {}
    tls = _tls_ports(service)
    lines = []
    for port in service["spec"].get("ports") or []:
        if port.get("name") == "status-port":
            continue
        text = f":{port['port']} {port.get('protocol', 'TCP')}"
        if str(port["port"]) in tls:
            policy = annotations.get(f"{_AWS_LB}ssl-negotiation-policy", "")
            text += f", TLS ends here (ACM certificate{', ' + policy if policy else ''})"
        lines.append(text)
    address = annotations.get(f"{_AZURE_LB}load-balancer-ipv4") or annotations.get(
        f"{_AZURE_LB}pip-name")
    if address:
        lines.append(f"address {address}")
    return lines


def _server_line(server: Obj, lb_tls: AbstractSet[str] = frozenset()) -> str:
    port = server["port"]
    line = f"{port.get('name', port['protocol'].lower())} :{port['number']} {port['protocol']}"
    if str(port["number"]) in lb_tls or port.get("name") in lb_tls:
        line += " (TLS ended at the load balancer)"
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


def _arn_name(arn: str) -> str:
    """`edge` of `arn:...:regional/webacl/edge/<id>`, `name` of `.../targetgroup/name/<id>`."""
    parts = arn.split("/")
    return parts[-2] if len(parts) >= 3 else arn


def _bucket(value: Any) -> Obj | None:
    """The first Envoy token bucket inside a patch value."""
    if isinstance(value, dict):
        if "token_bucket" in value:
            return value["token_bucket"]
        found = (_bucket(v) for v in value.values())
    elif isinstance(value, list):
        found = (_bucket(v) for v in value)
    else:
        return None
    return next((b for b in found if b is not None), None)


def _rate(bucket: Obj) -> str:
    per_fill, interval = bucket.get("tokens_per_fill", 1), bucket["fill_interval"]
    return (f"rate limit {per_fill} per {interval} per pod "
            f"(burst {bucket.get('max_tokens', per_fill)})")


def _alb_listener(listener: Obj) -> str:
    inputs = listener["inputs"]
    line = f"{inputs['protocol']} :{inputs['port']}"
    if inputs.get("certificateArn"):
        line += f", TLS ends here (ACM, {inputs.get('sslPolicy', 'default policy')})"
    for action in inputs.get("defaultActions") or []:
        if action["type"] == "redirect":
            redirect = action["redirect"]
            line += f", redirects to {redirect.get('protocol', '')} :{redirect.get('port', '')}"
        elif action["type"] == "fixed-response":
            line += f", unmatched: {action['fixedResponse']['statusCode']}"
    return line


def _alb_condition(condition: Obj) -> str:
    ((field, value),) = condition.items()
    values = value.get("values") or [f"{k}={v}" for k, v in sorted(value.items())]
    name = {"hostHeader": "host", "pathPattern": "path", "httpRequestMethod": "method",
            "httpHeader": "header", "queryString": "query", "sourceIp": "source"}.get(
                field, field)
    if field == "httpHeader":
        return f"header {value['httpHeaderName']} {', '.join(value['values'])}"
    if field == "queryString":
        return "query " + ", ".join(f"{v.get('key', '')}={v['value']}" for v in value["values"])
    return f"{name} {', '.join(str(v) for v in values)}"


def _appgw_lines(gateway: Obj) -> list[str]:
    """Application Gateway's listeners (protocol, port, hosts) and what they do."""
    inputs = gateway["inputs"]
    ports = {p["name"]: p["port"] for p in inputs.get("frontendPorts") or []}
    redirects = {r["name"] for r in inputs.get("redirectConfigurations") or []}
    rules = {r["httpListener"]["id"].rpartition("/")[2]: r
             for r in inputs.get("requestRoutingRules") or [] if "httpListener" in r}
    sku = (inputs.get("sku") or {}).get("name", "")
    scale = inputs.get("autoscaleConfiguration") or {}
    lines = [f"{sku}, {scale.get('minCapacity', '?')}-{scale.get('maxCapacity', '?')} "
             "instances" if scale else sku]
    for listener in inputs.get("httpListeners") or []:
        port = ports.get(listener["frontendPort"]["id"].rpartition("/")[2], "?")
        hosts = ", ".join(listener.get("hostNames") or []) or "any host"
        line = f"{listener['protocol'].upper()} :{port} {hosts}"
        if "sslCertificate" in listener:
            line += ", TLS ends here (Key Vault certificate)"
        rule = rules.get(listener["name"]) or {}
        if (rule.get("redirectConfiguration") or {}).get("id", "").rpartition("/")[2] in redirects:
            line += ", redirects to HTTPS"
        lines.append(line)
    return lines


class _Drawing:
    """One traffic diagram: walks each stack's edge, gateways down to backends, adding nodes
    and edges."""

    def __init__(self, objects: Sequence[Obj], stacks: Sequence[Obj],
                 plan: Sequence[Obj]) -> None:
        self.objects = objects
        self.stacks = stacks
        self.plan = plan
        self.graph = _Graph()
        self.client = self.graph.node("client", "client", ["client"], "client")
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

    def _plan_of(self, stack: Obj | None, kind: str) -> list[Obj]:
        """The stack's plan entries of type `kind` (its resources are named after it)."""
        found = [e for e in self.plan if e["type"] == kind and (
            stack is None or e["name"].startswith(f"{stack['name']}-"))]
        return sorted(found, key=lambda e: e["name"])

    def _waf(self, stack: Obj | None) -> str | None:
        """The WAF in front of the stack's L7 load balancer, drawn as its own hop."""
        for assoc in self._plan_of(stack, "aws:wafv2/webAclAssociation:WebAclAssociation"):
            acl = assoc["inputs"]["webAclArn"]
            return self.graph.node(f"waf {acl}", f"waf {_arn_name(acl)}",
                                   ["AWS WAF", f"web ACL {_arn_name(acl)}"], "waf", "aws-waf")
        for policy in self._plan_of(stack, "azure-native:network:WebApplicationFirewallPolicy"):
            inputs = policy["inputs"]
            rules = ", ".join(f"{r['ruleSetType']} {r['ruleSetVersion']}" for r in (
                inputs.get("managedRules") or {}).get("managedRuleSets") or [])
            mode = (inputs.get("policySettings") or {}).get("mode", "")
            return self.graph.node(f"waf {policy['name']}", f"waf {inputs['policyName']}",
                                   ["Azure WAF policy", f"{mode}, {rules}".strip(", ")],
                                   "waf", "azure-waf")
        return None

    def _l7(self, stack: Obj) -> str:
        """The stack's L7 load balancer (ALB or Application Gateway) behind its WAF."""
        cloud, name = stack["cloud"], stack["name"]
        agc = "Application Gateway for Containers" in stack.get("edge", {}).get(
            "loadBalancer", "")
        lines = [("Azure Application Gateway for Containers" if agc
                  else _LOAD_BALANCERS[(cloud, "L7")]) + (
            " (internal)" if stack["scheme"] == "internal" else "")]
        for listener in self._plan_of(stack, "aws:lb/listener:Listener"):
            lines.append(_alb_listener(listener))
        for gateway in self._plan_of(stack, "azure-native:network:ApplicationGateway"):
            lines += _appgw_lines(gateway)
            if stack["topology"] == "standalone":  # AGIC writes the listeners from Ingresses
                lines = [*lines[:2], *(f"{listener} (through AGIC)"
                                       for listener in stack["listeners"])]
        if len(lines) == 1:  # no plan: the config's listeners
            lines += list(stack["listeners"])
        lb_id = self.graph.node(f"lb l7 {name}", f"lb {name}", lines, "balancer",
                                _icon(cloud, "L7"))
        waf = self._waf(stack)
        if waf:
            self.graph.edge(self.client, waf)
            self.graph.edge(waf, lb_id)
        else:
            self.graph.edge(self.client, lb_id)
        return lb_id

    def _front(self, service: Obj, deployments: Sequence[Obj]) -> str:
        """The hops from the client to the gateway Service's pods; returns the last one."""
        stack = self._stack_for(service)
        chained = stack["topology"] == "chained" if stack else _trusts_proxies(deployments)
        cloud = stack["cloud"] if stack else _annotated_cloud(service)
        kind = service["spec"].get("type", "ClusterIP")
        internal = stack["scheme"] == "internal" if stack else _annotated_internal(service)
        ref = f"Service {_ref(service)} ({kind})"
        if stack and chained:
            l7 = self._l7(stack)
            if kind != "LoadBalancer":  # ALB IP targets: straight to the gateway's pods
                self.graph.add_lines(l7, [f"targets the pods of {ref}"])
                return l7
            # Application Gateway's backend pool is the gateway's internal load balancer.
            lb_id = self.graph.node(f"lb {_ref(service)}", f"lb {service['metadata']['name']}",
                                    [_LOAD_BALANCERS[(cloud, "L4")] + " (internal)", ref,
                                     *_service_lines(service)], "balancer", _icon(cloud, "L4"))
            self.graph.edge(l7, lb_id)
            return lb_id
        layer = "L7" if chained else "L4"
        name = _LOAD_BALANCERS[(cloud, layer)] + (" (internal)" if internal else "")
        lines = [name, ref, *(_service_lines(service) if kind == "LoadBalancer" else [])]
        lb_id = self.graph.node(f"lb {_ref(service)}", f"lb {service['metadata']['name']}",
                                lines, "balancer", _icon(cloud, layer))
        self.graph.edge(self.client, lb_id)
        return lb_id

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
        fronts = [self._front(svc, deployments) for svc in services]
        gw_id = self.graph.node(
            f"gw {_ref(gw)}", f"gateway {meta['name']}",
            [f"Istio gateway {_ref(gw)}", *(_replicas(d, self.objects) for d in deployments)],
            "gateway", "istio",
        )
        for source in fronts or [self.client]:
            self.graph.edge(source, gw_id)
        lb_tls = set().union(*(_tls_ports(svc) for svc in services))
        served: dict[str, list[str]] = {}
        for server in spec.get("servers") or []:
            for host in server.get("hosts") or []:
                served.setdefault(host.rpartition("/")[2], []).append(
                    _server_line(server, lb_tls))
        hosts: dict[str, list[str]] = {}
        routes: dict[str, list[str]] = {}
        for vs in self.virtual_services.values():
            if not self._binds(vs, meta["namespace"], meta["name"]):
                continue
            parents = []
            for host in vs["spec"].get("hosts") or []:
                # The route's host, with the servers (listeners) that accept it: its own, or a
                # wildcard's, which says so.
                covering = [h for h in served if h == "*" or host_covers(h, host)]
                lines = [line if name == host else f"{line} (listener {name})"
                         for name in covering for line in served[name]]
                host_id = self.graph.node(f"host {_ref(gw)} {host}", f"host {host}",
                                          [host, *lines], "host", "k8s-ing")
                self.graph.edge(gw_id, host_id)
                parents.append(host_id)
                hosts.setdefault(host, []).append(host_id)
            self.routes(vs, parents, set(), routes)
        self.rate_limits(gw_id, selector, hosts, routes)

    def rate_limits(self, gw_id: str, selector: Mapping[str, str],
                    hosts: Mapping[str, list[str]], routes: Mapping[str, list[str]]) -> None:
        """The EnvoyFilters on the gateway's pods: local token buckets on the gateway, host or
        route they limit; the global rate-limit service as a hop the gateway checks with."""
        limits: dict[str, dict[str, list[str]]] = {}
        for ef in _of_kind(self.objects, "EnvoyFilter", "networking.istio.io"):
            labels = (ef["spec"].get("workloadSelector") or {}).get("labels") or {}
            if not labels or not _selects(labels, selector):
                continue
            for patch in ef["spec"].get("configPatches") or []:
                value = (patch.get("patch") or {}).get("value") or {}
                if value.get("name") == "envoy.filters.http.ratelimit":
                    config = value.get("typed_config") or {}
                    cluster = (((config.get("rate_limit_service") or {}).get("grpc_service")
                                or {}).get("envoy_grpc") or {}).get("cluster_name", "")
                    service = cluster.split("|")[-1].removesuffix(_CLUSTER_SUFFIX)
                    port = cluster.split("|")[1] if cluster.count("|") >= 3 else ""
                    node = self.graph.node(
                        f"ratelimit {service}", f"ratelimit {service.partition('.')[0]}",
                        ["global rate limit", f"{service}:{port}" if port else service,
                         f"domain {config.get('domain', '')}",
                         "fails closed" if config.get("failure_mode_deny") else "fails open"],
                        "ratelimit", "ratelimit")
                    self.graph.edge(gw_id, node, "checks", dotted=True)
                    continue
                bucket = _bucket(value)
                if bucket is None:
                    continue
                vhost = ((patch.get("match") or {}).get("routeConfiguration") or {}).get(
                    "vhost") or {}
                route = (vhost.get("route") or {}).get("name")
                host, _, port = (vhost.get("name") or "").rpartition(":")
                targets = (routes.get(route, []) if route else hosts.get(host, []) if host
                           else [gw_id])
                for target in targets:
                    limits.setdefault(target, {}).setdefault(_rate(bucket), []).append(port)
        for target, rates in limits.items():
            self.graph.add_lines(target, [
                rate + (f" on :{', :'.join(p for p in ports if p)}" if any(ports) else "")
                for rate, ports in rates.items()])

    @staticmethod
    def _binds(vs: Obj, namespace: str, name: str) -> bool:
        own = vs["metadata"]["namespace"]
        return any(
            (ref.partition("/")[0], ref.partition("/")[2]) == (namespace, name)
            if "/" in ref else (own, ref) == (namespace, name)
            for ref in vs["spec"].get("gateways") or []
        )

    def routes(self, vs: Obj, parents: Sequence[str], seen: set[str],
               found: dict[str, list[str]]) -> None:
        """Each rule of `vs` as a node under `parents`, its destinations and delegates after it;
        `seen` stops delegation cycles; `found` collects route nodes by route name."""
        seen.add(_ref(vs))
        namespace = vs["metadata"]["namespace"]
        for kind in ("http", "tls", "tcp"):
            for i, rule in enumerate(vs["spec"].get(kind) or []):
                label = [rule.get("name") or f"{kind} rule {i + 1}", _match_summary(kind, rule),
                         _action(rule) or ""]
                rule_id = self.graph.node(f"route {_ref(vs)} {kind} {i}",
                                          f"route {label[0]}", label, "route", "route")
                found.setdefault(label[0], []).append(rule_id)
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
                    self.delegate(rule["delegate"], namespace, rule_id, seen, found)

    def delegate(self, ref: Obj, namespace: str, parent: str, seen: set[str],
                 found: dict[str, list[str]]) -> None:
        key = f"{ref.get('namespace', namespace)}/{ref['name']}"
        target = self.virtual_services.get(key)
        if target is None or key in seen:
            node = self.graph.node(f"delegate {key}", f"delegate {ref['name']}",
                                   [f"VirtualService {key}", "delegate"], "route", "route")
            self.graph.edge(parent, node)
        else:
            self.routes(target, [parent], seen, found)

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
                               f"backend {short.partition('.')[0]} {subset or ''}", lines,
                               "backend", "k8s-pod" if subset else "k8s-svc")

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
        """No gateway: the cloud L7 load balancer's own rules (ALB listener rules, AGIC's
        Ingresses) send straight to the backends, which accept plaintext from it."""
        if stack is None:
            lb_id = self.graph.node("lb standalone", "lb", [_LOAD_BALANCERS[(None, "L7")]],
                                    "balancer")
            self.graph.edge(self.client, lb_id)
        else:
            lb_id = self._l7(stack)
        drawn = self.alb_rules(stack, lb_id) + self.ingresses(lb_id) + self.gateway_routes(lb_id)
        if not drawn:
            for pa, ports in self.plaintext_backends():
                selector = (pa["spec"].get("selector") or {}).get("matchLabels") or {}
                pods = ", ".join(f"{k}={v}" for k, v in sorted(selector.items())) or "all pods"
                node = self.graph.node(
                    f"backend {_ref(pa)}", f"backend {pa['metadata']['name']}",
                    [f"{pa['metadata']['namespace']}: {pods}",
                     f":{', :'.join(ports)} mTLS PERMISSIVE"], "backend", "k8s-pod")
                self.graph.edge(lb_id, node)

    def _target_services(self) -> dict[str, tuple[str, Obj]]:
        """Target group ARN -> (namespace, serviceRef) from the TargetGroupBindings."""
        return {
            tgb["spec"]["targetGroupARN"]: (tgb["metadata"]["namespace"], tgb["spec"]["serviceRef"])
            for tgb in _of_kind(self.objects, "TargetGroupBinding", "elbv2.k8s.aws")
        }

    def alb_rules(self, stack: Obj | None, lb_id: str) -> int:
        """The ALB's listener rules (priority, conditions) with their forwards, weights,
        redirects and fixed responses; returns how many were drawn."""
        targets = self._target_services()
        rules = self._plan_of(stack, "aws:lb/listenerRule:ListenerRule")
        rules.sort(key=lambda e: (e["inputs"].get("listenerArn", ""), e["inputs"]["priority"]))
        for rule in rules:
            inputs = rule["inputs"]
            conditions = " and ".join(_alb_condition(c) for c in inputs.get("conditions") or [])
            actions = inputs.get("actions") or []
            lines = [f"rule {inputs['priority']}", conditions or "all requests"]
            for action in actions:
                if action["type"] == "redirect":
                    r = action["redirect"]
                    target = " ".join(r[k] for k in ("host", "path") if not r.get(k, "#{").
                                      startswith("#{"))
                    lines.append(f"redirect {r['statusCode'].removeprefix('HTTP_')} {target}"
                                 .rstrip())
                elif action["type"] == "fixed-response":
                    lines.append(f"responds {action['fixedResponse']['statusCode']}")
            rule_id = self.graph.node(f"alb rule {rule['name']}", f"route {rule['name']}",
                                      lines, "route", "route")
            self.graph.edge(lb_id, rule_id)
            for action in actions:
                groups = ((action.get("forward") or {}).get("targetGroups")
                          or ([{"arn": action["targetGroupArn"]}] if "targetGroupArn" in action
                              else []))
                for group in groups:
                    weight = group.get("weight", 100 if len(groups) == 1 else None)
                    node = self.target_group(group["arn"], targets)
                    self.graph.edge(rule_id, node, None if weight is None else f"{weight}%")
        return len(rules)

    def target_group(self, arn: str, targets: Mapping[str, tuple[str, Obj]]) -> str:
        namespace, ref = targets.get(arn, ("", {}))
        if not ref:
            return self.graph.node(f"tg {arn}", f"backend {_arn_name(arn)}",
                                   [f"target group {_arn_name(arn)}"], "backend", "k8s-svc")
        return self.backend({"host": f"{ref['name']}.{namespace}{_CLUSTER_SUFFIX}",
                             "port": {"number": ref["port"]}}, namespace)

    def gateway_routes(self, lb_id: str) -> int:
        """Gateway API routes of a Gateway that is not Istio's (Application Gateway for
        Containers in standalone): host, rule and its weighted backends; returns how many
        rules were drawn."""
        classes = {(g["metadata"].get("namespace"), g["metadata"]["name"]):
                   g["spec"].get("gatewayClassName")
                   for g in _of_kind(self.objects, "Gateway", "gateway.networking.k8s.io")}
        count = 0
        for kind in ("HTTPRoute", "GRPCRoute"):
            for route in _of_kind(self.objects, kind, "gateway.networking.k8s.io"):
                namespace = route["metadata"]["namespace"]
                parents = {classes.get((p.get("namespace", namespace), p["name"]))
                           for p in route["spec"].get("parentRefs") or []}
                if parents <= {"istio", None}:
                    continue
                for host in route["spec"].get("hostnames") or ["*"]:
                    host_id = self.graph.node(f"host gwapi {host}", f"host {host}", [host],
                                              "host", "k8s-ing")
                    for rule in route["spec"]["rules"]:
                        refs = rule.get("backendRefs") or []
                        if not refs:
                            continue
                        count += 1
                        self.graph.edge(lb_id, host_id)
                        paths = [m["path"]["value"] for m in rule.get("matches") or []
                                 if "path" in m]
                        rule_id = self.graph.node(
                            f"route {_ref(route)} {rule.get('name', count)}",
                            f"route {rule.get('name', route['metadata']['name'])}",
                            [rule.get("name", ""), f"{kind} {_ref(route)}",
                             f"path {', '.join(paths)}" if paths else "all requests"],
                            "route", "route")
                        self.graph.edge(host_id, rule_id)
                        total = sum(r.get("weight", 1) for r in refs) or 1
                        for ref in refs:
                            ns = ref.get("namespace", namespace)
                            node = self.backend(self._gateway_api_dest(ref, ns), ns)
                            share = round(100 * ref.get("weight", 1) / total)
                            self.graph.edge(rule_id, node, f"{share}%")
        return count

    def _gateway_api_dest(self, ref: Obj, namespace: str) -> dict[str, Any]:
        """A backendRef as a destination; a subset's Service (Gateway API has no subsets) as
        its backend's subset."""
        name, dest = ref["name"], {"port": {"number": ref.get("port")}}
        of = "ingresslib.io/subset-of"
        siblings = {s["metadata"]["name"]: s for s in _of_kind(self.objects, "Service")
                    if s["metadata"].get("namespace") == namespace
                    and (s["metadata"].get("labels") or {}).get(of)}
        service = siblings.get(name)
        if service is None:
            return {**dest, "host": f"{name}.{namespace}{_CLUSTER_SUFFIX}"}
        base = service["metadata"]["labels"][of]
        host = f"{base}.{namespace}{_CLUSTER_SUFFIX}"
        subset = name.removeprefix(f"{base}-")
        # The subset's own labels: its selector less what every subset of the backend shares.
        selectors = [set((s["spec"].get("selector") or {}).items()) for s in siblings.values()
                     if s["metadata"]["labels"][of] == base]
        shared = set.intersection(*selectors) if len(selectors) > 1 else set()
        self.subsets.setdefault(host, {}).setdefault(subset, dict(sorted(
            set((service["spec"].get("selector") or {}).items()) - shared)))
        return {**dest, "host": host, "subset": subset}

    def ingresses(self, lb_id: str) -> int:
        """AGIC's Ingresses: host, path, backend Service; returns how many were drawn."""
        count = 0
        for ing in _of_kind(self.objects, "Ingress", "networking.k8s.io"):
            namespace = ing["metadata"]["namespace"]
            for rule in ing["spec"].get("rules") or []:
                host = rule.get("host", "*")
                host_id = self.graph.node(f"host agic {host}", f"host {host}", [host], "host",
                                          "k8s-ing")
                self.graph.edge(lb_id, host_id)
                for path in (rule.get("http") or {}).get("paths") or []:
                    count += 1
                    service = path["backend"]["service"]
                    route_id = self.graph.node(
                        f"route {_ref(ing)} {path.get('path', '/')}",
                        f"route {ing['metadata']['name']}",
                        [f"Ingress {_ref(ing)}",
                         f"path {path.get('pathType', 'Prefix').lower()} {path.get('path', '/')}"],
                        "route", "route")
                    self.graph.edge(host_id, route_id)
                    self.graph.edge(route_id, self.backend(
                        {"host": f"{service['name']}.{namespace}{_CLUSTER_SUFFIX}",
                         "port": {"number": service["port"].get("number")}}, namespace), "100%")
        return count


def traffic(objects: Sequence[Obj], stacks: Sequence[Obj] = (),
            plan: Sequence[Obj] = ()) -> Traffic:
    """The traffic path through the rendered `objects`; `stacks` (the program's IngressStack
    summaries) name the cloud load balancer, `plan` (plan.json's entries) adds its WAF,
    listeners and rules. Deterministic."""
    # Gateway API routing (api: gatewayApi) is drawn as what it does, in the classic shapes.
    objects = [*objects, *classic_view(objects)]
    drawing = _Drawing(objects, stacks, plan)
    gateways = _of_kind(objects, "Gateway", "networking.istio.io")
    for gw in gateways:
        drawing.gateway(gw)
    for stack in stacks:
        if stack["topology"] == "standalone":
            drawing.standalone(stack)
    if not gateways and not stacks and drawing.plaintext_backends():
        drawing.standalone(None)
    return drawing.graph.traffic()


def traffic_diagram(objects: Sequence[Obj], stacks: Sequence[Obj] = (),
                    plan: Sequence[Obj] = ()) -> str:
    """`traffic` as a Mermaid `flowchart LR`."""
    return mermaid(traffic(objects, stacks, plan))
