"""AWS Network Load Balancer, as the AWS Load Balancer Controller makes it from a Service.

Read from the Service (type LoadBalancer, annotation `aws-load-balancer-type: external|nlb`):
one listener per Service port; TLS termination on the `ssl-ports` with `ssl-cert`,
`ssl-negotiation-policy` and `alpn-policy`; PROXY protocol v2 to the targets when
`proxy-protocol: "*"` or `target-group-attributes` has `proxy_protocol_v2.enabled=true` (the
attribute wins); `backend-protocol: ssl` re-encrypts to targets; health checks from the
`healthcheck-*` annotations (a numeric port is probed on the targets as given, whether or not
the Service has it; a port name is looked up among the Service's ports; with PROXY protocol
on, HTTP(S) health checks start with a PROXY v2 header carrying no client address, the LOCAL
command; TCP health checks are a bare connect that sends nothing); the TCP idle timeout from
`listener-attributes.TCP-<port>: tcp.idle_timeout.seconds=N` (TLS listeners: 350 s, fixed);
`loadBalancerSourceRanges` or `source-ranges` as the security group.

Sources:
- https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
  (defaults: health check TCP on traffic-port, path /, interval 10 s, timeout 10 s, thresholds
  3/3, success codes 200-399; ssl-negotiation-policy ELBSecurityPolicy-2016-08; ssl-ports all
  when unset; alpn-policy None)
- kubernetes-sigs/aws-load-balancer-controller pkg/service/model_build_listener.go
  buildListeners (a listener per Service port) and model_build_target_group.go
  buildTargetGroupHealthCheckPort (traffic-port; a number used as given; a name looked up on
  the Service, its targetPort for IP targets, refused when that is a name)
- https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html
  (TCP idle timeout default 350 s, 60-6000; TLS listeners 350 s, not modifiable)
- https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html#connection-idle-timeout
  (after the idle timeout, data from either end is answered with a TCP RST)
- https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-tls-listener.html
  (ALPN policies HTTP1Only, HTTP2Only, HTTP2Optional, HTTP2Preferred, None)
- https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#proxy-protocol
  ("the proxy protocol header is also included in health check connections from the load
  balancer. However, with health check connections, the client connection information is not
  sent"); a TCP health check opens and closes the connection without data (gitlab-org/charts
  /gitlab!3014: nginx logs an empty PROXY header for each)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ingresslib.lab.front import envoy
from ingresslib.lab.front.acm import acm_names
from ingresslib.lab.front.certs import LabCA
from ingresslib.lab.front.model import (
    Addresses,
    Certificate,
    FrontError,
    FrontListener,
    FrontPlan,
    HealthCheck,
    Timeout,
)
from ingresslib.lab.front.render import Render, ref, service_ports
from ingresslib.lab.front.targets import service_targets

A = "service.beta.kubernetes.io/aws-load-balancer-"
ALPN = {"HTTP1Only": ("http/1.1",), "HTTP2Only": ("h2",), "HTTP2Optional": ("http/1.1", "h2"),
        "HTTP2Preferred": ("h2", "http/1.1"), "None": ()}
TLS_IDLE = 350.0
NOT_MODELED = [
    "client IP preservation: the target sees the front's address, not the client's (PROXY v2 "
    "still carries the client address when enabled)",
    "cross-zone load balancing, zones, EIPs, subnets, scheme (one front address)",
    "deregistration delay and connection termination on deregistration",
    "health checks come from the front's address, not the NLB's private addresses; "
    "instance targets and node ports are collapsed onto the pod",
    "TLS policy: CBC suites of the policy are not offered (BoringSSL)",
    "idle timeout: the NLB forgets the flow (RST on the next packet); the lab closes it",
    "target-type instance with externalTrafficPolicy Local: kube-proxy's health check node "
    "port has no stand-in (the check is reported, not run; targets stay in rotation)",
]


def is_nlb(svc: dict[str, Any]) -> bool:
    ann = (svc.get("metadata") or {}).get("annotations") or {}
    return ((svc.get("spec") or {}).get("type") == "LoadBalancer"
            and (ann.get(A + "type") in ("external", "nlb")
                 or A + "nlb-target-type" in ann))


def _kv(raw: str) -> dict[str, str]:
    out = {}
    for item in raw.split(","):
        k, sep, v = item.strip().partition("=")
        if sep:
            out[k.strip()] = v.strip()
    return out


def _list(raw: str) -> list[str]:
    return [x.strip() for x in raw.split(",") if x.strip()]


def _int(obj: str, ann: dict[str, str], key: str, default: int) -> int:
    raw = ann.get(A + key)
    if raw is None:
        return default
    if not str(raw).strip().isdigit():
        raise FrontError(obj, f"metadata.annotations[{A + key}]", f"{raw!r} is not a number")
    return int(raw)


@dataclass(frozen=True)
class _Settings:
    """The NLB the controller makes from the Service's annotations."""

    proxy_protocol: bool
    target_type: str
    # Instance targets under externalTrafficPolicy Local with no healthcheck-port: the
    # controller checks kube-proxy's health check node port (HTTP /healthz).
    node_health_port: bool
    backend_tls: bool
    certs: tuple[str, ...]
    ssl_ports: tuple[str, ...]
    policy: str
    alpn_policy: str
    hc_proto: str
    hc_port: str
    hc_path: str
    interval: int
    timeout: int
    healthy: int
    unhealthy: int
    ok_codes: tuple[tuple[int, int], ...]
    ranges: tuple[str, ...]


