"""The AWS edge rules of an EKS stack: which load balancer a topology uses, what it can
terminate, what the NLB and the ALB need, and what an ALB cannot express of the routing.

They run after the cloud-agnostic rules, once every field is valid (`ingresslib.stack`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ingresslib.aws.config import (
    GRPC_CODES,
    GRPC_HEALTH_PATH,
    GRPC_METHOD,
    HTTP_CODES,
    LBC_ANNOTATION_PREFIXES,
    LBC_CLASS,
    PROXY_ANNOTATIONS,
    SSL_POLICY_DEFAULT,
    AcmCertificate,
    Alb,
    AlbBackend,
    Aws,
    EksStack,
    Nlb,
    Route53,
    Subnet,
    acm_listeners,
    in_zone,
    nlb_settings,
    preserves_client_ip,
)
from ingresslib.aws.interaction_rules import aws_interaction_problems
from ingresslib.aws.nlb import annotation_fix
from ingresslib.config.listeners import Listener, https_hosts, redirects
from ingresslib.errors import Problem


def aws_problems(cfg: EksStack) -> Iterator[Problem]:
    """Every AWS edge rule of an EKS stack (`ingresslib.config.placement` refuses the load
    balancer section of another topology before these run)."""
    aws = cfg.aws or Aws.defaults()
    yield from aws_interaction_problems(cfg)
    yield from _network_policy_problems(cfg)
    yield from _certificate_zone_problems(cfg)
    if aws.dns is not None:
        yield from _dns_problems(cfg, aws.dns)
    if cfg.topology == "gateway":
        yield from _nlb_problems(cfg, aws.nlb or Nlb.defaults())
        return
    if aws.alb is None:
        yield Problem("aws.alb", None, f"topology {cfg.topology} on EKS needs an ALB: set "
                      "aws.alb with vpcId, subnets (two or more zones), allowedCidrs and "
                      "targetSecurityGroup")
        return
    yield from _alb_problems(cfg, aws.alb)
    # The ALB's route rules load for ALB stacks only.
    from ingresslib.aws.alb_rules import alb_route_problems  # noqa: PLC0415

    yield from alb_route_problems(cfg, aws.alb)


def _subnet_problems(path: str, subnets: list[Subnet]) -> Iterator[Problem]:
    seen_ids: dict[str, int] = {}
    seen_zones: dict[str, int] = {}
    for i, subnet in enumerate(subnets):
        if subnet.id in seen_ids:
            yield Problem(f"{path}[{i}].id", subnet.id,
                          f"duplicates {path}[{seen_ids[subnet.id]}].id")
        elif subnet.zone in seen_zones:
            yield Problem(f"{path}[{i}].zone", subnet.zone,
                          f"{path}[{seen_zones[subnet.zone]}] is already in this zone; a load "
                          "balancer takes one subnet per availability zone")
        seen_ids.setdefault(subnet.id, i)
        seen_zones.setdefault(subnet.zone, i)


def _enables_proxy_protocol(key: str, value: str) -> bool:
    if key == PROXY_ANNOTATIONS[0]:
        return True  # its only valid value, "*", turns PROXY protocol v2 on
    return key == PROXY_ANNOTATIONS[1] and (
        "proxy_protocol_v2.enabled=true" in value.replace(" ", "").lower())


def _managed_annotation_problems(cfg: EksStack, nlb: Nlb) -> Iterator[Problem]:
    wl = cfg.workload
    assert wl is not None
    for key, value in sorted(wl.service.annotations.items()):
        if _enables_proxy_protocol(key, value) and not nlb.proxy_protocol:
            yield Problem(f"gateway.service.annotations.{key}", value,
                          "enables PROXY protocol on the NLB only, while the gateway pods would "
                          "not expect it (every request would fail to parse); set "
                          "aws.nlb.proxyProtocol: true, which configures both sides")
        elif key == LBC_ANNOTATION_PREFIXES[1]:
            yield Problem(f"gateway.service.annotations.{key}", value,
                          "is read by the AWS Load Balancer Controller as the NLB's client "
                          "ranges; set gateway.service.loadBalancerSourceRanges instead")
        elif (fix := annotation_fix(key)) is not None:
            yield Problem(f"gateway.service.annotations.{key}", value,
                          f"{fix} (EDGE-MSG-KEY)")


def _nlb_problems(cfg: EksStack, nlb: Nlb) -> Iterator[Problem]:
    wl = cfg.workload
    assert wl is not None
    yield from _subnet_problems("aws.nlb.subnets", nlb.subnets)
    yield from _managed_annotation_problems(cfg, nlb)
    if wl.service.load_balancer_class not in (None, LBC_CLASS):
        yield Problem("gateway.service.loadBalancerClass", wl.service.load_balancer_class,
                      f"the AWS Load Balancer Controller only reconciles class {LBC_CLASS} (or "
                      "none, with the annotations ingresslib sets); remove it")
    if nlb.elastic_ips:
        if cfg.load_balancer.scheme != "internet-facing":
            yield Problem("aws.nlb.elasticIps", nlb.elastic_ips,
                          "Elastic IPs need an internet-facing NLB (loadBalancer.scheme)")
        if len(nlb.elastic_ips) != len(nlb.subnets):
            yield Problem("aws.nlb.elasticIps", nlb.elastic_ips,
                          f"{len(nlb.elastic_ips)} Elastic IP(s) for {len(nlb.subnets)} "
                          "subnet(s) in aws.nlb.subnets: the NLB takes exactly one per subnet, "
                          "in order; list the subnets or match the counts")
        if len(set(nlb.elastic_ips)) != len(nlb.elastic_ips):
            yield Problem("aws.nlb.elasticIps", nlb.elastic_ips, "lists an allocation twice")
    if wl.service.load_balancer_source_ranges and not preserves_client_ip(cfg):
        yield Problem("aws.nlb.preserveClientIp", False,
                      "the AWS Load Balancer Controller ignores "
                      "gateway.service.loadBalancerSourceRanges when client IP preservation "
                      "is off, so every address would be let in; keep it true or remove the "
                      "ranges")
    if not preserves_client_ip(cfg) and not nlb.proxy_protocol and nlb.target_type == "ip":
        rules = cfg.security.authorization if cfg.security else []
        why = ("aws.nlb.preserveClientIp" if nlb.preserve_client_ip is not None else
               "unset on an internal NLB, so that in-cluster callers are not dropped as "
               "hairpin traffic: EDGE-IN-HAIRPIN")
        for i, rule in enumerate(rules):
            if rule.client_cidrs or rule.not_client_cidrs:
                yield Problem(f"security.authorization[{i}]", rule.name,
                              "matches client CIDRs, but with client IP preservation off "
                              f"({why}) and no PROXY protocol the gateway sees the NLB's "
                              "address; set aws.nlb.proxyProtocol: true, or "
                              "aws.nlb.preserveClientIp: true")
    yield from _terminating_listener_problems(cfg, nlb.ssl_policy, "aws.nlb.sslPolicy",
                                              acm_listeners(cfg), "NLB")
    ports: dict[int, set[bool]] = {}
    acm = {lst.name for lst in acm_listeners(cfg)}
    acm_ports: dict[int, str] = {}
    for lst in acm_listeners(cfg):
        acm_ports.setdefault(lst.port, lst.name)
    for lst in cfg.listeners:
        if lst.protocol != "HTTP":
            ports.setdefault(lst.port, set()).add(lst.name in acm)
    for i, lst in enumerate(cfg.listeners):
        if lst.port in ports and len(ports[lst.port]) > 1 and lst.name in acm:
            assert lst.tls is not None
            yield Problem(f"listeners[{i}].tls.certificate", lst.tls.certificate,
                          f"port {lst.port} mixes ACM certificates (TLS ends at the NLB) with "
                          "certificates the gateway presents; the NLB terminates a whole port "
                          "or none of it: use one kind per port (EDGE-TLS-NLB-PORT)")
        if lst.protocol == "HTTP" and lst.port in acm_ports:
            yield Problem(f"listeners[{i}].port", lst.port,
                          "plain HTTP on a port where the NLB ends TLS "
                          f"(listeners[{acm_ports[lst.port]}]'s ACM "
                          "certificate): the NLB terminates a whole port, so HTTP clients "
                          "meet a TLS handshake; serve HTTP on another port (80) "
                          "(EDGE-TLS-NLB-PORT)")


def _terminating_listener_problems(
    cfg: EksStack, policy: str | None, policy_path: str, listeners: list[Listener], lb: str
) -> Iterator[Problem]:
    """Listeners whose TLS an AWS load balancer terminates: no client certificates, no cipher
    lists (the ELB security policy decides), and a policy that meets their minimum version."""
    for lst in listeners:
        i = cfg.listeners.index(lst)
        assert lst.tls is not None
        if lst.tls.mode == "MUTUAL":
            yield Problem(f"listeners[{i}].tls.mode", "MUTUAL",
                          f"certificate {lst.tls.certificate} is from ACM, so the {lb} "
                          "terminates TLS and cannot ask for client certificates; use a "
                          "certificate the gateway presents (secret, certManager) for MUTUAL")
        if lst.tls.cipher_suites:
            yield Problem(f"listeners[{i}].tls.cipherSuites", lst.tls.cipher_suites,
                          f"the {lb} picks ciphers from its security policy; remove them and "
                          f"set {policy_path}")
        if policy and lst.tls.min_protocol_version == "TLSV1_3" and "TLS13-1-3" not in policy:
            yield Problem(policy_path, policy,
                          f"listeners[{i}] requires TLS 1.3 and this policy accepts TLS 1.2; "
                          f"use {SSL_POLICY_DEFAULT['TLSV1_3']}")


def _alb_problems(cfg: EksStack, alb: Alb) -> Iterator[Problem]:
    yield from _subnet_problems("aws.alb.subnets", alb.subnets)
    zones = {s.zone for s in alb.subnets}
    if len(zones) < 2:
        yield Problem("aws.alb.subnets", [s.id for s in alb.subnets],
                      "an ALB needs subnets in at least two availability zones, and these are "
                      f"all in {', '.join(sorted(zones)) or 'none'}; add a subnet in another "
                      "zone")
    acm = acm_listeners(cfg)
    for i, lst in enumerate(cfg.listeners):
        if lst.protocol == "TLS":
            yield Problem(f"listeners[{i}].protocol", "TLS",
                          "an ALB cannot pass TLS through; use topology gateway (NLB) for "
                          "PASSTHROUGH listeners")
    if not acm:
        yield Problem("listeners", [lst.name for lst in cfg.listeners],
                      f"topology {cfg.topology} on EKS serves clients through an ALB, which "
                      "needs an HTTPS listener with an ACM certificate; add one (certificates "
                      "with source acm)")
    yield from _terminating_listener_problems(cfg, alb.ssl_policy, "aws.alb.sslPolicy", acm,
                                              "ALB")
    protocols: dict[int, tuple[str, int]] = {}
    for i, lst in enumerate(cfg.listeners):
        first = protocols.setdefault(lst.port, (lst.protocol, i))
        if first[0] != lst.protocol:
            yield Problem(f"listeners[{i}].protocol", lst.protocol,
                          f"port {lst.port} is {first[0]} in listeners[{first[1]}]; an ALB "
                          "listener has one protocol: use another port")
    if cfg.topology == "chained" and alb.backends:
        yield Problem("aws.alb.backends", sorted(alb.backends),
                      "in topology chained the ALB sends everything to the Istio gateway; "
                      "backends apply to topology standalone only: remove it")
    yield from _protocol_version_problems(cfg, alb)


def _protocol_version_problems(cfg: EksStack, alb: Alb) -> Iterator[Problem]:
    """EDGE-PR-ALB, EDGE-PR-ALB-UPSTREAM, EDGE-HC-ALB-GRPC: what each target group's protocol
    version needs of the listeners in front and the backends behind."""
    if cfg.topology == "standalone":
        if "protocol_version" in alb.model_fields_set:
            yield Problem("aws.alb.protocolVersion", alb.protocol_version,
                          "in topology standalone each backend has its own target group: set "
                          "aws.alb.backends.<backend>.protocolVersion (EDGE-PR-ALB)")
        for key, backend in sorted(alb.backends.items()):
            yield from _backend_health_problems(key, backend)
        return
    version = alb.protocol_version
    if version == "HTTP1":
        return
    https = https_hosts(cfg.listeners)
    for i, lst in enumerate(cfg.listeners):
        if lst.protocol == "HTTP" and not redirects(lst, https):
            yield Problem(
                f"listeners[{i}]", f"{lst.name} :{lst.port} HTTP",
                f"forwards to the gateway's target group, whose protocolVersion {version} AWS "
                "accepts behind HTTPS listeners only (EDGE-PR-ALB); let it redirect to HTTPS "
                "(serve its hosts on an HTTPS listener, httpsRedirect not false), or set "
                "aws.alb.protocolVersion: HTTP1")
    if version != "GRPC":
        return
    for key in _routed(cfg):
        backend = cfg.routing.backends.get(key)
        policy = backend.traffic_policy if backend else None
        pool = policy.connection_pool if policy else None
        given = pool.http.use_client_protocol if pool and pool.http else None
        if backend is not None and given is not True:
            yield Problem(
                f"routing.backends.{key}.trafficPolicy.connectionPool.http.useClientProtocol",
                given,
                "behind a GRPC target group every request is a gRPC call, which needs HTTP/2 "
                "from the gateway to the backend, and a gateway speaks HTTP/1.1 to a Service "
                "port that is not named or appProtocol-marked grpc/http2 (ingresslib cannot "
                "see the Service); set it to true (EDGE-PR-ALB-UPSTREAM)")


def _routed(cfg: EksStack) -> list[str]:
    """Backends the routes send to or mirror to, sorted."""
    keys = set()
    for host in cfg.routing.hosts:
        for route in host.routes:
            keys |= {d.backend for d in route.to}
            if route.mirror:
                keys.add(route.mirror.backend)
    return sorted(keys)


def _backend_health_problems(key: str, backend: AlbBackend) -> Iterator[Problem]:
    """A target group's health check speaks its protocol version: gRPC codes 0-99 and a
    method path for GRPC, HTTP codes otherwise (EDGE-HC-ALB-GRPC)."""
    path = f"aws.alb.backends.{key}"
    grpc = backend.protocol_version == "GRPC"
    matcher = backend.health_check_matcher
    if matcher is not None and not (GRPC_CODES if grpc else HTTP_CODES).match(matcher):
        yield Problem(f"{path}.healthCheckMatcher", matcher,
                      f"with protocolVersion {backend.protocol_version} a healthy target "
                      "answers " + ("gRPC codes, between 0 and 99 (such as 12, or 0,12)" if grpc
                                    else "HTTP codes, between 100 and 599 (such as 200-399)")
                      + " (EDGE-HC-ALB-GRPC)")
    health_path = backend.health_check_path
    if grpc and health_path is not None and not GRPC_METHOD.match(health_path):
        yield Problem(f"{path}.healthCheckPath", health_path,
                      "a GRPC target group's health check calls a gRPC method: "
                      f"/package.Service/Method, such as {GRPC_HEALTH_PATH} (EDGE-HC-ALB-GRPC)")


def region_problems(cfg: EksStack, region: str) -> Iterator[Problem]:
    """EDGE-AWS-REGION: the ACM certificates and the WAF web ACL the stack names are in
    `region`, the stack's `aws:region` (where its load balancer is). An ARN of another
    region validates, then fails at `pulumi up` (the certificate or web ACL is not found)."""
    arns = [(f"certificates.{key}.arn", cert.arn) for key, cert in cfg.certificates.items()
            if isinstance(cert, AcmCertificate) and cert.arn]
    if cfg.aws and cfg.aws.alb and cfg.aws.alb.web_acl_arn:
        arns.append(("aws.alb.webAclArn", cfg.aws.alb.web_acl_arn))
    for path, arn in arns:
        if (arn_region := arn.split(":")[3]) != region:
            yield Problem(path, arn,
                          f"is in {arn_region}, while the load balancer is in {region} "
                          "(aws:region), which can use only its own region's; import or "
                          f"create it in {region} (EDGE-AWS-REGION)")


def _certificate_zone_problems(cfg: EksStack) -> Iterator[Problem]:
    for key, cert in cfg.certificates.items():
        if isinstance(cert, AcmCertificate) and cert.validation_zone:
            for name in cert.dns_names:
                if not in_zone(name, cert.validation_zone):
                    yield Problem(f"certificates.{key}.dnsNames", name,
                                  f"is outside validationZone {cert.validation_zone}, where "
                                  "the DNS validation record must go; use a zone that holds "
                                  "every name, or an existing certificate (arn)")


def _dns_problems(cfg: EksStack, dns: Route53) -> Iterator[Problem]:
    for i, lst in enumerate(cfg.listeners):
        for host in lst.hosts:
            if host != "*" and not in_zone(host, dns.zone):
                yield Problem(f"listeners[{i}].hosts", host,
                              f"is outside aws.dns.zone {dns.zone}, so no alias record can "
                              "point it at the load balancer; use a zone that holds every "
                              "host, or manage this record elsewhere")


def _network_policy_problems(cfg: EksStack) -> Iterator[Problem]:
    """EDGE-HC-NETPOL on EKS: a NetworkPolicy that restricts the gateway's clients must admit
    the load balancer's own connections (health checks; from an ALB or without the client's
    address, all of them), which come from its subnets: ingresslib admits their ranges when
    every subnet gives its cidr."""
    plan = cfg.edge
    wl, gw = plan.workload, plan.gateway
    if wl is None or gw is None or not wl.network_policy.enabled:
        return
    if not wl.network_policy.ingress_from or gw.health_check_sources:
        return
    lb = "aws.nlb" if cfg.topology == "gateway" else "aws.alb"
    if lb == "aws.nlb" and nlb_settings(cfg).target_type != "ip":
        return  # instance targets: the checks go to the nodes
    yield Problem("gateway.networkPolicy.ingressFrom", wl.network_policy.ingress_from,
                  f"admits only these clients, and the load balancer's own connections (its "
                  f"health checks on ports {', '.join(map(str, gw.health_check_ports))}) come "
                  f"from its subnets, which would be refused: every target unhealthy. Give "
                  f"each of {lb}.subnets its cidr so they are admitted, or remove ingressFrom "
                  "(EDGE-HC-NETPOL)")
