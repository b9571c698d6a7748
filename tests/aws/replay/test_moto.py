"""Each EKS stack's AWS resources, replayed into an emulated account (moto) through boto3:
every reference between subnets, security groups, load balancers, target groups, listeners,
certificates, hosted zones, records and the web ACL is checked by the AWS API, and what moto
lets through that AWS refuses is refused by ingresslib itself."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ingresslib import parse_config
from ingresslib.aws.replay import AwsWorld, ReplayError, replay
from ingresslib.errors import ConfigError
from ingresslib.offline.output import manifests, plan
from tests.aws_account import stack_data
from tests.configs import with_alb


def _replayed(renders: Any, topology: str, session: Any) -> tuple[Any, AwsWorld]:
    world = AwsWorld.build(parse_config(stack_data(topology)), session, with_cluster=False)
    records = renders[("stacks/eks", topology)]
    return replay(plan(records), manifests(records), world), world


def _world(topology: str, session: Any) -> AwsWorld:
    return AwsWorld.build(parse_config(stack_data(topology)), session, with_cluster=False)


def _by_port(elbv2: Any, lb_arn: str) -> dict[int, Any]:
    return {lst["Port"]: lst for lst in
            elbv2.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"]}


def _all_accepted(result: Any, renders: Any, topology: str) -> None:
    """Every planned resource was created (plus the NLB the controller makes in gateway)."""
    entries = plan(renders[("stacks/eks", topology)])
    created = [(t, n) for t, n, _ in result.created if not t.startswith("controller:")]
    assert sorted(created) == sorted((e["type"], e["name"]) for e in entries)


def test_chained_alb_as_aws_holds_it(renders: Any, account: Any) -> None:
    result, world = _replayed(renders, "chained", account)
    _all_accepted(result, renders, "chained")
    ec2, elbv2 = world.client("ec2"), world.client("elbv2")
    lb = elbv2.describe_load_balancers()["LoadBalancers"][0]
    assert lb["Scheme"] == "internet-facing"
    assert len({z["ZoneName"] for z in lb["AvailabilityZones"]}) == 3
    attributes = {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    assert attributes["routing.http.xff_header_processing.mode"] == "append"
    # EDGE-ID-XFF-ALB: the client's address without its port, said explicitly
    assert attributes["routing.http.xff_client_port.enabled"] == "false"
    assert attributes["access_logs.s3.bucket"] == "shop-edge-logs"

    (alb_sg,) = lb["SecurityGroups"]
    target_sg = world.ids["sg-0a1b2c3d4e5f60000"]
    groups = {g["GroupId"]: g for g in ec2.describe_security_groups(
        GroupIds=[alb_sg, target_sg])["SecurityGroups"]}
    assert sorted((p["FromPort"], p["IpRanges"][0]["CidrIp"])
                  for p in groups[alb_sg]["IpPermissions"]) == [(80, "0.0.0.0/0"),
                                                                (443, "0.0.0.0/0")]
    # The ALB reaches only the targets' group, on the traffic and health-check ports ...
    assert sorted((p["FromPort"], p["UserIdGroupPairs"][0]["GroupId"])
                  for p in groups[alb_sg]["IpPermissionsEgress"]) == [(80, target_sg),
                                                                      (15021, target_sg)]
    # ... and the targets' group admits the ALB's group there, and nothing else.
    assert sorted((p["FromPort"], p["UserIdGroupPairs"][0]["GroupId"])
                  for p in groups[target_sg]["IpPermissions"]) == [(80, alb_sg),
                                                                   (15021, alb_sg)]

    (group,) = elbv2.describe_target_groups()["TargetGroups"]
    assert (group["TargetType"], group["Port"], group["HealthCheckPort"],
            group["HealthCheckPath"]) == ("ip", 80, "15021", "/healthz/ready")
    listeners = _by_port(elbv2, lb["LoadBalancerArn"])
    https = listeners[443]
    assert https["Certificates"][0]["CertificateArn"] == world.ids[
        stack_data("chained")["certificates"]["edge-tls"]["arn"]]
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["DefaultActions"][0]["TargetGroupArn"] == group["TargetGroupArn"]
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["StatusCode"] == "HTTP_301"

    waf = world.client("wafv2").get_web_acl_for_resource(ResourceArn=lb["LoadBalancerArn"])
    assert waf["WebACL"]["Name"] == "shop-edge"
    binding = next(o for o in manifests(renders[("stacks/eks", "chained")])
                   if o["kind"] == "TargetGroupBinding")
    assert result.real(binding["spec"]["targetGroupARN"]) == group["TargetGroupArn"]
    _assert_alias(world, "shop.example.com", lb)


def _assert_alias(world: AwsWorld, host: str, lb: dict[str, Any]) -> None:
    r53 = world.client("route53")
    zone = r53.list_hosted_zones_by_name(DNSName="example.com")["HostedZones"][0]["Id"]
    records = r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    alias = next(r for r in records if r["Name"] == f"{host}." and r["Type"] == "A")
    assert alias["AliasTarget"]["DNSName"].rstrip(".") == lb["DNSName"]
    assert alias["AliasTarget"]["HostedZoneId"] == lb["CanonicalHostedZoneId"]


def test_gateway_nlb_as_the_controller_makes_it(renders: Any, account: Any) -> None:
    result, world = _replayed(renders, "gateway", account)
    _all_accepted(result, renders, "gateway")
    assert [t for t, _, _ in result.created].count("controller:service") == 1
    elbv2 = world.client("elbv2")
    lb = elbv2.describe_load_balancers()["LoadBalancers"][0]
    assert (lb["Type"], lb["Scheme"]) == ("network", "internet-facing")
    data = stack_data("gateway")
    assert sorted(z["SubnetId"] for z in lb["AvailabilityZones"]) == sorted(
        world.ids[s["id"]] for s in data["aws"]["nlb"]["subnets"])
    # EDGE-TO-NLB: the TCP listener's idle timeout is set explicitly (the TLS one is fixed).
    http = _by_port(elbv2, lb["LoadBalancerArn"])[80]
    attributes = {a["Key"]: a["Value"] for a in elbv2.describe_listener_attributes(
        ListenerArn=http["ListenerArn"])["Attributes"]}
    assert attributes == {"tcp.idle_timeout.seconds": "350"}
    https = _by_port(elbv2, lb["LoadBalancerArn"])[443]
    assert https["Protocol"] == "TLS"
    assert https["AlpnPolicy"] == ["HTTP2Preferred"]
    cert = world.client("acm").describe_certificate(
        CertificateArn=https["Certificates"][0]["CertificateArn"])["Certificate"]
    assert cert["DomainName"] == "shop.example.com"
    group = https["DefaultActions"][0]["TargetGroupArn"]
    attributes = {a["Key"]: a["Value"] for a in elbv2.describe_target_group_attributes(
        TargetGroupArn=group)["Attributes"]}
    assert attributes["proxy_protocol_v2.enabled"] == "true"
    assert attributes["deregistration_delay.timeout_seconds"] == "30"
    tg = elbv2.describe_target_groups(TargetGroupArns=[group])["TargetGroups"][0]
    # PROXY protocol v2 reaches health checks too, which the status port refuses
    # (EDGE-HC-PROXY): the NLB checks the traffic port over TCP, where Envoy expects it.
    assert (tg["TargetType"], tg["HealthCheckProtocol"], tg["HealthCheckPort"]) == (
        "ip", "TCP", "traffic-port")
    assert "HealthCheckPath" not in tg
    _assert_alias(world, "shop.example.com", lb)


def test_standalone_rules_route_by_host_and_path(renders: Any, account: Any) -> None:
    result, world = _replayed(renders, "standalone", account)
    _all_accepted(result, renders, "standalone")
    elbv2 = world.client("elbv2")
    lb = elbv2.describe_load_balancers()["LoadBalancers"][0]
    groups = {g["TargetGroupArn"]: g for g in elbv2.describe_target_groups()["TargetGroups"]}
    names = {arn: g["TargetGroupName"].removeprefix("ingress-alb-")
             for arn, g in groups.items()}
    https = _by_port(elbv2, lb["LoadBalancerArn"])[443]
    rules = sorted((r for r in elbv2.describe_rules(ListenerArn=https["ListenerArn"])["Rules"]
                    if not r["IsDefault"]), key=lambda r: int(r["Priority"]))
    summary = []
    for rule in rules:
        paths = [c["PathPatternConfig"]["Values"] for c in rule["Conditions"]
                 if c["Field"] == "path-pattern"]
        action = rule["Actions"][0]
        if action["Type"] == "redirect":
            target: Any = action["RedirectConfig"]["Path"]
        elif "ForwardConfig" in action:
            target = [(names[g["TargetGroupArn"]], g["Weight"])
                      for g in action["ForwardConfig"]["TargetGroups"]]
        else:
            target = names[action["TargetGroupArn"]]
        summary.append((paths, target))
    assert summary == [
        ([["/api/*"]], "shop-api"),
        ([["/catalog/*"]], "/products"),
        ([], [("shop", 90), ("shop-v2", 10)]),
    ]
    assert {g["HealthCheckPath"] for g in groups.values()} == {"/healthz", "/api/health", "/"}


# ---------------------------------------------------- where moto is laxer than AWS


def test_moto_accepts_a_single_zone_alb_which_ingresslib_refuses(account: Any) -> None:
    data = with_alb(stack_data("chained"))
    data["aws"]["alb"]["subnets"] = data["aws"]["alb"]["subnets"][:1]
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    assert [p.path for p in info.value.problems] == ["aws.alb.subnets"]
    assert "at least two availability zones" in info.value.problems[0].message

    world = _world("chained", account)
    subnet = world.ids["subnet-0a1b2c3d4e5f60001"]
    world.client("elbv2").create_load_balancer(Name="one-zone", Subnets=[subnet])  # moto: fine
    entry = {"type": "aws:lb/loadBalancer:LoadBalancer", "name": "edge-lb",
             "inputs": {"loadBalancerType": "application", "subnets": [subnet]}}
    with pytest.raises(ReplayError, match="fewer than two availability zones"):
        replay([entry], [], world)


def test_moto_accepts_https_without_certificate_which_ingresslib_refuses(account: Any) -> None:
    data = with_alb(stack_data("chained"))
    data["certificates"]["edge-tls"] = {"source": "secret", "secretName": "edge-tls",
                                        "dnsNames": ["shop.example.com"]}
    data["listeners"][1]["tls"] = {"certificate": "edge-tls"}
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    # The listener cannot have a certificate the ALB presents, so the ALB would have none.
    assert {p.path for p in info.value.problems} == {"listeners[https].tls.certificate",
                                                     "listeners"}

    world = _world("chained", account)
    elbv2 = world.client("elbv2")
    subnets = [world.ids["subnet-0a1b2c3d4e5f60001"], world.ids["subnet-0a1b2c3d4e5f60002"]]
    lb = elbv2.create_load_balancer(Name="edge", Subnets=subnets)["LoadBalancers"][0]
    elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                          DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {
                              "StatusCode": "404"}}])  # moto: fine
    entry = {"type": "aws:lb/listener:Listener", "name": "edge-https",
             "inputs": {"loadBalancerArn": lb["LoadBalancerArn"], "protocol": "HTTPS",
                        "port": 8443, "defaultActions": [{"type": "fixed-response",
                                                          "fixedResponse": {"statusCode": "404"}}]}}
    with pytest.raises(ReplayError, match="without a certificate"):
        replay([entry], [], world)


def test_a_pending_certificate_is_refused(renders: Any, account: Any) -> None:
    records = renders[("stacks/eks", "gateway")]
    entries = [e for e in plan(records)
               if e["type"] != "aws:acm/certificateValidation:CertificateValidation"]
    world = _world("gateway", account)
    with pytest.raises(ReplayError, match="PENDING_VALIDATION"):
        replay(entries, manifests(records), world)


def test_validation_needs_its_dns_record(renders: Any, account: Any) -> None:
    records = renders[("stacks/eks", "gateway")]
    entries = [e for e in plan(records) if not e["name"].startswith("ingress-acm-edge-tls-val")
               or e["type"] != "aws:route53/record:Record"]
    world = _world("gateway", account)
    with pytest.raises(ReplayError, match="ACM would never issue"):
        replay(entries, manifests(records), world)


def test_aws_refuses_a_listener_to_a_missing_target_group(renders: Any, account: Any) -> None:
    records = renders[("stacks/eks", "chained")]
    entries = [e for e in plan(records) if e["type"] != "aws:lb/targetGroup:TargetGroup"]
    world = _world("chained", account)
    with pytest.raises(ClientError) as info:
        replay(entries, manifests(records), world)
    assert info.value.response["Error"]["Code"] == "TargetGroupNotFound"


def test_elastic_ips_must_exist(renders: Any, account: Any) -> None:
    """moto takes any allocation ID for an NLB subnet mapping; the replay checks them."""
    world = _world("gateway", account)
    del world.ids["eipalloc-0a1b2c3d4e5f60001"]
    records = renders[("stacks/eks", "gateway")]
    with pytest.raises(ClientError) as info:
        replay(plan(records), manifests(records), world)
    assert "eipalloc-0a1b2c3d4e5f60001" in str(info.value)


def test_an_alias_to_no_load_balancer_is_refused(renders: Any, account: Any) -> None:
    entries = copy.deepcopy(plan(renders[("stacks/eks", "chained")]))
    record = next(e for e in entries if e["name"] == "ingress-dns-shop-example-com")
    record["inputs"]["aliases"][0]["name"] = "elsewhere.elb.amazonaws.com"
    world = _world("chained", account)
    with pytest.raises(ReplayError, match="no load balancer of this account"):
        replay(entries, [], world)


def test_an_unknown_target_group_attribute_is_refused(renders: Any, account: Any) -> None:
    objects = copy.deepcopy(manifests(renders[("stacks/eks", "gateway")]))
    service = next(o for o in objects if o["kind"] == "Service")
    key = "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"
    service["metadata"]["annotations"][key] += ",proxy_protocol.enabled=true"
    world = _world("gateway", account)
    with pytest.raises(ReplayError, match="no attribute"):
        replay(plan(renders[("stacks/eks", "gateway")]), objects, world)


def test_aws_checks_references_the_world_lacks(renders: Any, account: Any) -> None:
    """The targets' security group the config names does not exist: AWS (moto) refuses the
    rule that references it."""
    world = _world("chained", account)
    del world.ids["sg-0a1b2c3d4e5f60000"]
    with pytest.raises(ClientError) as info:
        replay(plan(renders[("stacks/eks", "chained")]), [], world)
    assert info.value.response["Error"]["Code"] == "InvalidGroup.NotFound"
