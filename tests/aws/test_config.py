"""EKS config: what each topology's AWS load balancer can do is accepted and rendered as the
AWS Load Balancer Controller and the ALB read it; everything else is refused before anything is
registered, with the field path, the value and the fix."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.aws.alb_plan import alb_plan
from ingresslib.aws.alb_rules import TargetGroupRef
from ingresslib.aws.nlb import PREFIX, nlb_annotations
from ingresslib.errors import ConfigError
from ingresslib.manifests.gateway import gateway_objects
from ingresslib.stack.render import stack_manifests
from tests.configs import (
    ACM,
    ACM_ARN,
    HOST,
    HTTP,
    HTTPS,
    aks_stack,
    eks_stack,
    http_listener,
    with_alb,
)

SUBNETS = [{"id": "subnet-0a1b2c3d4e5f60001", "zone": "eu-west-1a"},
           {"id": "subnet-0a1b2c3d4e5f60002", "zone": "eu-west-1b"}]
EIPS = ["eipalloc-0a1b2c3d4e5f60001", "eipalloc-0a1b2c3d4e5f60002"]


def gateway(**aws: Any) -> dict[str, Any]:
    """An EKS gateway stack, TLS at the NLB with an existing ACM certificate."""
    return eks_stack(listeners=[HTTP, HTTPS], certificates={"edge": ACM}, aws=aws)


BACKENDS = {
    "web": {"service": "web", "namespace": "shop", "port": 8080},
    "web-v2": {"service": "web-v2", "namespace": "shop", "port": 8080},
    "api": {"service": "api", "namespace": "shop", "port": 9090},
}
PORTS = {"standalonePorts": [{"namespace": "shop", "selector": {"app": "web"},
                              "ports": [8080, 9090]}]}


def standalone(*routes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = eks_stack("standalone", routing={"backends": BACKENDS,
                                            "hosts": [{"host": HOST, "routes": list(routes)}]},
                     security=PORTS)
    data.update(extra)
    return data


def problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    return {p.path: p.message for p in info.value.problems}


# ------------------------------------------------------------------ the named bad inputs


@pytest.mark.parametrize("topology", ["chained", "standalone"])
def test_alb_topology_without_a_certificate(topology: str) -> None:
    data = eks_stack(topology)
    data["listeners"] = [HTTP]
    found = problems(data)
    assert list(found) == ["listeners"]
    assert "needs an HTTPS listener with an ACM certificate" in found["listeners"]


def test_alb_subnets_in_a_single_zone() -> None:
    data = eks_stack("chained")
    data["aws"]["alb"]["subnets"] = [dict(SUBNETS[0]), dict(SUBNETS[1], zone="eu-west-1a")]
    found = problems(data)
    assert set(found) == {"aws.alb.subnets", "aws.alb.subnets[1].zone"}
    assert "at least two availability zones" in found["aws.alb.subnets"]


@pytest.mark.parametrize(("subnets", "eips"), [(SUBNETS, EIPS[:1]), ([], EIPS),
                                               (SUBNETS[:1], EIPS)])
def test_elastic_ips_must_match_the_subnets(subnets: list[Any], eips: list[str]) -> None:
    found = problems(gateway(nlb={"subnets": subnets, "elasticIps": eips}))
    assert list(found) == ["aws.nlb.elasticIps"]
    assert f"{len(eips)} Elastic IP(s) for {len(subnets)} subnet(s)" in found[
        "aws.nlb.elasticIps"]


@pytest.mark.parametrize("annotation", [
    {"service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*"},
    {"service.beta.kubernetes.io/aws-load-balancer-target-group-attributes":
     "proxy_protocol_v2.enabled=true"},
])
def test_proxy_protocol_on_the_nlb_only(annotation: dict[str, str]) -> None:
    data = gateway() | {"gateway": {"service": {"annotations": annotation}}}
    found = problems(data)
    key = next(iter(annotation))
    assert list(found) == [f"gateway.service.annotations.{key}"]
    assert "PROXY protocol on the NLB only" in found[f"gateway.service.annotations.{key}"]


def test_proxy_protocol_on_the_gateway_only() -> None:
    config = json.dumps({"gateway_topology": {"proxy_protocol": {}}})
    data = gateway() | {"gateway": {"podAnnotations": {"proxy.istio.io/config": config}}}
    assert list(problems(data)) == ["gateway.podAnnotations.proxy.istio.io/config"]


def test_proxy_protocol_sets_both_sides() -> None:
    cfg = parse_config(gateway(nlb={"proxyProtocol": True}))
    objs = {o["kind"]: o for o in stack_manifests(cfg).gateway}
    pod = objs["Deployment"]["spec"]["template"]["metadata"]["annotations"]
    assert json.loads(pod["proxy.istio.io/config"])["gatewayTopology"] == {"proxyProtocol": {}}
    attributes = objs["Service"]["metadata"]["annotations"][f"{PREFIX}target-group-attributes"]
    assert "proxy_protocol_v2.enabled=true" in attributes.split(",")


def test_backend_the_alb_reaches_under_strict_mtls() -> None:
    data = standalone({"name": "api", "to": [{"backend": "api"}]})
    data["security"] = {"mtls": "STRICT", "standalonePorts": [
        {"namespace": "shop", "selector": {"app": "web"}, "ports": [8080]}]}
    found = problems(data)
    assert list(found) == ["routing.backends.api"]
    assert "STRICT mTLS" in found["routing.backends.api"]
    assert "security.standalonePorts" in found["routing.backends.api"]


def test_target_port_decides_which_port_must_be_permissive() -> None:
    data = standalone({"name": "api", "to": [{"backend": "api"}]})
    data["aws"]["alb"]["backends"] = {"api": {"targetPort": 8080}}
    plan = alb_plan(parse_config(data))
    assert [(tg.key, tg.port, tg.service_port) for tg in plan.target_groups] == [
        ("api", 8080, 9090)]


# ------------------------------------------------------------------ which LB, which cloud


def test_aws_settings_on_aks_are_refused() -> None:
    data = {"cloud": "aks", "listeners": [HTTP, HTTPS], "aws": {"cluster": "x"},
            "certificates": {"edge": ACM}}
    # The other cloud's section is reported first, alone: nothing inside it matters here.
    assert set(problems(data)) == {"aws"}


def test_each_topology_takes_its_own_load_balancer() -> None:
    assert list(problems(gateway(alb=eks_stack("chained")["aws"]["alb"]))) == ["aws.alb"]
    chained = eks_stack("chained")
    chained["aws"]["nlb"] = {}
    assert list(problems(chained)) == ["aws.nlb"]
    del chained["aws"]["nlb"], chained["aws"]["alb"]
    assert "aws.alb" in problems(chained)


@pytest.mark.parametrize(("change", "path", "message"), [
    ({"protocol": "TLS", "tls": {"mode": "PASSTHROUGH"}}, "listeners[https-acm].protocol",
     "cannot pass TLS through"),
    ({"tls": {"certificate": "edge-acm", "mode": "MUTUAL"}}, "listeners[https-acm].tls.mode",
     "cannot ask for client certificates"),
    ({"tls": {"certificate": "edge-acm", "cipherSuites": ["ECDHE-RSA-AES128-GCM-SHA256"]}},
     "listeners[https-acm].tls.cipherSuites", "security policy"),
])
def test_what_an_alb_listener_cannot_do(change: dict[str, Any], path: str, message: str
                                        ) -> None:
    data = eks_stack("chained")
    data["listeners"][1].update(change)
    assert message in problems(data)[path]


def test_one_protocol_per_alb_port() -> None:
    data = eks_stack("chained")
    data["listeners"][1]["port"] = 80
    assert "an ALB listener has one protocol" in problems(data)[
        "listeners[https-acm].protocol"]


def test_tls_1_3_listener_needs_a_tls_1_3_policy() -> None:
    data = gateway(nlb={"sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"})
    data["listeners"][1]["tls"]["minProtocolVersion"] = "TLSV1_3"
    assert "requires TLS 1.3" in problems(data)["aws.nlb.sslPolicy"]
    del data["aws"]["nlb"]
    annotations = nlb_annotations(cfg := parse_config(data), cfg.workload)
    assert annotations[f"{PREFIX}ssl-negotiation-policy"] == "ELBSecurityPolicy-TLS13-1-3-2021-06"


def test_outdated_ssl_policy_is_refused() -> None:
    assert "TLS 1.2 or newer" in problems(gateway(nlb={"sslPolicy": "ELBSecurityPolicy-2016-08"}))[
        "aws.nlb.sslPolicy"]


def test_nlb_port_is_terminated_whole_or_not_at_all() -> None:
    data = gateway()
    data["listeners"].append({"name": "api", "port": 443, "protocol": "HTTPS",
                              "hosts": ["api.example.com"], "tls": {"certificate": "api"}})
    data["certificates"]["api"] = {"source": "secret", "secretName": "api",
                                   "dnsNames": ["api.example.com"]}
    assert "mixes ACM certificates" in problems(data)["listeners[https].tls.certificate"]


def test_source_ranges_need_client_ip_preservation() -> None:
    data = gateway(nlb={"preserveClientIp": False})
    data["gateway"] = {"service": {"loadBalancerSourceRanges": ["203.0.113.0/24"]}}
    assert "ignores" in problems(data)["aws.nlb.preserveClientIp"]


def test_client_cidr_rules_need_the_client_address() -> None:
    data = gateway(nlb={"preserveClientIp": False})
    data["security"] = {"authorization": [{"name": "office", "action": "ALLOW",
                                           "clientCidrs": ["198.51.100.0/24"]}]}
    assert list(problems(data)) == ["security.authorization[office]"]
    data["aws"]["nlb"]["proxyProtocol"] = True
    policy = next(o for o in stack_manifests(parse_config(data)).security
                  if o["kind"] == "AuthorizationPolicy")
    assert policy["spec"]["rules"][0]["from"][0]["source"] == {
        "remoteIpBlocks": ["198.51.100.0/24"]}


@pytest.mark.parametrize(("service", "path"), [
    ({"loadBalancerClass": "example.com/lb"}, "gateway.service.loadBalancerClass"),
    ({"annotations": {f"{PREFIX}scheme": "internal"}},
     f"gateway.service.annotations.{PREFIX}scheme"),
])
def test_the_controllers_settings_come_from_the_config(service: dict[str, Any], path: str
                                                       ) -> None:
    assert list(problems(gateway() | {"gateway": {"service": service}})) == [path]


def test_hosts_outside_the_zone() -> None:
    data = gateway(dns={"zone": "example.org"})
    assert "outside aws.dns.zone" in problems(data)["listeners[http].hosts"]


def test_validation_zone_must_hold_the_names() -> None:
    data = gateway()
    data["certificates"]["edge"] = {"source": "acm", "dnsNames": [HOST],
                                    "validationZone": "example.org"}
    assert "outside validationZone" in problems(data)["certificates.edge.dnsNames"]


def test_alb_backends_name_routing_backends_and_only_in_standalone() -> None:
    data = standalone({"name": "web", "to": [{"backend": "web"}]})
    data["aws"]["alb"]["backends"] = {"nope": {}}
    assert "names no entry of routing.backends" in problems(data)["aws.alb.backends.nope"]
    chained = eks_stack("chained")
    chained["aws"]["alb"]["backends"] = {"web": {}}
    assert "standalone only" in problems(chained)["aws.alb.backends"]


# ------------------------------------------------------------------ what ALB rules express


def _rules(data: dict[str, Any]) -> list[tuple[list[Any], list[Any]]]:
    plan = alb_plan(parse_config(data))
    https = next(lp for lp in plan.listeners if lp.protocol == "HTTPS")
    priorities = [r.priority for r in https.rules]
    assert priorities == sorted(set(priorities))  # rising with the order, each once
    return [(r.conditions, r.actions) for r in https.rules]


def test_routes_become_rules_in_order() -> None:
    rules = _rules(standalone(
        {"name": "api", "match": [{"uri": {"prefix": "/api/"}, "method": {"exact": "POST"}},
                                  {"uri": {"exact": "/v1"}, "headers": {"x-v": {"prefix": "1."}},
                                   "queryParams": {"debug": {"exact": "a*b"}}}],
         "to": [{"backend": "api"}]},
        {"name": "old", "match": [{"uri": {"prefix": "/old"}}],
         "redirect": {"uri": "/new", "scheme": "https", "redirectCode": 302}},
        {"name": "teapot", "match": [{"uri": {"exact": "/tea"}}],
         "directResponse": {"status": 418, "body": "short and stout"}},
        {"name": "web", "to": [{"backend": "web", "weight": 80},
                               {"backend": "web-v2", "weight": 20}]},
    ))
    host = {"host_header": {"values": [HOST]}}
    assert rules == [
        ([host, {"path_pattern": {"values": ["/api/*"]}},
          {"http_request_method": {"values": ["POST"]}}],
         [{"type": "forward", "target_group_arn": TargetGroupRef("api")}]),
        ([host, {"path_pattern": {"values": ["/v1"]}},
          {"http_header": {"http_header_name": "x-v", "values": ["1.*"]}},
          {"query_strings": [{"key": "debug", "value": "a\\*b"}]}],
         [{"type": "forward", "target_group_arn": TargetGroupRef("api")}]),
        ([host, {"path_pattern": {"values": ["/old*"]}}],
         [{"type": "redirect", "redirect": {
             "status_code": "HTTP_302", "protocol": "HTTPS", "host": "#{host}", "port": "443",
             "path": "/new", "query": "#{query}"}}]),
        ([host, {"path_pattern": {"values": ["/tea"]}}],
         [{"type": "fixed-response", "fixed_response": {
             "content_type": "text/plain", "status_code": "418",
             "message_body": "short and stout"}}]),
        ([host],
         [{"type": "forward", "forward": {"target_groups": [
             {"arn": TargetGroupRef("web"), "weight": 80},
             {"arn": TargetGroupRef("web-v2"), "weight": 20}]}}]),
    ]


def test_exact_hosts_are_ruled_before_wildcards() -> None:
    data = standalone({"name": "web", "to": [{"backend": "web"}]})
    data["listeners"] = [dict(HTTP, hosts=["*.example.com", HOST])]
    data = with_alb(data)
    data["routing"]["hosts"] = [
        {"host": "*.example.com", "routes": [{"name": "any", "to": [{"backend": "web-v2"}]}]},
        {"host": HOST, "routes": [{"name": "web", "to": [{"backend": "web"}]}]},
    ]
    data["certificates"]["edge-acm"]["dnsNames"] = ["*.example.com"]
    hosts = [c[0]["host_header"]["values"] for c, _ in _rules(data)]
    assert hosts == [[HOST], ["*.example.com"]]


@pytest.mark.parametrize(("route", "path", "message"), [
    ({"match": [{"uri": {"regex": "/a.*"}}]}, "match[0].uri.regex", "wildcards only"),
    ({"match": [{"uri": {"prefix": "/a"}, "ignoreUriCase": True}]}, "match[0].ignoreUriCase",
     "case-sensitive"),
    ({"match": [{"uri": {"prefix": "/a*"}}]}, "match[0].uri", "cannot escape"),
    ({"match": [{"method": {"prefix": "P"}}]}, "match[0].method", "one exact method"),
    ({"match": [{"headers": {"x": {"regex": "a+"}}}]}, "match[0].headers.x.regex",
     "wildcards only"),
    ({"match": [{"headers": {"a": {"exact": "1"}, "b": {"exact": "1"}, "c": {"exact": "1"},
                             "d": {"exact": "1"}, "e": {"exact": "1"}}}]}, "match[0]",
     "at most 5 condition values"),
    ({"rewrite": {"uri": "/"}}, "rewrite", "no ALB transforms"),
    ({"timeout": "5s"}, "timeout", "idle timeout"),
    ({"retries": {"attempts": 2}}, "retries", "retry"),
    ({"fault": {"abort": {"percent": 1, "httpStatus": 500}}}, "fault", "inject faults"),
    ({"cors": {"allowOrigins": [{"exact": "https://a.example.com"}]}}, "cors", "CORS"),
    ({"mirror": {"backend": "api"}}, "mirror", "mirror"),
    ({"headers": {"request": {"set": {"x": "1"}}}}, "headers", "change request"),
])
def test_route_features_an_alb_cannot_express(route: dict[str, Any], path: str,
                                              message: str) -> None:
    found = problems(standalone({"name": "r", "to": [{"backend": "web"}], **route}))
    assert message in found[f"routing.hosts[{HOST}].routes[r].{path}"]


@pytest.mark.parametrize(("route", "path", "message"), [
    ({"to": [{"backend": "web", "subset": "v1"}]}, "to[0].subset", "cannot pick a subset"),
    ({"redirect": {"uri": "/x", "redirectCode": 308}}, "redirect.redirectCode", "301 or 302"),
    ({"directResponse": {"status": 302}}, "directResponse.status", "2xx, 4xx or 5xx"),
    ({"directResponse": {"status": 200, "body": "x" * 1025}}, "directResponse.body",
     "1024 bytes"),
    ({"delegate": {"name": "team", "namespace": "shop"}}, "delegate", "no delegated"),
])
def test_actions_an_alb_cannot_take(route: dict[str, Any], path: str, message: str) -> None:
    data = standalone({"name": "r", **route})
    data["routing"]["backends"]["web"]["subsets"] = {"v1": {"version": "v1"}}
    assert message in problems(data)[f"routing.hosts[{HOST}].routes[r].{path}"]


def test_tls_routes_and_traffic_policies_the_alb_never_applies() -> None:
    data = standalone({"name": "web", "to": [{"backend": "web"}]})
    data["routing"]["hosts"][0]["tlsRoutes"] = [
        {"name": "t", "sniHosts": [HOST], "to": [{"backend": "web"}]}]
    data["routing"]["backends"]["web"]["trafficPolicy"] = {
        "loadBalancer": {"hashCookie": "s"}, "outlierDetection": {}}
    found = problems(data)
    assert "cannot route TLS by SNI" in found[f"routing.hosts[{HOST}].tlsRoutes"]
    assert "simple ROUND_ROBIN" in found["routing.backends.web.trafficPolicy.loadBalancer"]
    assert "not one" in found["routing.backends.web.trafficPolicy"]


def test_routes_in_standalone_on_eks_are_the_albs() -> None:
    cfg = parse_config(standalone({"name": "web", "to": [{"backend": "web"}]}))
    assert stack_manifests(cfg).routing == []
    assert [tg.key for tg in alb_plan(cfg).target_groups] == ["web"]


# ------------------------------------------------------------------ chained


def test_chained_alb_forwards_everything_to_the_gateway() -> None:
    cfg = parse_config(eks_stack("chained"))
    plan = alb_plan(cfg)
    (group,) = plan.target_groups
    assert (group.port, group.health_check["port"], group.health_check["path"]) == (
        80, "15021", "/healthz/ready")
    assert plan.target_ports == [80, 15021]
    http, https = plan.listeners
    assert http.default_action["redirect"] == {"port": "443", "protocol": "HTTPS",
                                               "status_code": "HTTP_301"}
    assert https.default_action == {"type": "forward",
                                    "target_group_arn": TargetGroupRef("gateway")}
    assert https.ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06"


def test_chained_http_listener_without_redirect_forwards() -> None:
    data = eks_stack("chained", listeners=[http_listener(httpsRedirect=False)])
    http = alb_plan(parse_config(data)).listeners[0]
    assert http.default_action["type"] == "forward"


# ------------------------------------------------------------------ the NLB's annotations


def test_nlb_defaults() -> None:
    cfg = parse_config(gateway())
    annotations = nlb_annotations(cfg, cfg.workload)
    assert annotations == {
        f"{PREFIX}type": "external",
        f"{PREFIX}nlb-target-type": "ip",
        f"{PREFIX}scheme": "internet-facing",
        f"{PREFIX}attributes": "load_balancing.cross_zone.enabled=true",
        f"{PREFIX}target-group-attributes": "deregistration_delay.timeout_seconds=30,"
        "deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true",
        f"{PREFIX}healthcheck-protocol": "http",
        f"{PREFIX}healthcheck-port": "15021",
        f"{PREFIX}healthcheck-path": "/healthz/ready",
        f"{PREFIX}healthcheck-healthy-threshold": "2",
        f"{PREFIX}healthcheck-unhealthy-threshold": "2",
        f"{PREFIX}healthcheck-interval": "10",
        f"{PREFIX}ssl-cert": ACM_ARN,
        f"{PREFIX}ssl-ports": "443",
        f"{PREFIX}ssl-negotiation-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        f"{PREFIX}alpn-policy": "HTTP2Preferred",
        # EDGE-TO-NLB: the TCP listener's idle timeout, said explicitly (TLS-443 keeps 350 s)
        f"{PREFIX}listener-attributes.TCP-80": "tcp.idle_timeout.seconds=350",
    }


def test_nlb_instance_targets_internal_with_subnets_and_logs() -> None:
    data = gateway(nlb={"targetType": "instance", "subnets": SUBNETS, "crossZone": False,
                        "accessLogs": {"bucket": "logs", "prefix": "edge"}})
    data["loadBalancer"] = {"scheme": "internal"}
    annotations = nlb_annotations(cfg := parse_config(data), cfg.workload)
    assert annotations[f"{PREFIX}nlb-target-type"] == "instance"
    assert annotations[f"{PREFIX}scheme"] == "internal"
    assert annotations[f"{PREFIX}subnets"] == "subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002"
    assert annotations[f"{PREFIX}attributes"] == (
        "load_balancing.cross_zone.enabled=false,access_logs.s3.enabled=true,"
        "access_logs.s3.bucket=logs,access_logs.s3.prefix=edge")
    # kube-proxy's health check node port: the controller's default port under Local
    assert f"{PREFIX}healthcheck-port" not in annotations
    assert annotations[f"{PREFIX}healthcheck-path"] == "/healthz"
    data["gateway"] = {"service": {"externalTrafficPolicy": "Cluster"}}
    annotations = nlb_annotations(cfg := parse_config(data), cfg.workload)
    assert annotations[f"{PREFIX}healthcheck-protocol"] == "tcp"


def test_tls_at_the_nlb_leaves_plain_http_to_the_gateway() -> None:
    cfg = parse_config(gateway())
    servers = stack_manifests(cfg).routing[0]["spec"]["servers"]
    assert servers[1] == {"hosts": [HOST], "port": {"name": "https", "number": 443,
                                                     "protocol": "HTTP"}}
    assert servers[0]["tls"] == {"httpsRedirect": True}


def test_readiness_gate_for_ip_targets_only() -> None:
    label = "elbv2.k8s.aws/pod-readiness-gate-inject"

    def namespace_labels(data: dict[str, Any]) -> dict[str, str]:
        cfg = parse_config(data)
        assert cfg.workload is not None
        objs = gateway_objects(cfg.workload, cfg.edge.gateway)
        return objs[0]["metadata"]["labels"]

    assert namespace_labels(gateway())[label] == "enabled"
    assert label not in namespace_labels(gateway(nlb={"targetType": "instance"}))
    chained = eks_stack("chained")
    assert namespace_labels(chained)[label] == "enabled"
    assert label not in namespace_labels(aks_stack())


# ------------------------------------------------------------------ drain follows the delay


@pytest.mark.parametrize(("lb", "drain", "expected"), [
    # EDGE-DR-NLB: the NLB keeps opening connections to a deregistering IP target for up to
    # 120 s, whatever the delay: the drain outlasts the longer of the two by 15 s.
    ({}, {}, (135, 150)),
    ({"deregistrationDelaySeconds": 120}, {}, (135, 150)),
    ({"deregistrationDelaySeconds": 300}, {}, (315, 330)),
    ({"deregistrationDelaySeconds": 120}, {"terminationDrainSeconds": 200}, (200, 215)),
    ({"deregistrationDelaySeconds": 10}, {"terminationGracePeriodSeconds": 190}, (135, 190)),
])
def test_drain_follows_the_deregistration_delay(lb: dict[str, Any], drain: dict[str, Any],
                                                expected: tuple[int, int]) -> None:
    cfg = parse_config(gateway() | {"loadBalancer": lb, "gateway": {"drain": drain}})
    pod = next(o for o in stack_manifests(cfg).gateway if o["kind"] == "Deployment")[
        "spec"]["template"]
    config = json.loads(pod["metadata"]["annotations"]["proxy.istio.io/config"])
    assert (config["terminationDrainDuration"], pod["spec"]["terminationGracePeriodSeconds"]
            ) == (f"{expected[0]}s", expected[1])
    annotations = nlb_annotations(cfg, cfg.workload)
    assert f"deregistration_delay.timeout_seconds={lb.get('deregistrationDelaySeconds', 30)}" \
        in annotations[f"{PREFIX}target-group-attributes"]