def _settings(obj: str, ann: dict[str, str], spec: dict[str, Any]) -> _Settings:
    tg_attrs = _kv(ann.get(A + "target-group-attributes", ""))
    pp = ann.get(A + "proxy-protocol", "").strip() == "*"
    if "proxy_protocol_v2.enabled" in tg_attrs:
        pp = tg_attrs["proxy_protocol_v2.enabled"].lower() == "true"
    certs = tuple(_list(ann.get(A + "ssl-cert", "")))
    alpn_policy = ann.get(A + "alpn-policy", "None")
    if alpn_policy not in ALPN:
        raise FrontError(obj, f"metadata.annotations[{A}alpn-policy]",
                         f"{alpn_policy!r} is not one of {', '.join(ALPN)}")
    target_type = ann.get(A + "nlb-target-type", "instance")
    node_health_port = (target_type == "instance"
                        and spec.get("externalTrafficPolicy") == "Local"
                        and A + "healthcheck-port" not in ann)
    # The controller's defaults: TCP on the traffic port; HTTP /healthz on kube-proxy's health
    # check node port for instance targets under Local.
    hc_proto = ann.get(A + "healthcheck-protocol", "http" if node_health_port else "tcp").upper()
    if hc_proto not in ("TCP", "HTTP", "HTTPS"):
        raise FrontError(obj, f"metadata.annotations[{A}healthcheck-protocol]",
                         f"{hc_proto!r} is not tcp, http or https")
    if node_health_port:
        _node_health_port_check(obj, hc_proto, pp)
    ranges = list(spec.get("loadBalancerSourceRanges") or []) or _list(
        ann.get(A + "source-ranges", "")) or ["0.0.0.0/0"]
    return _Settings(
        proxy_protocol=pp, target_type=target_type, node_health_port=node_health_port,
        backend_tls=ann.get(A + "backend-protocol", "tcp").lower() == "ssl",
        certs=certs, ssl_ports=tuple(_list(ann.get(A + "ssl-ports", "*"))) if certs else (),
        policy=ann.get(A + "ssl-negotiation-policy", "ELBSecurityPolicy-2016-08"),
        alpn_policy=alpn_policy, hc_proto=hc_proto,
        hc_port=ann.get(A + "healthcheck-port", "traffic-port"),
        hc_path=ann.get(A + "healthcheck-path", "/healthz" if node_health_port else "/"),
        interval=_int(obj, ann, "healthcheck-interval", 10),
        timeout=_int(obj, ann, "healthcheck-timeout", 10),
        healthy=_int(obj, ann, "healthcheck-healthy-threshold", 3),
        unhealthy=_int(obj, ann, "healthcheck-unhealthy-threshold", 3),
        ok_codes=envoy.codes(ann.get(A + "healthcheck-success-codes", "200-399"), obj,
                             f"metadata.annotations[{A}healthcheck-success-codes]"),
        ranges=tuple(ranges))


