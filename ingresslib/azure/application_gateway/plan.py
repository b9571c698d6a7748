"""The Application Gateway (WAF_v2) of topologies chained and standalone, as the arguments of
pulumi-azure-native's `network.ApplicationGateway`.

chained: one HTTPS listener per host (SNI, its Key Vault certificate), one HTTP listener per host
redirecting to HTTPS (or forwarding, for hosts no HTTPS listener serves), all sending to the Istio
gateway's internal load balancer at its static address, with the original Host header, a
readiness probe on 15021 `/healthz/ready` (through the internal load balancer, which keeps a
load-balancing rule for it: EDGE-HC-LBRULE), a request timeout and connection draining. Every
rule that forwards rewrites X-Forwarded-For without the client's port (EDGE-ID-XFF-PORT).

standalone: AGIC owns listeners, pools, settings, probes and rules (from Ingress objects); the
gateway is created with a placeholder for each (ARM requires one) and Pulumi ignores their
changes afterwards. Certificates, TLS policy, WAF, zones, scale and the X-Forwarded-For
rewrite set (which each Ingress names; AGIC keeps rewrite sets it did not make) stay Pulumi's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ingresslib.azure.config import AksStack, ApplicationGateway, key_vault_certificates
from ingresslib.azure.ids import AppGwIds, secret_uri
from ingresslib.azure.resource_args import tags
from ingresslib.config.listeners import host_covers
from ingresslib.config.routing import long_lived_seconds
from ingresslib.edge import READINESS_PATH, STATUS_PORT
from ingresslib.manifests.virtual_service import host_slug

GATEWAY_IP = "gateway-ip"
FRONTEND = "public"
POOL = "istio-gateway"
SETTINGS = "istio-gateway-http"
PROBE = "istio-gateway-ready"
# What Application Gateway reaches through the internal load balancer (chained): the gateway's
# plain-HTTP port, and its readiness on the status port (answered before any route exists).
BACKEND_PORT = 80
PROBE_PORT = STATUS_PORT
# Application Gateway v2 appends `client-IP:port` to X-Forwarded-For, which Envoy cannot parse
# at the trusted position (envoyproxy/envoy#25517): this set rewrites the header to the
# `add_x_forwarded_for_proxy` server variable (the same list with the bare client IP).
XFF_REWRITE = "xff-without-port"
XFF_HEADER = "X-Forwarded-For"
XFF_VALUE = "{var_add_x_forwarded_for_proxy}"

FIRST_PRIORITY = 100
PRIORITY_STEP = 10
MAX_LISTENERS = 100
# What AGIC rewrites on every sync (its placeholders' names are AGIC's own defaults). Not the
# rewrite rule sets: AGIC keeps every set whose name does not start with `crd-` (the ones it
# makes from AzureApplicationGatewayRewrite resources), so Pulumi owns XFF_REWRITE, which the
# Ingresses name (AGIC pkg/appgw/rewrites.go, removeAGICGeneratedRewriteRuleSets).
AGIC_MANAGED = (
    "backendAddressPools",
    "backendHttpSettingsCollection",
    "frontendPorts",
    "httpListeners",
    "probes",
    "redirectConfigurations",
    "requestRoutingRules",
    "urlPathMaps",
    "tags",
)
AGIC_POOL = "defaultaddresspool"
AGIC_SETTINGS = "defaulthttpsetting"
AGIC_LISTENER = "placeholder-http"
AGIC_RULE = "placeholder"
# Predefined policy of TLS 1.2 and newer with only strong cipher suites.
TLS12_POLICY = {"policy_type": "Predefined", "policy_name": "AppGwSslPolicy20220101S"}
TLS13_POLICY = {"policy_type": "CustomV2", "min_protocol_version": "TLSv1_3"}


@dataclass(frozen=True)
class Listener:
    """One Application Gateway listener: a host on a protocol, and what its rule does."""

    name: str
    host: str
    protocol: str  # Http | Https
    port: int
    certificate: str | None = None  # sslCertificates name (the certificates key)
    redirect_to: str | None = None  # the HTTPS listener an HTTP one redirects to
    priority: int = 0


def _specificity(host: str) -> int:
    """Exact hosts before wildcards before the catch-all, as Application Gateway v2 wants
    multi-site listeners ahead of basic ones."""
    return 2 if host == "*" else 1 if host.startswith("*.") else 0


def _https_for(https: list[Listener], host: str) -> Listener | None:
    """The HTTPS listener serving `host`: its own, else a wildcard covering it."""
    matching = [h for h in https if host_covers(h.host, host)]
    return min(matching, key=lambda h: (_specificity(h.host), h.host), default=None)


def listeners(cfg: AksStack) -> list[Listener]:
    """Every listener of a chained gateway, in priority order (one rule each)."""
    https: list[Listener] = []
    http_hosts: list[tuple[str, bool]] = []
    for lst in cfg.listeners:
        for host in lst.hosts:
            if lst.protocol == "HTTPS":
                https.append(Listener(f"https-{host_slug(host)}", host, "Https", lst.port,
                                      certificate=lst.tls.certificate if lst.tls else None))
            elif lst.protocol == "HTTP":
                http_hosts.append((host, lst.https_redirect is not False))
    out = list(https)
    for host, redirect in http_hosts:
        target = _https_for(https, host) if redirect else None
        out.append(Listener(f"http-{host_slug(host)}", host, "Http", 80,
                            redirect_to=target.name if target else None))
    out.sort(key=lambda x: (_specificity(x.host), x.host, x.protocol != "Https"))
    return [replace(x, priority=FIRST_PRIORITY + PRIORITY_STEP * i) for i, x in enumerate(out)]


def appgw_public_ip_zones(agw: ApplicationGateway) -> list[str]:
    """Zone-redundant whenever the gateway uses zones (a public IP cannot span two of
    three), none in a region without them."""
    return ["1", "2", "3"] if agw.zones else []


def _frontend_ports(cfg: AksStack) -> list[dict[str, Any]]:
    wanted = {80 if lst.protocol == "HTTP" else 443 for lst in cfg.listeners}
    if cfg.topology == "standalone":
        wanted.add(80)  # the placeholder listener AGIC replaces
    return [{"name": f"port-{p}", "port": p} for p in sorted(wanted)]


def _ssl_certificates(cfg: AksStack) -> list[dict[str, Any]]:
    return [{"name": key, "key_vault_secret_id": secret_uri(cert.vault, cert.certificate)}
            for key, cert in key_vault_certificates(cfg).items()]


def ssl_policy(cfg: AksStack) -> dict[str, str]:
    versions = {lst.tls.min_protocol_version for lst in cfg.listeners if lst.tls}
    return dict(TLS13_POLICY if versions == {"TLSV1_3"} else TLS12_POLICY)


def _http_listener(ids: AppGwIds, x: Listener) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": x.name,
        "frontend_ip_configuration": ids.ref("frontendIPConfigurations", FRONTEND),
        "frontend_port": ids.ref("frontendPorts", f"port-{x.port}"),
        "protocol": x.protocol,
    }
    if x.host != "*":
        out["host_names"] = [x.host]
    if x.certificate:
        out["ssl_certificate"] = ids.ref("sslCertificates", x.certificate)
        out["require_server_name_indication"] = x.host != "*"
    return out


def _draining(cfg: AksStack) -> dict[str, Any]:
    """Requests in flight to a backend leaving the pool finish within the deregistration delay
    (the same bound the gateway's drain must outlast)."""
    delay = cfg.load_balancer.deregistration_delay_seconds
    return {"enabled": delay > 0, "drain_timeout_in_sec": max(delay, 1)}


def ports_through_load_balancer(cfg: AksStack) -> dict[int, str]:
    """The ports of the gateway's internal load balancer that Application Gateway reaches
    (chained), and what for: each needs a load-balancing rule there (EDGE-HC-LBRULE)."""
    if cfg.topology != "chained":
        return {}
    return {BACKEND_PORT: "Application Gateway's traffic",
            PROBE_PORT: "Application Gateway's health probe"}


def xff_rewrite_rule_set() -> dict[str, Any]:
    """The rewrite set every forwarding rule names: X-Forwarded-For without the client's port
    (Application Gateway v2 only; Azure, Rewrite HTTP headers and URL with Application
    Gateway, server variable add_x_forwarded_for_proxy)."""
    return {
        "name": XFF_REWRITE,
        "rewrite_rules": [{
            "name": "xff-client-ip-only",
            "rule_sequence": 100,
            "action_set": {"request_header_configurations": [
                {"header_name": XFF_HEADER, "header_value": XFF_VALUE}]},
        }],
    }


def _request_timeouts(cfg: AksStack, agw: ApplicationGateway, plan: list[Listener]
                      ) -> dict[str, int]:
    """Each listener's backend request timeout: requestTimeoutSeconds, or the longest timeout
    of a longLived route its host serves, since the request timeout also ends a WebSocket
    (EDGE-TO-LONG)."""
    return {x.name: max(agw.request_timeout_seconds,
                        long_lived_seconds(cfg.routing, x.host) or 0) for x in plan}


def _settings_name(agw: ApplicationGateway, wait: int) -> str:
    """The backend settings of one request timeout: SETTINGS for requestTimeoutSeconds, so a
    stack without longLived routes keeps its one settings as it was."""
    return SETTINGS if wait == agw.request_timeout_seconds else f"{SETTINGS}-{wait}s"


def _chained_routing(cfg: AksStack, agw: ApplicationGateway, ids: AppGwIds
                     ) -> dict[str, Any]:
    assert cfg.azure is not None
    private_ip = cfg.azure.load_balancer.private_ip
    plan = listeners(cfg)
    waits = _request_timeouts(cfg, agw, plan)
    rules = []
    redirects = []
    for x in plan:
        rule: dict[str, Any] = {"name": x.name, "rule_type": "Basic", "priority": x.priority,
                                "http_listener": ids.ref("httpListeners", x.name)}
        if x.redirect_to:
            redirects.append({
                "name": f"redirect-{host_slug(x.host)}",
                "redirect_type": "Permanent",
                "target_listener": ids.ref("httpListeners", x.redirect_to),
                "include_path": True,
                "include_query_string": True,
            })
            rule["redirect_configuration"] = ids.ref(
                "redirectConfigurations", f"redirect-{host_slug(x.host)}")
        else:  # rewrites do not apply to redirects (Azure, rewrite limitations)
            rule |= {"backend_address_pool": ids.ref("backendAddressPools", POOL),
                     "backend_http_settings": ids.ref("backendHttpSettingsCollection",
                                                      _settings_name(agw, waits[x.name])),
                     "rewrite_rule_set": ids.ref("rewriteRuleSets", XFF_REWRITE)}
        rules.append(rule)
    return {
        "backend_address_pools": [{"name": POOL, "backend_addresses": [
            {"ip_address": private_ip}]}],
        "probes": [{
            "name": PROBE,
            "protocol": "Http",
            # The gateway's status port answers readiness whatever the Host header.
            "host": "127.0.0.1",
            "path": READINESS_PATH,
            "port": PROBE_PORT,
            "interval": 5,
            "timeout": 5,
            "unhealthy_threshold": 2,
            "pick_host_name_from_backend_http_settings": False,
            "match": {"status_codes": ["200-399"]},
        }],
        "backend_http_settings_collection": [{
            "name": _settings_name(agw, wait),
            "port": BACKEND_PORT,
            # HTTP/1.1: Application Gateway speaks nothing else to backends (EDGE-PR-APPGW).
            "protocol": "Http",
            "cookie_based_affinity": "Disabled",
            # The Istio gateway routes on the client's Host header: pass it through.
            "pick_host_name_from_backend_address": False,
            "request_timeout": wait,
            "connection_draining": _draining(cfg),
            "probe": ids.ref("probes", PROBE),
        } for wait in sorted({agw.request_timeout_seconds, *waits.values()})],
        "http_listeners": [_http_listener(ids, x) for x in plan],
        "redirect_configurations": redirects,
        "request_routing_rules": rules,
        "rewrite_rule_sets": [xff_rewrite_rule_set()],
    }


def _agic_placeholders(cfg: AksStack, agw: ApplicationGateway, ids: AppGwIds
                       ) -> dict[str, Any]:
    """One of each child ARM requires until AGIC writes the real ones from Ingress objects."""
    return {
        "backend_address_pools": [{"name": AGIC_POOL}],
        "backend_http_settings_collection": [{
            "name": AGIC_SETTINGS, "port": 80, "protocol": "Http",
            "cookie_based_affinity": "Disabled",
            "request_timeout": agw.request_timeout_seconds,
            "connection_draining": _draining(cfg),
        }],
        "http_listeners": [{
            "name": AGIC_LISTENER,
            "frontend_ip_configuration": ids.ref("frontendIPConfigurations", FRONTEND),
            "frontend_port": ids.ref("frontendPorts", "port-80"),
            "protocol": "Http",
        }],
        "request_routing_rules": [{
            "name": AGIC_RULE, "rule_type": "Basic", "priority": 20000,
            "http_listener": ids.ref("httpListeners", AGIC_LISTENER),
            "backend_address_pool": ids.ref("backendAddressPools", AGIC_POOL),
            "backend_http_settings": ids.ref("backendHttpSettingsCollection", AGIC_SETTINGS),
            "rewrite_rule_set": ids.ref("rewriteRuleSets", XFF_REWRITE),
        }],
        # Pulumi's, not AGIC's: every Ingress names it (agic.ingresses).
        "rewrite_rule_sets": [xff_rewrite_rule_set()],
    }


def application_gateway_args(
    cfg: AksStack, ids: AppGwIds, *, public_ip_id: Any, identity_id: Any, waf_policy_id: Any
) -> dict[str, Any]:
    """Every argument of the gateway; `ids` names it, the rest are IDs of its neighbours."""
    assert cfg.azure is not None
    agw = cfg.azure.application_gateway
    assert agw is not None
    args: dict[str, Any] = {
        "application_gateway_name": ids.name,
        "resource_group_name": ids.resource_group,
        "location": cfg.azure.location,
        "sku": {"name": "WAF_v2", "tier": "WAF_v2"},
        "autoscale_configuration": {"min_capacity": agw.min_capacity,
                                    "max_capacity": agw.max_capacity},
        "zones": list(agw.zones),
        "enable_http2": agw.http2,
        # Reads the Key Vault certificates; versionless IDs, so renewals need no deploy.
        "identity": {"type": "UserAssigned", "user_assigned_identities": [identity_id]},
        "firewall_policy": {"id": waf_policy_id},
        "force_firewall_policy_association": True,
        "gateway_ip_configurations": [{"name": GATEWAY_IP, "subnet": {"id": agw.subnet_id}}],
        "frontend_ip_configurations": [{"name": FRONTEND,
                                        "public_ip_address": {"id": public_ip_id}}],
        "frontend_ports": _frontend_ports(cfg),
        "ssl_certificates": _ssl_certificates(cfg),
        "ssl_policy": ssl_policy(cfg),
        "tags": tags(cfg),
    }
    if cfg.topology == "chained":
        args |= _chained_routing(cfg, agw, ids)
    else:
        args |= _agic_placeholders(cfg, agw, ids)
    return args
