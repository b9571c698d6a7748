"""The edge of an EKS stack: what the NLB or the ALB and the Istio gateway agree on.

- gateway: the AWS Load Balancer Controller makes an NLB from the gateway Service's annotations
  (`ingresslib.aws.nlb`); PROXY protocol v2, when on, is set on its target group and on the
  gateway pods together; TLS from ACM ends at the NLB.
- chained: ingresslib's ALB (`ingresslib.aws.alb_plan`) sends to the gateway pods' IPs through a
  TargetGroupBinding of a ClusterIP Service; the gateway trusts the one hop that appends
  X-Forwarded-For.
- standalone: the ALB sends straight to sidecar-injected backends; there is no gateway.

With IP targets the gateway namespace gets the controller's pod readiness gate, so a rollout
never outpaces target registration. `RULES` are the invariants of this edge, with sources.
"""

from __future__ import annotations

from dataclasses import replace

from ingresslib.aws.config import EksStack, acm_listeners, nlb_settings, preserves_client_ip
from ingresslib.aws.nlb import READINESS_GATE_LABEL, nlb_annotations, nlb_health_check
from ingresslib.config.duration import duration_ns
from ingresslib.config.workload import GatewayWorkload, settle_workload
from ingresslib.edge import (
    CORE_RULES,
    STATUS_PORT,
    EdgePlan,
    EdgeRule,
    GatewayOptions,
    HealthCheck,
    Timeouts,
)