def _node_health_port_check(obj: str, hc_proto: str, proxy_protocol: bool) -> None:
    """What kube-proxy's health check node port can answer: plain HTTP, 200 only on a node
    with a ready local endpoint, and no PROXY header. Anything else is refused by name, since
    the lab cannot run this check to show it."""
    protocol = f"metadata.annotations[{A}healthcheck-protocol]"
    if hc_proto == "TCP":
        raise FrontError(obj, protocol, "a TCP check of kube-proxy's health check node port "
                         "passes on every node, and under externalTrafficPolicy Local a node "
                         "with no gateway pod drops the traffic it is sent; check it over HTTP")
    if hc_proto == "HTTPS":
        raise FrontError(obj, protocol, "kube-proxy's health check node port serves plain "
                         "HTTP: an HTTPS check fails on every node")
    if proxy_protocol:
        raise FrontError(obj, f"metadata.annotations[{A}healthcheck-port]",
                         "with PROXY protocol on the target group its health checks carry the "
                         "header too, which kube-proxy's health check node port refuses "
                         "(EDGE-HC-PROXY): check traffic-port")


def _certificate(render: Render, obj: str, st: _Settings, ca: LabCA,
                 external: Mapping[str, Sequence[str]]) -> Certificate | None:
    if not st.certs:
        return None
    names: list[str] = []
    sources = []
    for arn in st.certs:
        n, src = acm_names(render, arn, external, obj, f"metadata.annotations[{A}ssl-cert]")
        names.extend(n)
        sources.append(src)
    return ca.mint(",".join(st.certs), tuple(dict.fromkeys(names)), "; ".join(sources))


def _idle(obj: str, ann: dict[str, str], port: int, tls: bool) -> tuple[float, str]:
    if tls:
        return TLS_IDLE, "NLB TLS listener idle timeout (350 s, fixed)"
    key = f"{A}listener-attributes.TCP-{port}"
    raw = _kv(ann.get(key, "")).get("tcp.idle_timeout.seconds", "350")
    if not raw.isdigit():
        raise FrontError(obj, f"metadata.annotations[{key}]",
                         f"tcp.idle_timeout.seconds={raw!r} is not a number")
    return float(raw), (f"{obj} annotation {key}" if key in ann else "NLB default (350 s)")


def _health_port(obj: str, st: _Settings, svc: dict[str, Any]) -> int:
    """The pod port a health check port other than traffic-port names: a number as given,
    whether or not the Service has it; a name looked up among the Service's ports, its
    numeric targetPort (what the controller does for IP targets)."""
    if st.hc_port.isdigit():
        return int(st.hc_port)
    key = f"metadata.annotations[{A}healthcheck-port]"
    named = next((q for q in service_ports(svc) if q.get("name") == st.hc_port), None)
    if named is None:
        raise FrontError(obj, key, f"{st.hc_port!r} is neither traffic-port, a port number nor "
                                   "a Service port's name: the controller cannot resolve it")
    tp = named.get("targetPort", named.get("port"))
    if not str(tp).isdigit():
        raise FrontError(obj, key, f"{st.hc_port!r} names a Service port whose targetPort is "
                                   "a name: the controller refuses it for IP targets")
    return int(tp)


def _health_check(obj: str, st: _Settings, port: int, *, ips: list[str], tport: int,
                  addresses: Addresses, cluster: str, svc: dict[str, Any]) -> HealthCheck:
    if st.node_health_port:
        # The controller's defaults for instance targets under Local (HTTP /healthz on
        # kube-proxy's port, answering for the node's local endpoints): no stand-in.
        return HealthCheck(
            name=f"{obj} port {port}", target_ip="", port=0, protocol="HTTP", path=st.hc_path,
            interval=st.interval, timeout=st.timeout, healthy_threshold=st.healthy,
            unhealthy_threshold=st.unhealthy, healthy_codes=st.ok_codes, cluster=cluster,
            emulated=False, source="target-type instance under externalTrafficPolicy Local: "
                                   "kube-proxy's healthCheckNodePort")
    if st.hc_port == "traffic-port":
        hport = tport
    else:
        hport = _health_port(obj, st, svc)
        hport = addresses.gateway_port(hport) if ips == [addresses.gateway_ip] else hport
    http = st.hc_proto != "TCP"
    return HealthCheck(
        name=f"{obj} port {port}", target_ip=ips[0], port=hport, protocol=st.hc_proto,
        path=st.hc_path if http else "", interval=st.interval, timeout=st.timeout,
        healthy_threshold=st.healthy, unhealthy_threshold=st.unhealthy,
        healthy_codes=st.ok_codes if http else (), cluster=cluster,
        proxy_protocol=st.proxy_protocol and http,
        source=f"{obj} annotations {A}healthcheck-*")


