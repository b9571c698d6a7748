"""`ingresslib preflight eks` against an emulated account (moto): a ready account passes, and
each problem the preflight reports is caught, one test each, with the config path to fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from ingresslib import parse_config
from ingresslib.aws.preflight import preflight
from ingresslib.aws.replay import AwsWorld
from ingresslib.cli import main
from ingresslib.errors import Problem
from tests.aws_account import REGION, real_config, stack_data
from tests.configs import aks_stack


def _ready(topology: str, session: boto3.Session, **changes: Any
           ) -> tuple[dict[str, Any], AwsWorld]:
    """The stack's config (with `changes` merged into aws) and an account holding all of it."""
    data = stack_data(topology)
    for key, value in changes.items():
        data["aws"][key] = value
    return data, AwsWorld.build(parse_config(data), session)


def _problems(data: dict[str, Any], world: AwsWorld) -> list[Problem]:
    return preflight(real_config(data, world), world.session)


def _paths(problems: list[Problem]) -> list[str]:
    return [p.path for p in problems]


@pytest.mark.parametrize("topology", ["gateway", "chained", "standalone"])
def test_a_ready_account_passes(topology: str, account: Any) -> None:
    data, world = _ready(topology, account)
    assert _problems(data, world) == []


def test_without_a_region(account: Any) -> None:
    data, world = _ready("chained", account)
    problems = preflight(real_config(data, world), boto3.Session())
    assert _paths(problems) == ["aws:region"]


def test_cluster_name_not_set(account: Any) -> None:
    data, world = _ready("chained", account)
    del data["aws"]["cluster"]
    assert _paths(_problems(data, world)) == ["aws.cluster"]


def test_cluster_does_not_exist(account: Any) -> None:
    data, world = _ready("chained", account)
    data["aws"]["cluster"] = "shop-staging"
    problems = _problems(data, world)
    assert _paths(problems) == ["aws.cluster"]
    assert "no EKS cluster of that name in eu-west-1" in problems[0].message


def test_alb_vpc_is_not_the_clusters(account: Any) -> None:
    data, world = _ready("chained", account)
    other = world.client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    data["aws"]["alb"]["vpcId"] = other
    problems = _problems(data, world)
    assert "aws.alb.vpcId" in _paths(problems)
    assert f"the cluster runs in {world.vpc_id}" in problems[0].message


def test_subnet_does_not_exist(account: Any) -> None:
    data, world = _ready("chained", account)
    world.ids.pop("subnet-0a1b2c3d4e5f60003")
    problems = _problems(data, world)
    assert _paths(problems) == ["aws.alb.subnets[2].id"]
    assert "no such subnet" in problems[0].message


def test_subnet_in_another_zone_than_declared(account: Any) -> None:
    data, world = _ready("chained", account)
    data["aws"]["alb"]["subnets"][0]["zone"] = "eu-west-1c"
    data["aws"]["alb"]["subnets"][2]["zone"] = "eu-west-1a"
    problems = _problems(data, world)
    assert _paths(problems) == ["aws.alb.subnets[0].zone", "aws.alb.subnets[2].zone"]
    assert "is in eu-west-1a" in problems[0].message


def test_subnet_outside_the_clusters_vpc(account: Any) -> None:
    data, world = _ready("chained", account)
    ec2 = world.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    world.vpc_id, home = vpc, world.vpc_id
    world.ids["subnet-0a1b2c3d4e5f60002"] = world.subnet(
        "eu-west-1b", "10.9.1.0/24", {"kubernetes.io/role/elb": "1"})
    world.vpc_id = home
    problems = _problems(data, world)
    assert _paths(problems) == ["aws.alb.subnets[1].id"]
    assert f"not the cluster's VPC {home}" in problems[0].message