LBC = "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/"
# The rules all topologies with a gateway share (ingresslib.edge.CORE_RULES).
SHARED = ("EDGE-DR", "EDGE-TO", "EDGE-HC-NETPOL", "EDGE-CH-SETTING")
RULES = {
    "EDGE-AWS-REGION": EdgeRule(
        "EDGE-AWS-REGION",
        "The load balancer uses ACM certificates and a regional WAF web ACL of its own region "
        "only: every such ARN names the stack's region (its aws:region)",
        "AWS Certificate Manager User Guide, Supported Regions (to use a certificate with "
        "Elastic Load Balancing, request or import it in the load balancer's Region); AWS WAF "
        "Developer Guide, Associating a web ACL with an AWS resource (a regional web ACL "
        "protects resources in its own Region)"),
    "EDGE-HC-PROXY": EdgeRule(
        "EDGE-HC-PROXY",
        "With PROXY protocol v2 on the NLB's target group the health checks carry the PROXY "
        "header too, which Istio's status port (15021) refuses: the NLB checks the traffic "
        "ports over TCP",
        "AWS, NLB target groups, Proxy protocol: 'the proxy protocol header is also included "
        "in health check connections'; istio/istio#25875, #39868"),
    "EDGE-HC-NLB-PORTS": EdgeRule(
        "EDGE-HC-NLB-PORTS",
        "The AWS Load Balancer Controller makes a listener of every Service port, with no "
        "per-port opt-out, so the gateway Service carries the traffic ports only. The health "
        "check needs no Service port of its own: with IP targets it goes to the traffic port "
        "or names Istio's status port by number (15021), which the controller probes on the "
        "pod IPs without looking it up on the Service; with instance targets it goes to "
        "kube-proxy's health check node port (externalTrafficPolicy Local, without PROXY "
        "protocol) or the traffic port (Cluster, or with PROXY protocol). The status port on "
        "the Service would be one more listener, open to the load balancer's clients, on "
        "Envoy's readiness endpoint",
        "kubernetes-sigs/aws-load-balancer-controller pkg/service/model_build_listener.go "
        "buildListeners (a listener per Service port) and model_build_target_group.go "
        "buildTargetGroupHealthCheckPort (a numeric port is used as given, a port name is "
        "looked up on the Service) and buildTargetGroupHealthCheckConfig (instance targets "
        "under Local: the health check node port; else traffic-port); controller annotation "
        f"healthcheck-port ({LBC}); "
        "istio/istio#30104 (15021 only 'if you need external health check'; each exposed "
        "port costs security group rules); kubernetes-sigs/aws-load-balancer-controller#2252 "
        "(the controller's security group rules per port); gardener/gardener#7027 (status "
        "port removed from the gateway Service)"),
    "EDGE-TLS-NLB-PORT": EdgeRule(
        "EDGE-TLS-NLB-PORT",
        "The NLB ends TLS for whole ports (the ports of the listeners with an ACM certificate, "
        "`ssl-ports`): on such a port every listener's TLS ends at the NLB, so none may present "
        "a certificate of the gateway's and none may be plain HTTP (its clients would meet a "
        "TLS handshake)",
        f"AWS Load Balancer Controller, Service annotations ssl-cert and ssl-ports ({LBC}): "
        "a listed port gets a TLS listener with the ACM certificates, the others TCP"),
    "EDGE-ID-PROXY": EdgeRule(
        "EDGE-ID-PROXY",
        "PROXY protocol is on at the NLB's target group and in the gateway pods "
        "(gatewayTopology.proxyProtocol) together, from one setting (aws.nlb.proxyProtocol); "
        "with it, client IP preservation is off unless set, so in-cluster callers that go "
        "through the NLB are not dropped as hairpin traffic",
        "AWS, NLB target groups: client IP preservation and hairpinning; istio.io PR #12510 "
        "(PROXY protocol and L7 headers are mutually exclusive)"),
    "EDGE-ID-XFP": EdgeRule(
        "EDGE-ID-XFP",
        "Where the NLB ends TLS (ACM), the gateway tells backends X-Forwarded-Proto: https "
        "on that port",
        "Envoy, HTTP header manipulation, x-forwarded-proto: set from the downstream "
        "connection unless xff_num_trusted_hops > 0; istio/istio#7964"),
    "EDGE-TO-NLB": EdgeRule(
        "EDGE-TO-NLB",
        "The NLB drops a flow idle for tcp.idle_timeout.seconds (350 s by default, 60-6000) "
        "without telling either end: Envoy's idle timeout is shorter, and a route timeout "
        "fits inside it",
        "AWS, NLB, Connection idle timeout (update-idle-timeout); controller annotation "
        f"listener-attributes ({LBC})"),
    "EDGE-TO-ALB": EdgeRule(
        "EDGE-TO-ALB",
        "The ALB reuses idle connections to its targets: its idle timeout "
        "(aws.alb.idleTimeoutSeconds) is shorter than Envoy's, and a route timeout fits "
        "inside it",
        "AWS, ALB, Connection idle timeout: 'configure the idle timeout of your application "
        "to be larger than the idle timeout configured for the load balancer'; "
        "istio/istio#12533"),
    "EDGE-DR-NLB": EdgeRule(
        "EDGE-DR-NLB",
        "The NLB keeps opening connections to a deregistering IP target for up to about two "
        "minutes: the gateway's drain outlasts that and the deregistration delay",
        "kubernetes-sigs/aws-load-balancer-controller#2366, #1858"),
    "EDGE-DR-ALB": EdgeRule(
        "EDGE-DR-ALB",
        "The ALB keeps sending to a deregistering IP target for some seconds after the pod "
        "leaves the endpoints: the gateway's drain outlasts that and the deregistration delay",
        "kubernetes-sigs/aws-load-balancer-controller#1064, #2106"),
    "EDGE-PR-ALB": EdgeRule(
        "EDGE-PR-ALB",
        "A target group carries one kind of request, its protocol version's "
        "(aws.alb.protocolVersion; aws.alb.backends.<b>.protocolVersion in standalone): HTTP1 "
        "carries HTTP/1.1 and HTTP/2 clients but not gRPC, GRPC carries gRPC calls only, "
        "HTTP2 HTTP/2 clients only (HTTP/1.1 clients fail through both); HTTP2 and GRPC "
        "groups take HTTPS listeners and forward actions only, so an HTTP listener forwarding "
        "to one, or a route split across protocol versions, is refused",
        "AWS, Application Load Balancers, Target groups, Protocol version "
        "(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/"
        "load-balancer-target-groups.html#target-group-protocol-version); AWS blog 'New - "
        "Application Load Balancer Support for End-to-End HTTP/2 and gRPC' (2020)"),
    "EDGE-PR-ALB-UPSTREAM": EdgeRule(
        "EDGE-PR-ALB-UPSTREAM",
        "Behind a GRPC target group every request reaching the gateway is gRPC, and the "
        "gateway speaks HTTP/1.1 to a Service port unless the port is named or "
        "appProtocol-marked grpc/http2: every routed backend sets "
        "trafficPolicy.connectionPool.http.useClientProtocol: true (HTTP/2 onwards); in "
        "standalone the backend's Service port must be grpc (name or appProtocol) so its "
        "sidecar hands HTTP/2 to the app",
        "istio/istio pilot/pkg/networking/core/cluster_builder.go setUpstreamProtocol "
        "('use_downstream_protocol should be disabled for gateway ... If users of gateway want "
        "this behavior, they can configure UseClientProtocol explicitly'); Istio "
        "DestinationRule ConnectionPoolSettings.HTTPSettings.useClientProtocol"),
    "EDGE-HC-ALB-GRPC": EdgeRule(
        "EDGE-HC-ALB-GRPC",
        "A GRPC target group's health check is a gRPC call with gRPC codes (0-99): behind the "
        "gateway it calls /AWS.ALB/healthcheck on the status port 15021, which routes only "
        "/healthz/ready, so Envoy answers with its local 404 as grpc-status 12 (UNIMPLEMENTED), "
        "before any route exists and whatever the routes; in standalone it calls the "
        "backend's method (default /AWS.ALB/healthcheck, healthy on 12)",
        "AWS, ALB, Health checks for your target groups (HealthCheckPath and Matcher GrpcCode: "
        "default /AWS.ALB/healthcheck and 12); envoyproxy/envoy source/common/http/utility.cc "
        "sendLocalReply (gRPC callers get a trailers-only reply, grpc-status from "
        "Grpc::Utility::httpToGrpcStatus: 404 -> 12); istio/istio "
        "tools/packaging/common/envoy_bootstrap.json (15021: codec AUTO, one route "
        "/healthz/ready)"),
    "EDGE-ID-XFF-ALB": EdgeRule(
        "EDGE-ID-XFF-ALB",
        "The ALB appends the client's address to X-Forwarded-For without its port "
        "(routing.http.xff_client_port.enabled=false, xff_header_processing.mode=append, both "
        "set explicitly): Envoy's trusted-hop count reads bare addresses, and with a port "
        "falls back to the wrong one",
        "AWS, ALB, X-Forwarded headers (X-Forwarded-For, client port preservation); "
        "envoyproxy/envoy#25517 (XFF trusted client address with a port)"),
    "EDGE-CH-ALB-RULES": EdgeRule(
        "EDGE-CH-ALB-RULES",
        "Listener rules are keyed by host and route, never by position, with priorities "
        "counted from the end of the listener in slots of 100 and an offset from the key: "
        "inserting a route adds one rule, moved rules change priority in place without "
        "landing on one still held (PriorityInUse), and at most 500 rules fit a listener",
        "AWS, ALB, Listener rules (priorities 1-50000, unique per listener); "
        "hashicorp/terraform-provider-aws internal/service/elbv2/listener_rule.go (priority "
        "updated in place with SetRulePriorities); pulumi/pulumi-aws#175 (PriorityInUse when "
        "priorities shift)"),
    "EDGE-CH-ALB-TGB": EdgeRule(
        "EDGE-CH-ALB-TGB",
        "A TargetGroupBinding is named after its target group's replace-on inputs (port, "
        "protocol, protocol version, target type, VPC), so a replaced group gets a new binding, "
        "created before the old one is deleted, and listeners and rules forward to a group "
        "only once its binding is reconciled (make before break); first-generation groups "
        "(HTTP, HTTP1, default port) keep the binding name every release gave them",
        "kubernetes-sigs/aws-load-balancer-controller#2764 (the webhook refuses a new "
        "targetGroupARN), webhooks/elbv2/targetgroupbinding_validator.go (a group already bound "
        "to another binding is refused); klotho#200, #213 (a Pulumi program renames the binding "
        "to replace it); pulumi/pulumi-kubernetes pulumi.com/waitFor"),
}
# Field measurements of how long each load balancer keeps sending new connections to an IP
# target after the pod starts terminating (sources in RULES).
# The rules of the ALB in both its topologies.
ALB_RULES = ("EDGE-TO-ALB", "EDGE-ID-XFF-ALB", "EDGE-PR-ALB", "EDGE-PR-ALB-UPSTREAM",
             "EDGE-HC-ALB-GRPC", "EDGE-CH-ALB-RULES", "EDGE-CH-ALB-TGB")
