"""AWS Application Load Balancer, from the plan's `aws:lb/*` resources and the
TargetGroupBindings in the manifests.

Read: the load balancer's attributes (`idleTimeout`, `xffHeaderProcessingMode`,
`enableXffClientPort`, `enableHttp2`, `preserveHostHeader`, `securityGroups`), each listener
(port, protocol, `certificateArn`, `sslPolicy`, `defaultActions`) with its
`aws:lb/listenerCertificate` extras, the listener rules in priority order (conditions
host-header, path-pattern, http-header, http-request-method, query-string; actions forward
with weighted target groups, redirect, fixed-response), target groups (protocol,
protocolVersion, algorithm, health check) and their targets through TargetGroupBinding
`serviceRef`, and the security group's ingress rules as source ranges per listener port.
Plan resources refer to each other by ARN; ARNs are recomputed with the render's own
deterministic fakes (`ingresslib.aws.fakes`).

Request headers as the ALB sets them: X-Forwarded-For appended with ", " and the client IP
(append mode; `ip:port` with xff_client_port), kept (preserve) or removed (remove);
X-Forwarded-Proto and X-Forwarded-Port of the listener.

Sources:
- https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
- https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html
  (rule evaluation by priority, lowest first; default action last)
- https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
  (host-header case-insensitive, path-pattern case-sensitive on the path only, * and ?)
- https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-action-types.html
  (redirect placeholders #{protocol} #{host} #{port} #{path} #{query})
- https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#connection-idle-timeout
  (idle timeout 60 s default, both client and target connections)
- https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
  (defaults: HTTP, traffic-port, /, 30 s interval, 5 s timeout, 5 healthy, 2 unhealthy, 200)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ingresslib.aws.fakes import computed
from ingresslib.lab.front import envoy
from ingresslib.lab.front.acm import acm_names
from ingresslib.lab.front.certs import LabCA
from ingresslib.lab.front.model import (
    Addresses,
    FrontError,
    FrontListener,
    FrontPlan,
    HealthCheck,
    Timeout,
)
from ingresslib.lab.front.render import Render, ref
from ingresslib.lab.front.targets import service_targets

NOT_MODELED = [
    "health check User-Agent (ELB-HealthChecker/2.0): Envoy sends Envoy/HC",
    "X-Amzn-Trace-Id and Envoy's own request id: the front adds neither",
    "desync mitigation and drop_invalid_header_fields: Envoy's own HTTP parsing applies",
    "WAF web ACL association: no WAF in the lab",
    "access logs to S3 (the front logs to stdout)",
    "preserve_host_header=false appending a non-default listener port to Host",
    "stickiness, slow start, deregistration delay",
    "security group rules naming prefix lists or other security groups",
    "TLS policy: CBC suites of the policy are not offered (BoringSSL)",
    "HTTP/2 to clients only with ALPN on HTTPS listeners; no HTTP/2 on plain HTTP listeners",
    "client_keep_alive.seconds (3600 s default)",
]
LB_T = "aws:lb/loadBalancer:LoadBalancer"
TG_T = "aws:lb/targetGroup:TargetGroup"
L_T = "aws:lb/listener:Listener"
SG_T = "aws:ec2/securityGroup:SecurityGroup"


def _region(render: Render) -> str:
    for r in render.plan:
        for v in (r.get("inputs") or {}).values():
            if isinstance(v, str) and v.startswith("arn:aws:elasticloadbalancing:"):
                return v.split(":")[3]
    raise FrontError("plan.json", "aws:lb/*", "no ELB ARN to read the region from")


def _arn(res: dict[str, Any], region: str) -> str:
    return str(computed(res["type"], res["name"], res["inputs"], region).get("arn", ""))


def _status(code: str, obj: str, field_path: str) -> str:
    table = {"HTTP_301": "MOVED_PERMANENTLY", "HTTP_302": "FOUND"}
    if code not in table:
        raise FrontError(obj, field_path, f"redirect status {code!r} is not HTTP_301/HTTP_302")
    return table[code]


def _redirect(red: dict[str, Any], obj: str, field_path: str) -> dict[str, Any]:
    out: dict[str, Any] = {"response_code": _status(red.get("statusCode", ""), obj,
                                                    f"{field_path}.statusCode")}
    proto = red.get("protocol", "#{protocol}")
    if proto != "#{protocol}":
        out["scheme_redirect"] = proto.lower()
    for key, env, keep in (("host", "host_redirect", "#{host}"),
                           ("path", "path_redirect", "/#{path}"),
                           ("port", "port_redirect", "#{port}")):
        val = str(red.get(key, keep))
        if val == keep:
            continue
        if "#{" in val:
            raise FrontError(obj, f"{field_path}.{key}",
                             f"{val!r}: only a literal or {keep!r} is emulated")
        out[env] = int(val) if key == "port" else val
    query = red.get("query", "#{query}")
    if query == "":
        out["strip_query"] = True
    elif query != "#{query}":
        raise FrontError(obj, f"{field_path}.query", f"{query!r}: literal queries not emulated")
    return out


def _match(conditions: list[dict[str, Any]], obj: str) -> dict[str, Any]:
    """An Envoy route match for ALB conditions (AND between conditions, OR within one)."""
    m: dict[str, Any] = {"prefix": "/"}
    headers: list[dict[str, Any]] = []
    for i, cond in enumerate(conditions):
        field_path = f"inputs.conditions[{i}]"
        if "pathPattern" in cond:
            alts = "|".join(envoy.glob_regex(v) for v in cond["pathPattern"]["values"])
            m = {**{k: v for k, v in m.items() if k != "prefix"},
                 "safe_regex": {"regex": f"(?:{alts})"}}
        elif "hostHeader" in cond:
            alts = "|".join(envoy.glob_regex(v) for v in cond["hostHeader"]["values"])
            headers.append({"name": ":authority", "string_match": {
                "safe_regex": {"regex": rf"(?i)(?:{alts})(?::\d+)?"}}})
        elif "httpHeader" in cond:
            h = cond["httpHeader"]
            alts = "|".join(envoy.glob_regex(v) for v in h["values"])
            headers.append({"name": h["httpHeaderName"].lower(), "string_match": {
                "safe_regex": {"regex": f"(?i)(?:{alts})"}}})
        elif "httpRequestMethod" in cond:
            alts = "|".join(cond["httpRequestMethod"]["values"])
            headers.append({"name": ":method", "string_match": {
                "safe_regex": {"regex": f"(?:{alts})"}}})
        elif "queryString" in cond:
            qs = []
            for kv in cond["queryString"]["values"]:
                if not kv.get("key"):
                    raise FrontError(obj, f"{field_path}.queryString", "a value without key is "
                                     "not emulated")
                qs.append({"name": kv["key"], "string_match": {"safe_regex": {
                    "regex": f"(?i){envoy.glob_regex(kv['value'])}"}}})
            m["query_parameters"] = qs
        else:
            raise FrontError(obj, field_path, f"condition {sorted(cond)} is not emulated "
                             "(source-ip conditions have no Envoy route match)")
    if headers:
        m["headers"] = headers
    return m


class _Alb:
    def __init__(self, render: Render, addresses: Addresses, ca: LabCA,
                 external: Mapping[str, Sequence[str]]) -> None:
        self.render, self.addresses, self.ca, self.external = render, addresses, ca, external
        self.region = _region(render)
        lbs = [r for r in render.resources("lb/loadBalancer:LoadBalancer")
               if r["inputs"].get("loadBalancerType", "application") == "application"]
        if len(lbs) != 1:
            raise FrontError("plan.json", LB_T, f"{len(lbs)} application load balancers: "
                             "the lab fronts one")
        self.lb = lbs[0]
        self.tgs = {_arn(r, self.region): r for r in render.resources(
            "lb/targetGroup:TargetGroup")}
        self.clusters: dict[str, dict[str, Any]] = {}
        self.health_checks: list[HealthCheck] = []
        self.not_modeled = list(NOT_MODELED)
        self.idle = float(self.lb["inputs"].get("idleTimeout", 60))

    # Target groups -----------------------------------------------------------------------
    def cluster(self, arn: str, via: str) -> str:
        tg = self.tgs.get(arn)
        if tg is None:
            raise FrontError(via, "targetGroupArn", f"{arn} is no target group of the plan")
        name = envoy.safe_name("alb", tg["name"])
        if name in self.clusters:
            return name
        obj, inp = ref(tg), tg["inputs"]
        tgbs = [b for b in self.render.kind("TargetGroupBinding")
                if (b.get("spec") or {}).get("targetGroupARN") == arn]
        if not tgbs:
            raise FrontError(obj, "targets", "no TargetGroupBinding names this target group, "
                             "so the render registers no targets")
        endpoints: list[tuple[str, int]] = []
        gateway = False
        for b in tgbs:
            sref = b["spec"]["serviceRef"]
            ips, tport, gw = service_targets(self.render, self.addresses,
                                             b["metadata"]["namespace"], sref["name"],
                                             sref["port"], via=ref(b))
            gateway = gateway or gw
            endpoints.extend((ip, tport) for ip in ips)
        proto = inp.get("protocol", "HTTP")
        version = inp.get("protocolVersion", "HTTP1")
        hc = self._health_check(tg, endpoints, gateway, name)
        algo = {"round_robin": "ROUND_ROBIN", "least_outstanding_requests": "LEAST_REQUEST",
                "weighted_random": "RANDOM"}.get(inp.get("loadBalancingAlgorithmType",
                                                         "round_robin"))
        if algo is None:
            raise FrontError(obj, "inputs.loadBalancingAlgorithmType", "unknown algorithm")
        tls = envoy.upstream_tls() if proto == "HTTPS" else None
        self.clusters[name] = envoy.cluster(
            name, endpoints, hc=hc, data_socket=tls,
            hc_socket=envoy.upstream_tls() if hc and hc.protocol == "HTTPS" else None,
            http2=version in ("HTTP2", "GRPC"), idle=self.idle, lb_policy=algo,
            hc_http2=version == "GRPC" or (hc is not None and hc.protocol == "GRPC"))
        return name

    def _health_check(self, tg: dict[str, Any], endpoints: list[tuple[str, int]],
                      gateway: bool, cluster: str) -> HealthCheck | None:
        obj, h = ref(tg), tg["inputs"].get("healthCheck") or {}
        if h.get("enabled") is False:
            return None
        port_raw = str(h.get("port", "traffic-port"))
        if port_raw == "traffic-port":
            port = endpoints[0][1]
        elif port_raw.isdigit():
            port = self.addresses.gateway_port(int(port_raw)) if gateway else int(port_raw)
        else:
            raise FrontError(obj, "inputs.healthCheck.port", f"{port_raw!r} is not a port")
        proto = str(h.get("protocol", "HTTP")).upper()
        if tg["inputs"].get("protocolVersion") == "GRPC" and proto != "TCP":
            # A gRPC call; its codes are gRPC statuses (default 12 on /AWS.ALB/healthcheck).
            proto = "GRPC"
            h = {"path": "/AWS.ALB/healthcheck", "matcher": "12", **h}
            self.not_modeled.append("gRPC health checks pass on HTTP 200: the grpc-status is "
                                    "not compared with the matcher's gRPC codes")
        hc = HealthCheck(
            name=obj, target_ip=endpoints[0][0], port=port, protocol=proto,
            path=h.get("path", "/") if proto != "TCP" else "",
            interval=float(h.get("interval", 30)), timeout=float(h.get("timeout", 5)),
            healthy_threshold=int(h.get("healthyThreshold", 5)),
            unhealthy_threshold=int(h.get("unhealthyThreshold", 2)),
            healthy_codes=envoy.codes(str(h.get("matcher", "200")), obj,
                                      "inputs.healthCheck.matcher") if proto != "TCP" else (),
            cluster=cluster, source=f"{obj} inputs.healthCheck")
        self.health_checks.append(hc)
        return hc

    # Routes ------------------------------------------------------------------------------
    def action_route(self, actions: list[dict[str, Any]], obj: str, field_path: str
                     ) -> dict[str, Any]:
        ordered = sorted(enumerate(actions), key=lambda ia: (ia[1].get("order", 0), ia[0]))
        for i, act in ordered[:-1]:
            raise FrontError(obj, f"{field_path}[{i}].type",
                             f"action {act.get('type')!r} before the last is not emulated")
        if not ordered:
            raise FrontError(obj, field_path, "no action")
        i, act = ordered[-1]
        kind, fp = act.get("type"), f"{field_path}[{i}]"
        if kind == "forward":
            groups = (act.get("forward") or {}).get("targetGroups") or (
                [{"arn": act["targetGroupArn"], "weight": 1}] if act.get("targetGroupArn")
                else [])
            if not groups:
                raise FrontError(obj, f"{fp}.forward.targetGroups", "missing")
            if len(groups) == 1:
                route: dict[str, Any] = {"cluster": self.cluster(groups[0]["arn"], obj)}
            else:
                route = {"weighted_clusters": {"clusters": [
                    {"name": self.cluster(g["arn"], obj), "weight": int(g.get("weight", 1))}
                    for g in groups]}}
            route.update({"timeout": "0s", "idle_timeout": envoy.dur(self.idle + 1),
                          "retry_policy": {"num_retries": 0,
                                           "per_try_idle_timeout": envoy.dur(self.idle)}})
            return {"route": route}
        if kind == "redirect":
            return {"redirect": _redirect(act.get("redirect") or {}, obj, f"{fp}.redirect")}
        if kind == "fixed-response":
            fr = act.get("fixedResponse") or {}
            out: dict[str, Any] = {"direct_response": {
                "status": int(fr.get("statusCode", 200)),
                "body": {"inline_string": fr.get("messageBody", "")}}}
            if fr.get("contentType"):
                out["response_headers_to_add"] = [envoy.header("content-type",
                                                               fr["contentType"])]
            return out
        raise FrontError(obj, f"{fp}.type", f"action {kind!r} is not emulated")

    def route_config(self, listener: dict[str, Any], listener_arn: str, scheme: str
                     ) -> dict[str, Any]:
        obj, port = ref(listener), int(listener["inputs"]["port"])
        rules = [r for r in self.render.resources("lb/listenerRule:ListenerRule")
                 if r["inputs"].get("listenerArn") == listener_arn]
        for r in rules:
            if not isinstance(r["inputs"].get("priority"), int):
                raise FrontError(ref(r), "inputs.priority", "missing")
        routes = []
        for r in sorted(rules, key=lambda r: r["inputs"]["priority"]):
            routes.append({"name": r["name"], "match": _match(r["inputs"]["conditions"],
                                                              ref(r)),
                           **self.action_route(r["inputs"]["actions"], ref(r),
                                               "inputs.actions")})
        routes.append({"name": f"{listener['name']}-default", "match": {"prefix": "/"},
                       **self.action_route(listener["inputs"].get("defaultActions") or [],
                                           obj, "inputs.defaultActions")})
        inp = self.lb["inputs"]
        mode = inp.get("xffHeaderProcessingMode", "append")
        add = [envoy.header("x-forwarded-proto", scheme),
               envoy.header("x-forwarded-port", str(port))]
        remove = []
        if mode == "remove":
            remove.append("x-forwarded-for")
        elif mode not in ("append", "preserve"):
            raise FrontError(ref(self.lb), "inputs.xffHeaderProcessingMode", f"{mode!r}")
        return {"name": listener["name"], "request_headers_to_add": add,
                "request_headers_to_remove": remove,
                "virtual_hosts": [{"name": listener["name"], "domains": ["*"],
                                   "routes": routes}]}

    # Listeners ---------------------------------------------------------------------------
    def source_ranges(self, port: int) -> tuple[str, ...]:
        sg_ids = set(self.lb["inputs"].get("securityGroups") or [])
        plan_sgs = {computed(SG_T, r["name"], r["inputs"], self.region)["id"]
                    for r in self.render.resources("ec2/securityGroup:SecurityGroup")}
        if not sg_ids or not sg_ids <= plan_sgs:
            self.not_modeled.append("security groups not registered by this stack: every "
                                    "source allowed")
            return ("0.0.0.0/0",)
        out = []
        for r in self.render.resources("securityGroupIngressRule:SecurityGroupIngressRule"):
            i = r["inputs"]
            if i.get("securityGroupId") not in sg_ids or not i.get("cidrIpv4"):
                continue
            if str(i.get("ipProtocol")) == "-1" or (
                    i.get("ipProtocol") == "tcp"
                    and int(i.get("fromPort", 0)) <= port <= int(i.get("toPort", 65535))):
                out.append(i["cidrIpv4"])
        return tuple(dict.fromkeys(out))

    def build(self) -> FrontPlan:
        listeners, fl, timeouts = [], [], []
        for lst in self.render.resources("lb/listener:Listener"):
            obj, li = ref(lst), lst["inputs"]
            port, proto = int(li["port"]), li.get("protocol", "HTTP")
            if proto not in ("HTTP", "HTTPS"):
                raise FrontError(obj, "inputs.protocol", f"{proto!r} on an ALB")
            tls = proto == "HTTPS"
            route_config = self.route_config(lst, _arn(lst, self.region),
                                             "https" if tls else "http")
            ranges = self.source_ranges(port)
            manager = envoy.hcm(f"alb_{port}", route_config, idle=self.idle)
            if self.lb["inputs"].get("xffHeaderProcessingMode", "append") == "append":
                # ELB appends ", client" (its documented format).
                manager["typed_config"]["http_filters"].insert(0, envoy.xff_lua(
                    port=bool(self.lb["inputs"].get("enableXffClientPort")), separator=", "))
            # ALB: 502 when a target refuses or resets, 504 when it is silent past the idle
            # timeout, 503 when the target group has no healthy target.
            envoy.local_replies(manager, {"UF": 502, "URX": 502, "UT": 504, "UH": 503})
            manager["typed_config"]["codec_type"] = "AUTO" if tls else "HTTP1"
            filters = [envoy.rbac_source(f"alb_{port}_sg", ranges), manager]
            chains, cert, alpn, policy = [{"filters": filters}], None, (), ""
            if tls:
                chains, cert, alpn, policy = self._tls_chains(lst, filters)
            bind = self.addresses.bind_port(port)
            listeners.append(envoy.listener(envoy.safe_name(lst["name"]), self.addresses.front_ip,
                                            bind, chains,
                                            [envoy.TLS_INSPECTOR] if len(chains) > 1 else []))
            timeouts.append(Timeout("http-idle", self.idle, f"listener {proto}:{port}",
                                    f"{ref(self.lb)} inputs.idleTimeout"))
            fl.append(FrontListener(
                name=f"{proto}:{port}", ip=self.addresses.front_ip, port=port, bind_port=bind,
                protocol=proto, certificate=cert, hostnames=cert.hostnames if cert else (),
                alpn_policy="h2+http/1.1" if alpn == ("h2", "http/1.1") else (
                    "http/1.1" if tls else ""), alpn_protocols=alpn, tls_policy=policy,
                idle_timeout=self.idle, source_ranges=ranges, source=obj))
        return FrontPlan(
            product="aws-alb",
            bootstrap=envoy.bootstrap(self.addresses, listeners, list(self.clusters.values())),
            listeners=fl, health_checks=self.health_checks, timeouts=timeouts,
            not_modeled=list(dict.fromkeys(self.not_modeled)), ca_pem=self.ca.pem,
            proxy_protocol=dict.fromkeys(self.clusters, False))

    def _tls_chains(self, lst: dict[str, Any], filters: list[dict[str, Any]]):
        obj, li = ref(lst), lst["inputs"]
        if not li.get("certificateArn"):
            raise FrontError(obj, "inputs.certificateArn", "missing on an HTTPS listener")
        policy = li.get("sslPolicy", "ELBSecurityPolicy-2016-08")
        params = envoy.tls_params(policy, obj, "inputs.sslPolicy")
        alpn = ("h2", "http/1.1") if self.lb["inputs"].get("enableHttp2", True) else (
            "http/1.1",)
        names, src = acm_names(self.render, li["certificateArn"], self.external, obj,
                               "inputs.certificateArn")
        cert = self.ca.mint(li["certificateArn"], names, src)
        chains = [{"filters": filters,
                   "transport_socket": envoy.downstream_tls(cert, alpn, params)}]
        arn = _arn(lst, self.region)
        for extra in self.render.resources("listenerCertificate:ListenerCertificate"):
            if extra["inputs"].get("listenerArn") != arn:
                continue
            n, s = acm_names(self.render, extra["inputs"]["certificateArn"], self.external,
                             ref(extra), "inputs.certificateArn")
            c = self.ca.mint(extra["inputs"]["certificateArn"], n, s)
            chains.insert(0, {"filter_chain_match": {"server_names": list(n)},
                              "filters": filters,
                              "transport_socket": envoy.downstream_tls(c, alpn, params)})
        return chains, cert, alpn, policy


def build(render: Render, addresses: Addresses, ca: LabCA,
          external: Mapping[str, Sequence[str]]) -> FrontPlan:
    return _Alb(render, addresses, ca, external).build()