def test_subnet_without_the_load_balancer_role_tag(account: Any) -> None:
    data, world = _ready("chained", account)
    world.client("ec2").delete_tags(Resources=[world.ids["subnet-0a1b2c3d4e5f60001"]],
                                    Tags=[{"Key": "kubernetes.io/role/elb"}])
    problems = _problems(data, world)
    assert _paths(problems) == ["aws.alb.subnets[0].id"]
    assert "lacks the tag kubernetes.io/role/elb" in problems[0].message


def test_discovered_subnets_in_a_single_zone(account: Any) -> None:
    data, world = _ready("gateway", account, nlb={"proxyProtocol": True})
    ec2 = world.client("ec2")
    tagged = ec2.describe_subnets(Filters=[{"Name": "tag-key",
                                            "Values": ["kubernetes.io/role/elb"]}])["Subnets"]
    assert len({s["AvailabilityZone"] for s in tagged}) == 2
    ec2.delete_tags(Resources=[tagged[0]["SubnetId"]], Tags=[{"Key": "kubernetes.io/role/elb"}])
    problems = _problems(data, world)
    assert _paths(problems) == ["aws.nlb.subnets"]
    assert "in 1 zone(s)" in problems[0].message


def test_target_security_group_does_not_exist(account: Any) -> None:
    data, world = _ready("chained", account)
    world.client("ec2").delete_security_group(GroupId=world.ids.pop("sg-0a1b2c3d4e5f60000"))
    assert _paths(_problems(data, world)) == ["aws.alb.targetSecurityGroup"]


def test_elastic_ip_does_not_exist(account: Any) -> None:
    data, world = _ready("gateway", account)
    world.client("ec2").release_address(AllocationId=world.ids["eipalloc-0a1b2c3d4e5f60002"])
    assert _paths(_problems(data, world)) == ["aws.nlb.elasticIps[1]"]


def test_elastic_ip_in_use(account: Any) -> None:
    data, world = _ready("gateway", account)
    ec2 = world.client("ec2")
    eni = ec2.create_network_interface(SubnetId=world.ids["subnet-0a1b2c3d4e5f60001"])
    ec2.associate_address(AllocationId=world.ids["eipalloc-0a1b2c3d4e5f60001"],
                          NetworkInterfaceId=eni["NetworkInterface"]["NetworkInterfaceId"])
    problems = _problems(data, world)
    assert _paths(problems) == ["aws.nlb.elasticIps[0]"]
    assert "is in use" in problems[0].message


def test_certificate_does_not_exist(account: Any) -> None:
    data, world = _ready("chained", account)
    arn = data["certificates"]["edge-tls"]["arn"]
    world.client("acm").delete_certificate(CertificateArn=world.ids[arn])
    problems = _problems(data, world)
    assert _paths(problems) == ["certificates.edge-tls.arn"]
    assert "no such certificate" in problems[0].message


def test_certificate_not_issued(account: Any) -> None:
    data, world = _ready("chained", account)
    pending = world.client("acm").request_certificate(
        DomainName="shop.example.com", SubjectAlternativeNames=["*.shop.example.com"],
        ValidationMethod="DNS")["CertificateArn"]
    world.ids[data["certificates"]["edge-tls"]["arn"]] = pending
    problems = _problems(data, world)
    assert _paths(problems) == ["certificates.edge-tls.arn"]
    assert "is PENDING_VALIDATION" in problems[0].message


def test_certificate_does_not_cover_a_host(account: Any) -> None:
    data, world = _ready("chained", account)
    world.ids[data["certificates"]["edge-tls"]["arn"]] = world.issued_certificate(
        ["www.example.com"])
    problems = _problems(data, world)
    assert _paths(problems) == ["listeners[1].hosts"]
    assert problems[0].value == "shop.example.com"


def test_certificate_in_another_region(account: Any) -> None:
    data, world = _ready("chained", account)
    cert, key = _pem(world)
    other = account.client("acm", region_name="us-east-1").import_certificate(
        Certificate=cert, PrivateKey=key)["CertificateArn"]
    world.ids[data["certificates"]["edge-tls"]["arn"]] = other
    problems = _problems(data, world)
    assert _paths(problems) == ["certificates.edge-tls.arn"]
    assert "is in us-east-1" in problems[0].message