NLB_IP_TARGET_LAG_SECONDS = 120
ALB_IP_TARGET_LAG_SECONDS = 30


def load_balancer_sources(cfg: EksStack, wl: GatewayWorkload) -> tuple[tuple[str, ...],
                                                                       tuple[int, ...]]:
    """Where the load balancer's connections to the gateway pods come from (its subnets'
    ranges, when every one is given) and the pod ports they reach: the status port for the
    NLB's health checks; the traffic ports too when the NLB does not keep the client's
    address (PROXY protocol, or preservation off) and always behind the ALB. Nothing for
    instance targets, whose checks go to the nodes."""
    nlb = cfg.topology == "gateway"
    aws = cfg.aws
    subnets = (nlb_settings(cfg).subnets if nlb else
               aws.alb.subnets if aws and aws.alb else [])
    if nlb and nlb_settings(cfg).target_type != "ip":
        return (), ()
    sources = tuple(s.cidr for s in subnets if s.cidr)
    if not subnets or len(sources) != len(subnets):
        sources = ()
    traffic = (wl.service.http_target_port, wl.service.https_target_port)
    if not nlb:
        return sources, (wl.service.http_target_port, STATUS_PORT)
    if nlb_settings(cfg).proxy_protocol:
        return sources, traffic
    return sources, (STATUS_PORT,) if preserves_client_ip(cfg) else (*traffic, STATUS_PORT)


