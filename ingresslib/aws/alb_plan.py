"""The ALB of topologies chained and standalone on EKS, as plain data.

Target groups hold pod IPs (registered by TargetGroupBindings), so the ALB sends straight to
the pods: in chained to the Istio gateway's HTTP port (health checked on Istio's readiness
endpoint, 15021), in standalone to each routed backend. Each target group speaks the protocol
version the config gives it (HTTP1, HTTP2, GRPC), with the health check that version takes.
Listeners follow the config's listeners, one per port: HTTPS with the listeners' ACM
certificates and a current TLS policy, HTTP redirecting to HTTPS wherever an HTTPS listener
serves the hosts.

Listener rules are keyed by what they route (host and route name), never by position, and
their priorities count from the end of the listener (`rule_priorities`), so inserting a route
adds one rule and leaves every rule after it untouched.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ingresslib.aws.alb_rules import (
    MAX_RULES,
    PRIORITY_MAX,
    PRIORITY_SLOT,
    Rule,
    TargetGroupRef,
    algorithm,
    host_order,
    route_rules,
    routed_backends,
    target_port,
)
from ingresslib.aws.config import (
    GRPC_HEALTH_MATCHER,
    GRPC_HEALTH_PATH,
    Alb,
    acm_listeners,
    ssl_policy,
)
from ingresslib.aws.replacements import target_group_identity
from ingresslib.config.listeners import Listener, covered, https_hosts, redirects
from ingresslib.edge import READINESS_PATH, STATUS_PORT, HealthCheck

if TYPE_CHECKING:
    from ingresslib.aws.config import EksStack

GATEWAY = "gateway"
# Target groups hold pod IPs, registered by their TargetGroupBindings.
TARGET_TYPE = "ip"
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
    # The target port the group has when the config leaves it alone (the Service's port, or
    # the gateway's default HTTP target port): with it, HTTP and HTTP1 the group is of the
    # first generation, whose binding keeps the name it has always had (binding_name).
    default_port: int = 0

    def inputs(self, vpc_id: str) -> dict[str, Any]:
        """The group's inputs that replace it when they change (aws.replacements.REPLACE_ON),
        by wire name, as the ApplicationLoadBalancer registers them."""
        return {"port": self.port, "protocol": self.protocol,
                "protocolVersion": self.protocol_version, "targetType": TARGET_TYPE,
                "vpcId": vpc_id}

    def binding_name(self, stack: str, vpc_id: str) -> str:
        """The TargetGroupBinding's name, from the group's identity (EDGE-CH-ALB-TGB).

        The controller's webhook refuses a binding whose targetGroupARN changes, and a second
        binding of a group that one already binds (kubernetes-sigs/aws-load-balancer-
        controller#2764), so a binding is renamed exactly when its group is replaced: Pulumi
        then creates the new binding (a new name: a new object) before it deletes the old
        one. `{stack}-{key}` (`{stack}-gateway` in chained) for a group of the first
        generation, the name every release has given it, so an upgrade renames nothing;
        suffixed with 8 hex digits of the group's identity otherwise."""
        base = f"{stack}-{self.key}"
        if (self.protocol, self.protocol_version, self.port) == ("HTTP", "HTTP1",
                                                                  self.default_port):
            return base
        identity = target_group_identity(self.inputs(vpc_id))
        return f"{base}-{hashlib.sha256(identity.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class RulePlan:
    """One listener rule. `key` names it for good (`host/route`, `host/route/2` for a route's
    second match, `redirect/host` for the HTTP listener's redirects); `position` is its place
    in the listener, counted from 1, which named it in releases before keys (its alias)."""

    key: str
    priority: int
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    position: int = 0


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
    # The load balancer attributes ingresslib sets, by AWS attribute name, each explicit so
    # that none rests on an AWS default (load_balancer_attributes).
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def target_ports(self) -> list[int]:
        """Ports the ALB opens to the targets' security group: traffic and health checks."""
        ports = {tg.port for tg in self.target_groups}
        for tg in self.target_groups:
            if tg.health_check["port"] != "traffic-port":
                ports.add(int(tg.health_check["port"]))
        return sorted(ports)


def gateway_health_check(protocol_version: str) -> HealthCheck:
    """The ALB's check of the gateway pods in chained, on Istio's status port (15021), which
    Envoy serves from its bootstrap, before any Gateway or route exists.

    HTTP1 and HTTP2: the readiness endpoint, which fails as soon as a pod starts draining
    (the port's codec is AUTO: it answers HTTP/1.1 and cleartext HTTP/2 alike). GRPC: the
    ALB's health check is a gRPC call, and a GRPC target group's matcher takes gRPC codes
    only; the status port routes nothing but /healthz/ready, so Envoy answers the call
    /AWS.ALB/healthcheck itself with a local 404, which it sends to gRPC callers as
    grpc-status 12 (UNIMPLEMENTED): the matcher. On the traffic port a catch-all route of a
    `*` host would hand the check to a backend instead (EDGE-HC-ALB-GRPC)."""
    if protocol_version == "GRPC":
        return HealthCheck(STATUS_PORT, "HTTP", GRPC_HEALTH_PATH, 10, 2, 2)
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
        # listens; health comes from Istio's status port, which the traffic port lacks.
        version = alb.protocol_version
        matcher = GRPC_HEALTH_MATCHER if version == "GRPC" else "200"
        return [TargetGroupPlan(
            GATEWAY, wl.service.http_target_port,
            _health(gateway_health_check(version), matcher), "round_robin",
            wl.namespace, wl.name, 80, protocol_version=version,
            default_port=type(wl.service).model_fields["http_target_port"].default)]
    plans = []
    for key in routed_backends(cfg):
        backend = cfg.routing.backends[key]
        settings = alb.backends.get(key)
        version = settings.protocol_version if settings else "HTTP1"
        path, matcher = settings.health if settings else ("/", "200-399")
        plans.append(TargetGroupPlan(
            key, target_port(key, backend, alb),
            _health(HealthCheck("traffic-port", "HTTP", path, 10, 2, 2), matcher),
            algorithm(backend), backend.namespace, backend.service, backend.port,
            protocol_version=version, default_port=backend.port))
    return plans


def load_balancer_attributes(alb: Alb) -> dict[str, str]:
    """Every ALB attribute ingresslib sets, explicit: the idle timeout Envoy's must exceed
    (EDGE-TO-ALB); X-Forwarded-For appended with the client's address alone, no port, so
    Envoy's trusted-hop count reads it (EDGE-ID-XFF-ALB); HTTP/2 from clients (gRPC needs
    it); invalid header names dropped; defensive desync mitigation."""
    def flag(value: bool) -> str:
        return "true" if value else "false"

    return {
        "idle_timeout.timeout_seconds": str(alb.idle_timeout_seconds),
        "routing.http.xff_client_port.enabled": "false",
        "routing.http.xff_header_processing.mode": "append",
        "routing.http2.enabled": "true",
        "routing.http.drop_invalid_header_fields.enabled": flag(alb.drop_invalid_header_fields),
        "routing.http.desync_mitigation_mode": "defensive",
        "deletion_protection.enabled": flag(alb.deletion_protection),
    }


def rule_priorities(keys: list[str]) -> list[int]:
    """Priorities for a listener's rules, keyed `keys`, in evaluation order (the first match
    wins, so priorities rise with the order): each rule gets a slot of PRIORITY_SLOT priorities
    counted from the end of the listener, and an offset in its slot from its key, distinct from
    the offsets of the PRIORITY_SLOT - 1 rules after it.

    The last rule's slot is 49901-50000 and each earlier rule's the slot below, so a rule's
    slot depends only on the rules after it: inserting a rule at the top adds one rule and
    changes none, and anywhere else it moves only the rules above it, down by one slot, into
    slots their predecessors leave (the rules depend on one another in listener order, so
    Pulumi moves them top down). A removal moves the rules above it up by one slot, where the
    rule below still sits until Pulumi reaches it, or, for the last of them, the removed rule
    itself until Pulumi deletes it at the end of the update: offsets differ between
    neighbours, so a moving rule does not land on a priority another one still holds (AWS
    refuses that with PriorityInUse: pulumi/pulumi-aws#175). What offsets cannot rule out
    (about 1 in 100: a rule whose key hashes to the offset of a removed or renamed neighbour,
    or a reorder), `ingresslib diff` names as a change that needs two steps."""
    if len(keys) > MAX_RULES:
        raise ValueError(f"an ALB listener holds at most {MAX_RULES} rules here")
    priorities = [0] * len(keys)
    recent: deque[int] = deque(maxlen=PRIORITY_SLOT - 1)
    for rank, i in enumerate(reversed(range(len(keys)))):
        offset = int(hashlib.sha256(keys[i].encode()).hexdigest(), 16) % PRIORITY_SLOT
        while offset in recent:
            offset = (offset + 1) % PRIORITY_SLOT
        recent.append(offset)
        priorities[i] = PRIORITY_MAX - PRIORITY_SLOT * (rank + 1) + 1 + offset
    return priorities


def rule_key(host: str, route: str, match: int = 0) -> str:
    """`host/route`, `host/route/<n+1>` for a route's later matches: hosts hold no '/', route
    names no '/' or '.', so keys never collide."""
    return f"{host}/{route}" + (f"/{match + 1}" if match else "")


def _redirect(port: int) -> dict[str, Any]:
    return {"type": "redirect", "redirect": {"port": str(port), "protocol": "HTTPS",
                                             "status_code": "HTTP_301"}}


def _host_values(hosts: list[str]) -> list[list[str]]:
    """Hosts in groups of five: an ALB host condition holds at most five values."""
    return [hosts[i:i + 5] for i in range(0, len(hosts), 5)]


def _listener(cfg: EksStack, alb: Alb, port: int, listeners: list[Listener],
              https_port: int) -> ListenerPlan:
    protocol = listeners[0].protocol
    https = https_hosts(cfg.listeners)
    redirecting = [lst for lst in listeners if redirects(lst, https)]
    serving = [lst for lst in listeners if lst not in redirecting]
    forward = {"type": "forward", "target_group_arn": TargetGroupRef(GATEWAY)}
    rules: list[tuple[str, list[dict[str, Any]], dict[str, Any]]] = []
    if serving and redirecting:
        hosts = sorted({h for lst in redirecting for h in lst.hosts})
        rules += [(f"redirect/{group[0]}", [{"host_header": {"values": group}}],
                   _redirect(https_port)) for group in _host_values(hosts)]
    if not serving:
        default = _redirect(https_port)
    elif cfg.topology == "chained":
        default = forward
    else:
        default = NOT_FOUND
        served = frozenset(h for lst in serving for h in lst.hosts)
        routed = [h.host for h in cfg.routing.hosts if covered(served, h.host)]
        by_host = {h.host: h for h in cfg.routing.hosts}
        for host in host_order(routed):
            for route in by_host[host].routes:
                found: list[Rule] = route_rules(host, route, "")[0]
                rules += [(rule_key(host, route.name, j), r.conditions, r.action)
                          for j, r in enumerate(found) if r.port in (None, port)]
    certificates: list[str] = []
    for lst in listeners:
        if lst.tls and lst.tls.certificate and lst.tls.certificate not in certificates:
            certificates.append(lst.tls.certificate)
    priorities = rule_priorities([key for key, _, _ in rules])
    return ListenerPlan(
        port=port,
        protocol=protocol,
        default_action=default,
        certificates=certificates,
        ssl_policy=ssl_policy(alb.ssl_policy, listeners) if protocol == "HTTPS" else None,
        rules=[RulePlan(key, priority, c, [a], position)
               for position, ((key, c, a), priority) in enumerate(zip(rules, priorities,
                                                                        strict=True), start=1)],
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
    return AlbPlan(alb, target_groups(cfg, alb), listeners, load_balancer_attributes(alb))
