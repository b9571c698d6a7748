"""Envoy v3 bootstrap pieces shared by the product emulations (static resources only)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ingresslib.lab.front.model import Addresses, Certificate, FrontError, HealthCheck

T = "type.googleapis.com/"
RAW = {"name": "envoy.transport_sockets.raw_buffer",
       "typed_config": {"@type": T + "envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer"}}
# Endpoints carry this transport-socket match for data; health checks ask for "hc", which no
# match names, so they use the cluster's default socket (no PROXY header).
DATA_MATCH = {"data": True}
HC_MATCH = {"hc": True}


def dur(seconds: float) -> str:
    return f"{seconds:g}s"


def sock(ip: str, port: int) -> dict[str, Any]:
    return {"socket_address": {"address": ip, "port_value": int(port)}}


def proxy_protocol_socket() -> dict[str, Any]:
    """PROXY protocol v2 before the bytes of each upstream connection (source = the client)."""
    return {"name": "envoy.transport_sockets.upstream_proxy_protocol",
            "typed_config": {
                "@type": T + "envoy.extensions.transport_sockets.proxy_protocol.v3."
                             "ProxyProtocolUpstreamTransport",
                "config": {"version": "V2"}, "transport_socket": RAW}}


def upstream_tls(sni: str = "", alpn: Sequence[str] = ()) -> dict[str, Any]:
    """TLS to a target without verifying its certificate (ELB and Application Gateway v2 with
    a well-known CA do not pin target certificates)."""
    ctx: dict[str, Any] = {"@type": T + "envoy.extensions.transport_sockets.tls.v3."
                                        "UpstreamTlsContext", "common_tls_context": {}}
    if sni:
        ctx["sni"] = sni
    if alpn:
        ctx["common_tls_context"]["alpn_protocols"] = list(alpn)
    return {"name": "envoy.transport_sockets.tls", "typed_config": ctx}


# TLS 1.2 suites BoringSSL offers; TLS 1.3 suites are not configurable in Envoy.
_GCM = ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384"]
_TLS12_13 = {"min": "TLSv1_2", "max": "TLSv1_3", "ciphers": _GCM}
# Security policies: protocol range and the TLS 1.2 AEAD suites (CBC suites of the older
# policies are not offered: see not_modeled).
TLS_POLICIES: dict[str, dict[str, Any]] = {
    # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
    "ELBSecurityPolicy-TLS13-1-2-2021-06": _TLS12_13,
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06": _TLS12_13,
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06": _TLS12_13,
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06": _TLS12_13,
    "ELBSecurityPolicy-TLS13-1-3-2021-06": {"min": "TLSv1_3", "max": "TLSv1_3", "ciphers": []},
    "ELBSecurityPolicy-TLS-1-2-2017-01": {"min": "TLSv1_2", "max": "TLSv1_2", "ciphers": _GCM},
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": {"min": "TLSv1_2", "max": "TLSv1_2",
                                              "ciphers": _GCM},
    "ELBSecurityPolicy-FS-1-2-Res-2020-10": {"min": "TLSv1_2", "max": "TLSv1_2",
                                             "ciphers": _GCM},
    "ELBSecurityPolicy-2016-08": {"min": "TLSv1_0", "max": "TLSv1_2", "ciphers": _GCM},
    # https://learn.microsoft.com/azure/application-gateway/application-gateway-ssl-policy-overview
    "AppGwSslPolicy20220101": _TLS12_13,
    "AppGwSslPolicy20220101S": _TLS12_13,
    "AppGwSslPolicy20170401S": {"min": "TLSv1_2", "max": "TLSv1_2", "ciphers": _GCM},
    # https://learn.microsoft.com/azure/application-gateway/for-containers/tls-policy
    "2023-06": _TLS12_13,
    "2023-06-S": {"min": "TLSv1_2", "max": "TLSv1_2", "ciphers": _GCM[::-1]},
}


def tls_params(policy: str, obj: str, field_path: str) -> dict[str, Any]:
    if policy not in TLS_POLICIES:
        raise FrontError(obj, field_path, f"TLS policy {policy!r} is not one the lab knows")
    p = TLS_POLICIES[policy]
    out: dict[str, Any] = {"tls_minimum_protocol_version": p["min"],
                           "tls_maximum_protocol_version": p["max"]}
    if p["ciphers"]:
        out["cipher_suites"] = list(p["ciphers"])
    return out


def downstream_tls(cert: Certificate, alpn: Sequence[str], params: dict[str, Any]
                   ) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "tls_certificates": [{"certificate_chain": {"inline_string": cert.cert_pem},
                              "private_key": {"inline_string": cert.key_pem}}],
        "tls_params": params}
    if alpn:
        ctx["alpn_protocols"] = list(alpn)
    return {"name": "envoy.transport_sockets.tls",
            "typed_config": {"@type": T + "envoy.extensions.transport_sockets.tls.v3."
                                          "DownstreamTlsContext",
                             "common_tls_context": ctx}}


TLS_INSPECTOR = {"name": "envoy.filters.listener.tls_inspector",
                 "typed_config": {"@type": T + "envoy.extensions.filters.listener."
                                               "tls_inspector.v3.TlsInspector"}}


def rbac_source(stat: str, cidrs: Sequence[str]) -> dict[str, Any]:
    """Network RBAC: only connections from `cidrs` get through (security group / NSG)."""
    principals = []
    for c in cidrs:
        ip, _, plen = c.partition("/")
        principals.append({"direct_remote_ip": {"address_prefix": ip,
                                                "prefix_len": int(plen or 32)}})
    return {"name": "envoy.filters.network.rbac",
            "typed_config": {"@type": T + "envoy.extensions.filters.network.rbac.v3.RBAC",
                             "stat_prefix": stat,
                             "rules": {"action": "ALLOW", "policies": {"source-ranges": {
                                 "permissions": [{"any": True}],
                                 "principals": principals or [{"not_id": {"any": True}}]}}}}}


def tcp_proxy(stat: str, cluster: str, idle: float | None) -> dict[str, Any]:
    cfg: dict[str, Any] = {"@type": T + "envoy.extensions.filters.network.tcp_proxy.v3."
                                        "TcpProxy", "stat_prefix": stat, "cluster": cluster}
    if idle is not None:
        cfg["idle_timeout"] = dur(idle)
    return {"name": "envoy.filters.network.tcp_proxy", "typed_config": cfg}


ACCESS_LOG = [{"name": "envoy.access_loggers.stdout",
               "typed_config": {"@type": T + "envoy.extensions.access_loggers.stream.v3."
                                             "StdoutAccessLog"}}]


def hcm(stat: str, route_config: dict[str, Any], *, idle: float | None = None
        ) -> dict[str, Any]:
    """An HTTP connection manager that leaves X-Forwarded-For and X-Forwarded-Proto to the
    route configuration (`xff_append`, `header`): Envoy's own append (use_remote_address)
    writes its node address instead of a loopback client's, which is every lab client.
    Envoy generates no request ID (products that add one say so). idle: seconds before an
    idle client connection closes."""
    cfg: dict[str, Any] = {
        "@type": T + "envoy.extensions.filters.network.http_connection_manager.v3."
                     "HttpConnectionManager",
        "stat_prefix": stat, "codec_type": "AUTO", "route_config": route_config,
        "http_filters": [{"name": "envoy.filters.http.router",
                          "typed_config": {"@type": T + "envoy.extensions.filters.http."
                                                        "router.v3.Router"}}],
        "use_remote_address": False, "skip_xff_append": True,
        "generate_request_id": False, "upgrade_configs": [{"upgrade_type": "websocket"}],
        "access_log": ACCESS_LOG,
        # An idle timeout closes at once, as the products do (not after Envoy's 5 s drain).
        "drain_timeout": "0.1s", "delayed_close_timeout": "0.1s",
        # No HTTP-wide stream idle timeout: routes carry the products' own (ALB idle timeout,
        # AppGW request timeout).
        "stream_idle_timeout": "0s",
    }
    if idle is not None:
        cfg["common_http_protocol_options"] = {"idle_timeout": dur(idle)}
    return {"name": "envoy.filters.network.http_connection_manager", "typed_config": cfg}


def local_replies(hcm_filter: dict[str, Any], by_flag: dict[str, int]) -> None:
    """Make Envoy's own error replies carry the product's status: `by_flag` maps response
    flags (UF: upstream connection failure, URX: upstream reset, UT: upstream timeout, UH: no
    healthy upstream) to the status the product answers."""
    hcm_filter["typed_config"]["local_reply_config"] = {"mappers": [
        {"filter": {"response_flag_filter": {"flags": [flag]}}, "status_code": code}
        for flag, code in by_flag.items()]}


def xff_lua(*, port: bool, separator: str) -> dict[str, Any]:
    """An HTTP filter appending the client's address (`ip` or `ip:port` of the connection's
    peer) to X-Forwarded-For with the product's `separator` (", " for ELB), or setting it
    when absent. Put it before the router."""
    code = f"""