def eks_edge_plan(cfg: EksStack, *, prometheus_scrape: bool = True) -> EdgePlan:
    """The EdgePlan of `cfg` (cloud eks); reads no derived value of `cfg`."""
    tls = tuple(lst.name for lst in acm_listeners(cfg))
    if cfg.topology == "standalone":
        return EdgePlan(
            "eks", "standalone", "AWS ALB", None, None, None, tls_listeners=tls,
            client_address="X-Forwarded-For appended by the ALB without the client port (read "
            "by the backends)",
            tls_termination="at the ALB (ACM)",
            rules=tuple(RULES[r] for r in applicable(cfg, ALB_RULES)))
    nlb = cfg.topology == "gateway"
    delay = cfg.load_balancer.deregistration_delay_seconds
    if nlb:
        settings = nlb_settings(cfg)
        ip_targets = settings.target_type == "ip"
        health = nlb_health_check(cfg, cfg.gateway or GatewayWorkload.defaults())
        lag = NLB_IP_TARGET_LAG_SECONDS if ip_targets else health.failure_window_seconds
        why = (f"the {lag} s for which the NLB keeps opening connections to a deregistering "
               "IP target" if ip_targets else
               f"the {lag} s the NLB's health check takes to mark a node down")
        # TLS listeners keep a fixed 350 s: the shortest idle timeout on the path counts.
        lb_idle = min(settings.idle_timeout_seconds, 350) if tls else settings.idle_timeout_seconds
        envoy_default = lb_idle - 50
        pooling = False
        proxy = settings.proxy_protocol
        client = ("PROXY protocol v2 (aws.nlb.proxyProtocol)" if proxy else
                  "source address (client IP preservation)" if preserves_client_ip(cfg) else
                  "none: the gateway sees the NLB's address")
        rules = ("EDGE-HC-PROXY", "EDGE-HC-NLB-PORTS", "EDGE-TLS-NLB-PORT", "EDGE-ID-PROXY",
                 "EDGE-ID-HOPS", "EDGE-ID-XFP", "EDGE-TO-NLB", "EDGE-DR-NLB")
    else:
        ip_targets = True
        lag = ALB_IP_TARGET_LAG_SECONDS
        why = f"the {lag} s for which the ALB keeps sending to a deregistering IP target"
        lb_idle = cfg.aws.alb.idle_timeout_seconds if cfg.aws and cfg.aws.alb else 60
        envoy_default = max(3600, lb_idle + 60)
        pooling = True
        proxy = False
        client = ("X-Forwarded-For appended by the ALB without the client port, one trusted "
                  "hop")
        rules = ("EDGE-ID-HOPS", "EDGE-DR-ALB", *ALB_RULES)
    idle_setting = "aws.nlb.idleTimeoutSeconds" if nlb else "aws.alb.idleTimeoutSeconds"
    needed = max(delay, lag)
    if needed == delay:
        why = f"loadBalancer.deregistrationDelaySeconds ({delay})"
    wl = settle_workload(cfg.gateway, needed)
    envoy_idle = (duration_ns(wl.idle_timeout) // 10**9 if wl.idle_timeout
                  else envoy_default)
    sources, ports = load_balancer_sources(cfg, wl)
    options = GatewayOptions(
        stack=cfg.name,
        health_check_sources=sources,
        health_check_ports=ports or (STATUS_PORT,),
        service_type=wl.service.type or ("LoadBalancer" if nlb else "ClusterIP"),
        trusted_proxies=0 if nlb else 1,
        proxy_protocol=proxy,
        prometheus_scrape=prometheus_scrape,
        service_annotations=nlb_annotations(cfg, wl) if nlb else {},
        namespace_labels=dict(READINESS_GATE_LABEL) if ip_targets else {},
        idle_timeout_seconds=envoy_idle,
        https_at_load_balancer=tuple(sorted({lst.port for lst in acm_listeners(cfg)}))
        if nlb else (),
        # Every Service port is an NLB listener, and no health check of the NLB names a
        # Service port: IP targets are checked on the pods by port number, instance targets on
        # kube-proxy's health check node port or the traffic port. The status port stays off
        # the Service (EDGE-HC-NLB-PORTS).
        status_port_on_service=not nlb,
    )
    return EdgePlan(
        "eks", cfg.topology,
        "AWS NLB (AWS Load Balancer Controller)" if nlb else "AWS ALB",
        wl, options,
        replace(nlb_health_check(cfg, wl) if nlb else _alb_health_check(cfg),
                sources=sources),
        tls_listeners=tls,
        drain_needed_seconds=needed,
        drain_reason=why,
        timeouts=Timeouts(pooling, lb_idle, envoy_idle, lb_idle,
                          idle_rule="EDGE-TO-NLB" if nlb else "EDGE-TO-ALB",
                          response_rule="EDGE-TO-NLB" if nlb else "EDGE-TO-ALB",
                          idle_setting=idle_setting, response_setting=idle_setting,
                          response_by="the NLB" if nlb else "the ALB"),
        client_address=client,
        tls_termination=("at the NLB (ACM) for " + ", ".join(tls) if tls else
                         "at the gateway") if nlb else "at the ALB (ACM)",
        rules=tuple({**RULES, **CORE_RULES}[r] for r in applicable(cfg, (*rules, *SHARED))),
    )