def _socket(tls: bool, proxy_protocol: bool) -> dict[str, Any] | None:
    """Raw (None), TLS, PROXY v2 then raw, or PROXY v2 then TLS."""
    inner = envoy.upstream_tls() if tls else None
    if not proxy_protocol:
        return inner
    pp = envoy.proxy_protocol_socket()
    if inner:
        pp["typed_config"]["transport_socket"] = inner
    return pp


def build(render: Render, svc: dict[str, Any], addresses: Addresses, ca: LabCA,
          external: Mapping[str, Sequence[str]]) -> FrontPlan:
    obj = ref(svc)
    meta = svc.get("metadata") or {}
    ns, name = meta["namespace"], meta["name"]
    ann = {k: str(v) for k, v in (meta.get("annotations") or {}).items()}
    st = _settings(obj, ann, svc.get("spec") or {})
    cert = _certificate(render, obj, st, ca, external)
    not_modeled = list(NOT_MODELED)
    if len(st.certs) > 1:
        not_modeled.append("several ssl-cert ARNs: one lab certificate carries all names "
                           "(the NLB picks by SNI)")
    listeners, clusters, fl, hcs, timeouts = [], [], [], [], []
    for p in service_ports(svc):
        port = int(p["port"])
        if p.get("protocol", "TCP") != "TCP":
            not_modeled.append(f"port {port}/{p.get('protocol')}: only TCP ports are emulated")
            continue
        tls = cert is not None and ("*" in st.ssl_ports or str(port) in st.ssl_ports
                                    or p.get("name") in st.ssl_ports)
        proto = "TLS" if tls else "TCP"
        ips, tport, _ = service_targets(render, addresses, ns, name, port, via=obj)
        cname = envoy.safe_name("nlb", name, port)
        hc = _health_check(obj, st, port, ips=ips, tport=tport, addresses=addresses,
                           cluster=cname, svc=svc)
        hcs.append(hc)
        clusters.append(envoy.cluster(
            cname, [(ip, tport) for ip in ips], hc=hc if hc.emulated else None,
            data_socket=_socket(st.backend_tls, st.proxy_protocol),
            hc_socket=_socket(st.hc_proto == "HTTPS", hc.proxy_protocol)))
        idle, idle_src = _idle(obj, ann, port, tls)
        timeouts.append(Timeout("tcp-idle", idle, f"listener {proto}:{port}", idle_src,
                                on_idle="drop"))
        chain: dict[str, Any] = {"filters": [envoy.rbac_source(f"nlb_{port}_sg", st.ranges),
                                             envoy.tcp_proxy(f"nlb_{port}", cname, idle)]}
        alpn = ALPN[st.alpn_policy] if tls else ()
        if tls and cert is not None:
            chain["transport_socket"] = envoy.downstream_tls(cert, alpn, envoy.tls_params(
                st.policy, obj, f"metadata.annotations[{A}ssl-negotiation-policy]"))
        bind = addresses.bind_port(port)
        listeners.append(envoy.listener(f"nlb-{proto.lower()}-{port}", addresses.front_ip, bind,
                                        [chain]))
        fl.append(FrontListener(
            name=f"{proto}:{port}", ip=addresses.front_ip, port=port, bind_port=bind,
            protocol=proto, certificate=cert if tls else None,
            hostnames=cert.hostnames if (tls and cert) else (),
            alpn_policy=st.alpn_policy if tls else "", alpn_protocols=alpn,
            tls_policy=st.policy if tls else "", idle_timeout=idle, source_ranges=st.ranges,
            source=f"{obj} spec.ports[{p.get('name', port)}]"))
    return FrontPlan(
        product="aws-nlb", bootstrap=envoy.bootstrap(addresses, listeners, clusters),
        listeners=fl, health_checks=hcs, timeouts=timeouts, not_modeled=not_modeled,
        ca_pem=ca.pem, proxy_protocol={c["name"]: st.proxy_protocol for c in clusters})
