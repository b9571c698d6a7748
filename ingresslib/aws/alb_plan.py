"""The ALB of topologies chained and standalone on EKS, as plain data.

Target groups hold pod IPs (registered by TargetGroupBindings), so the ALB sends straight to
the pods: in chained to the Istio gateway's HTTP port (health checked on Istio's readiness
endpoint, 15021), in standalone to each routed backend. Listeners follow the config's
listeners, one per port: HTTPS with the listeners' ACM certificates and a current TLS policy,
HTTP redirecting to HTTPS wherever an HTTPS listener serves the hosts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ingresslib.aws.alb_rules import (
    Rule,
    TargetGroupRef,
    algorithm,
    host_order,
    route_rules,
    routed_backends,
    target_port,
)
from ingresslib.aws.config import Alb, acm_listeners, ssl_policy
from ingresslib.config.listeners import Listener, host_covers, redirects
from ingresslib.config.workload import GatewayWorkload
from ingresslib.edge import READINESS_PATH, STATUS_PORT, HealthCheck

if TYPE_CHECKING:
    from ingresslib.aws.config import EksStack

GATEWAY = "gateway"
NOT_FOUND = {
    "type": "fixed-response",
    "fixed_response": {"content_type": "text/plain", "status_code": "404",
                       "message_body": "no route for this host and path"},
}


@dataclass(frozen=True)
class TargetGroupPlan:
    """One IP target group and the Service whose endpoints its TargetGroupBinding registers."""

    key: str
    port: int
    health_check: dict[str, Any]
    algorithm: str
    namespace: str
    service: str
    service_port: int
    # What the ALB speaks to the targets: plain HTTP/1.1 to the pods.
    protocol: str = "HTTP"
    protocol_version: str = "HTTP1"


@dataclass(frozen=True)
class RulePlan:
    priority: int
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]


@dataclass(frozen=True)
class ListenerPlan:
    port: int
    protocol: str
    default_action: dict[str, Any]
    certificates: list[str] = field(default_factory=list)
    ssl_policy: str | None = None
    rules: list[RulePlan] = field(default_factory=list)


@dataclass(frozen=True)
class AlbPlan:
    settings: Alb
    target_groups: list[TargetGroupPlan]
    listeners: list[ListenerPlan]

    @property
    def target_ports(self) -> list[int]:
        """Ports the ALB opens to the targets' security group: traffic and health checks."""
        ports = {tg.port for tg in self.target_groups}
        for tg in self.target_groups:
            if tg.health_check["port"] != "traffic-port":
                ports.add(int(tg.health_check["port"]))
        return sorted(ports)


def gateway_health_check(wl: GatewayWorkload) -> HealthCheck:
    """The ALB's check of the gateway pods in chained: Istio's readiness endpoint, which
    answers before any route exists and fails as soon as a pod starts draining."""
    return HealthCheck(STATUS_PORT, "HTTP", READINESS_PATH, 10, 2, 2)


def _health(hc: HealthCheck, matcher: str) -> dict[str, Any]:
    """A target group's health_check input from `hc`."""
    return {"enabled": True, "protocol": hc.protocol, "port": str(hc.port), "path": hc.path,
            "matcher": matcher, "interval": hc.interval_seconds, "timeout": 5,
            "healthy_threshold": hc.healthy_threshold,
            "unhealthy_threshold": hc.unhealthy_threshold}


def target_groups(cfg: EksStack, alb: Alb) -> list[TargetGroupPlan]:
    if cfg.topology == "chained":
        wl = cfg.workload
        assert wl is not None
        # The Service's http port (80) maps to the pods' http target port, where Envoy
        # listens; health comes from Istio's readiness endpoint, which the traffic port lacks.
        return [TargetGroupPlan(
            GATEWAY, wl.service.http_target_port,
            _health(gateway_health_check(wl), "200"), "round_robin",
            wl.namespace, wl.name, 80)]
    plans = []
    for key in routed_backends(cfg):
        backend = cfg.routing.backends[key]
        settings = alb.backends.get(key)
        path, matcher = (settings.health_check_path, settings.health_check_matcher) if (
            settings) else ("/", "200-399")
        plans.append(TargetGroupPlan(
            key, target_port(key, backend, alb),
            _health(HealthCheck("traffic-port", "HTTP", path, 10, 2, 2), matcher),
            algorithm(backend), backend.namespace, backend.service, backend.port))
    return plans


def _redirect(port: int) -> dict[str, Any]:
    return {"type": "redirect", "redirect": {"port": str(port), "protocol": "HTTPS",
                                             "status_code": "HTTP_301"}}


def _host_values(hosts: list[str]) -> list[list[str]]:
    """Hosts in groups of five: an ALB host condition holds at most five values."""
    return [hosts[i:i + 5] for i in range(0, len(hosts), 5)]


def _listener(cfg: EksStack, alb: Alb, port: int, listeners: list[Listener],
              https_port: int) -> ListenerPlan:
    protocol = listeners[0].protocol
    redirecting = [lst for lst in listeners if redirects(lst, cfg.listeners)]
    serving = [lst for lst in listeners if lst not in redirecting]
    forward = {"type": "forward", "target_group_arn": TargetGroupRef(GATEWAY)}
    rules: list[tuple[list[dict[str, Any]], dict[str, Any]]] = []
    if serving and redirecting:
        hosts = sorted({h for lst in redirecting for h in lst.hosts})
        rules += [([{"host_header": {"values": group}}], _redirect(https_port))
                  for group in _host_values(hosts)]
    if not serving:
        default = _redirect(https_port)
    elif cfg.topology == "chained":
        default = forward
    else:
        default = NOT_FOUND
        served = [h for lst in serving for h in lst.hosts]
        routed = [h.host for h in cfg.routing.hosts
                  if any(host_covers(s, h.host) for s in served)]
        by_host = {h.host: h for h in cfg.routing.hosts}
        for host in host_order(routed):
            for route in by_host[host].routes:
                found: list[Rule] = route_rules(host, route, "")[0]
                rules += [(r.conditions, r.action) for r in found if r.port in (None, port)]
    certificates: list[str] = []
    for lst in listeners:
        if lst.tls and lst.tls.certificate and lst.tls.certificate not in certificates:
            certificates.append(lst.tls.certificate)
    return ListenerPlan(
        port=port,
        protocol=protocol,
        default_action=default,
        certificates=certificates,
        ssl_policy=ssl_policy(alb.ssl_policy, listeners) if protocol == "HTTPS" else None,
        rules=[RulePlan(i, c, [a]) for i, (c, a) in enumerate(rules, start=1)],
    )


def alb_plan(cfg: EksStack) -> AlbPlan:
    """Target groups, listeners and rules of a validated config (EksStack refuses what an
    ALB cannot serve: one zone, HTTPS without an ACM certificate, inexpressible routes)."""
    alb = cfg.aws.alb if cfg.aws else None
    if alb is None or cfg.topology not in ("chained", "standalone"):
        raise ValueError("an ALB fronts topologies chained and standalone with aws.alb set")
    by_port: dict[int, list[Listener]] = {}
    for lst in cfg.listeners:
        by_port.setdefault(lst.port, []).append(lst)
    https_ports = sorted({lst.port for lst in acm_listeners(cfg)})
    https_port = 443 if 443 in https_ports else https_ports[0]
    listeners = [_listener(cfg, alb, port, lsts, https_port)
                 for port, lsts in sorted(by_port.items())]
    return AlbPlan(alb, target_groups(cfg, alb), listeners)