# Rules about a setting a stack may not use: listed (edge.md) only where the stack uses it.
GRPC_RULES = ("EDGE-HC-ALB-GRPC", "EDGE-PR-ALB-UPSTREAM")


def applicable(cfg: EksStack, codes: tuple[str, ...]) -> tuple[str, ...]:
    """The rules among `codes` that apply to `cfg`: the gRPC target group's rules only with a
    GRPC target group, PROXY protocol's health check only with PROXY protocol, and
    X-Forwarded-Proto from the NLB and its TLS ports (EDGE-TLS-NLB-PORT) only where the NLB
    ends TLS."""
    alb = cfg.aws.alb if cfg.aws else None
    grpc = alb is not None and (alb.protocol_version == "GRPC" or any(
        b.protocol_version == "GRPC" for b in alb.backends.values()))
    nlb = cfg.topology == "gateway"
    skip = {
        *(() if grpc else GRPC_RULES),
        *(() if nlb and nlb_settings(cfg).proxy_protocol else ("EDGE-HC-PROXY",)),
        *(() if nlb and acm_listeners(cfg) else ("EDGE-ID-XFP", "EDGE-TLS-NLB-PORT")),
    }
    return tuple(c for c in codes if c not in skip)


def _alb_health_check(cfg: EksStack) -> HealthCheck:
    """The ALB's check of the gateway pods (`ingresslib.aws.alb_plan`, imported by ALB stacks
    only: an NLB stack never loads the ALB's planner and rules)."""
    from ingresslib.aws.alb_plan import gateway_health_check  # noqa: PLC0415

    return gateway_health_check(
        cfg.aws.alb.protocol_version if cfg.aws and cfg.aws.alb else "HTTP1")