function envoy_on_request(h)
  local peer = h:streamInfo():downstreamDirectRemoteAddress()
  {"" if port else 'peer = string.gsub(peer, ":%d+$", "")'}
  local xff = h:headers():get("x-forwarded-for")
  if xff == nil or xff == "" then
    h:headers():replace("x-forwarded-for", peer)
  else
    h:headers():replace("x-forwarded-for", xff .. "{separator}" .. peer)
  end
end
"""
    return {"name": "envoy.filters.http.lua",
            "typed_config": {"@type": T + "envoy.extensions.filters.http.lua.v3.Lua",
                             "default_source_code": {"inline_string": code}}}


def xff_append(*, port: bool) -> dict[str, Any]:
    """Append the client's address (`ip` or `ip:port` of the connection's peer, not what
    X-Forwarded-For claims) to X-Forwarded-For, after what the client sent (Envoy joins values
    of this inline header with ",")."""
    value = ("%DOWNSTREAM_DIRECT_REMOTE_ADDRESS%" if port
             else "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%")
    return header("x-forwarded-for", value, append=True)


def header(key: str, value: str, *, append: bool = False) -> dict[str, Any]:
    return {"header": {"key": key, "value": value},
            "append_action": "APPEND_IF_EXISTS_OR_ADD" if append
            else "OVERWRITE_IF_EXISTS_OR_ADD"}


def listener(name: str, ip: str, port: int, chains: list[dict[str, Any]],
             listener_filters: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "address": sock(ip, port), "filter_chains": chains}
    lf = list(listener_filters)
    if lf:
        out["listener_filters"] = lf
    return out


def health_check(hc: HealthCheck, *, http2: bool = False) -> dict[str, Any]:
    """An Envoy active health check with the product's timing: probes run at `interval` from
    start (no slower no-traffic interval), without jitter."""
    out: dict[str, Any] = {
        "timeout": dur(hc.timeout), "interval": dur(hc.interval),
        "no_traffic_interval": dur(hc.interval), "no_traffic_healthy_interval": dur(hc.interval),
        "unhealthy_interval": dur(hc.interval), "initial_jitter": "0s", "interval_jitter": "0s",
        "healthy_threshold": hc.healthy_threshold,
        "unhealthy_threshold": hc.unhealthy_threshold,
        "always_log_health_check_failures": True,
        "transport_socket_match_criteria": HC_MATCH,
    }
    if hc.protocol in ("HTTP", "HTTPS", "GRPC"):
        h: dict[str, Any] = {"path": hc.path or "/",
                             "codec_client_type": "HTTP2" if http2 else "HTTP1"}
        if hc.host:
            h["host"] = hc.host
        if hc.protocol == "GRPC":
            # A gRPC call to the path: healthy_codes are gRPC statuses, which Envoy's HTTP
            # check cannot read; it passes on HTTP 200 (every gRPC reply's status).
            h["method"] = "POST"
            h["request_headers_to_add"] = [header("content-type", "application/grpc"),
                                           header("te", "trailers")]
        else:
            h["expected_statuses"] = [{"start": lo, "end": hi + 1}
                                      for lo, hi in hc.healthy_codes]
        out["http_health_check"] = h
    else:
        out["tcp_health_check"] = {}
    return out


def cluster(name: str, endpoints: Sequence[tuple[str, int]], *, hc: HealthCheck | None = None,
            data_socket: dict[str, Any] | None = None, hc_socket: dict[str, Any] | None = None,
            http2: bool = False, idle: float | None = None, lb_policy: str = "ROUND_ROBIN",
            hc_http2: bool = False) -> dict[str, Any]:
    """A static cluster. Data connections use `data_socket` (raw when None); health checks use
    `hc_socket` (raw when None) and go to hc.port on each endpoint's address, with Host hc.host
    or, when the product names none, `ip:port` of the target. Health checks carry Envoy's
    User-Agent (Envoy/HC), not the product's."""
    lb_endpoints = []
    for ip, port in endpoints:
        ep: dict[str, Any] = {"address": sock(ip, port)}
        if hc is not None:
            ep["health_check_config"] = {"port_value": hc.port}
            if not hc.host:
                # No Host named by the product: the target's address, not the cluster name.
                ep["health_check_config"]["hostname"] = f"{ip}:{hc.port}"
        lb_endpoints.append({"endpoint": ep, "metadata": {
            "filter_metadata": {"envoy.transport_socket_match": DATA_MATCH}}})
    out: dict[str, Any] = {
        "name": name, "type": "STATIC", "connect_timeout": "5s", "lb_policy": lb_policy,
        "load_assignment": {"cluster_name": name, "endpoints": [{"lb_endpoints": lb_endpoints}]},
        "transport_socket": hc_socket or RAW,
        "transport_socket_matches": [{"name": "data", "match": DATA_MATCH,
                                      "transport_socket": data_socket or RAW}],
    }
    if hc is not None:
        out["health_checks"] = [health_check(hc, http2=hc_http2)]
    opts: dict[str, Any] = {}
    if http2:
        opts["explicit_http_config"] = {"http2_protocol_options": {}}
    if idle is not None:
        opts["common_http_protocol_options"] = {"idle_timeout": dur(idle)}
    if opts:
        if "explicit_http_config" not in opts:
            opts["explicit_http_config"] = {"http_protocol_options": {}}
        out["typed_extension_protocol_options"] = {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": T + "envoy.extensions.upstreams.http.v3.HttpProtocolOptions", **opts}}
    return out


def bootstrap(addresses: Addresses, listeners: list[dict[str, Any]],
              clusters: list[dict[str, Any]]) -> dict[str, Any]:
    return {"node": {"id": "lab-front", "cluster": "lab-front"},
            "admin": {"address": sock(addresses.front_ip, addresses.admin_port)},
            "static_resources": {"listeners": listeners, "clusters": clusters}}


def safe_name(*parts: object) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", "-".join(str(p) for p in parts))


def glob_regex(pattern: str) -> str:
    """An ELB wildcard (`*` any run, `?` one character) as an RE2 pattern."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


def codes(spec: str, obj: str, field_path: str) -> tuple[tuple[int, int], ...]:
    """HTTP status matcher "200", "200,202", "200-399" as inclusive ranges."""
    out = []
    for part in str(spec).replace(" ", "").split(","):
        lo, _, hi = part.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            raise FrontError(obj, field_path, f"status code matcher {spec!r} is not codes/ranges")
        out.append((int(lo), int(hi or lo)))
    return tuple(out)