def _pem(world: AwsWorld) -> tuple[bytes, bytes]:
    from ingresslib.aws.replay import self_signed  # noqa: PLC0415

    return self_signed(["shop.example.com", "*.shop.example.com"])


def test_hosted_zone_does_not_exist(account: Any) -> None:
    data, world = _ready("chained", account)
    data["aws"]["dns"]["private"] = True
    problems = _problems(data, world)
    assert _paths(problems) == ["aws.dns.zone"]
    assert "no private Route53 hosted zone" in problems[0].message


def test_validation_zone_does_not_exist(account: Any) -> None:
    data = stack_data("gateway")
    data["certificates"]["edge-tls"]["validationZone"] = "shop.example.com"
    world = AwsWorld.build(parse_config(data), account)
    r53 = world.client("route53")
    zone = r53.list_hosted_zones_by_name(DNSName="shop.example.com")["HostedZones"][0]
    r53.delete_hosted_zone(Id=zone["Id"])
    problems = _problems(data, world)
    assert _paths(problems) == ["certificates.edge-tls.validationZone"]


def test_web_acl_does_not_exist(account: Any) -> None:
    data, world = _ready("chained", account)
    waf = world.client("wafv2")
    acl = waf.list_web_acls(Scope="REGIONAL")["WebACLs"][0]
    waf.delete_web_acl(Name=acl["Name"], Scope="REGIONAL", Id=acl["Id"],
                       LockToken=acl["LockToken"])
    assert _paths(_problems(data, world)) == ["aws.alb.webAclArn"]


# ------------------------------------------------------------------ the command


def _project(directory: Path) -> None:
    (directory / "Pulumi.yaml").write_text("name: edge\nruntime: python\n")
    (directory / "__main__.py").write_text(
        "from ingresslib import IngressStack, load_config\n"
        "IngressStack('edge', load_config(cloud='eks'))\n")


def _stack_dir(tmp_path: Path, data: dict[str, Any], world: AwsWorld) -> Path:
    _project(tmp_path)
    text = json.dumps(data)
    for fake, real in world.ids.items():
        text = text.replace(fake, real)
    config = {"aws:region": REGION, "ingress:stack": json.loads(text)}
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def test_cli_passes_on_a_ready_account(tmp_path: Path, account: Any, capsys: Any) -> None:
    data, world = _ready("standalone", account)
    assert main(["preflight", "eks", str(_stack_dir(tmp_path, data, world)),
                 "--stack", "prod"]) == 0
    assert "stack prod in eu-west-1 passed" in capsys.readouterr().out


def test_cli_lists_every_problem(tmp_path: Path, account: Any, capsys: Any) -> None:
    data, world = _ready("chained", account)
    data["aws"]["cluster"] = "shop-staging"
    data["aws"]["dns"]["private"] = True
    world.ids[data["certificates"]["edge-tls"]["arn"]] = world.issued_certificate(
        ["www.example.com"])
    assert main(["preflight", "eks", str(_stack_dir(tmp_path, data, world)),
                 "--stack", "prod"]) == 2
    err = capsys.readouterr().err
    assert "3 problem(s)" in err
    for path in ("aws.cluster:", "aws.dns.zone:", "listeners[1].hosts:"):
        assert path in err
    assert "Traceback" not in err


def test_cli_refuses_a_stack_of_another_cloud(tmp_path: Path, capsys: Any) -> None:
    _project(tmp_path)
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump(
        {"config": {"ingress:stack": aks_stack()}}))
    assert main(["preflight", "eks", str(tmp_path), "--stack", "prod"]) == 2
    assert "cloud: preflight eks checks eks stacks only" in capsys.readouterr().err
