"""The AWS Load Balancer Controller's part: the NLB it makes of a gateway Service."""

from __future__ import annotations

from ingresslib.aws import fakes
from ingresslib.aws.replay.elbv2 import (
    NLB_ATTRIBUTES,
    NLB_TG_ATTRIBUTES,
    lb_outputs,
    set_lb_attributes,
)
from ingresslib.aws.replay.state import Obj, ReplayError, ReplayState, check_attributes

LBC = "service.beta.kubernetes.io/aws-load-balancer-"


def _pairs(text: str) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in text.split(",") if item.strip())


def _list(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def service_nlb(state: ReplayState, name: str, service: Obj) -> Obj:
    """What the AWS Load Balancer Controller makes of a Service: an NLB in the annotated (or
    tag-discovered) subnets, a target group and a TCP or TLS listener per port."""
    ann = service["metadata"]["annotations"]
    ec2, elbv2 = state.client("ec2"), state.client("elbv2")
    scheme = ann.get(f"{LBC}scheme", "internal")
    subnets = _list(ann.get(f"{LBC}subnets"))
    if not subnets:
        role = "kubernetes.io/role/elb" if scheme == "internet-facing" else (
            "kubernetes.io/role/internal-elb")
        found = ec2.describe_subnets(Filters=[{"Name": "tag-key", "Values": [role]},
                                              {"Name": "vpc-id", "Values": [state.world.vpc_id]}])
        by_zone = {s["AvailabilityZone"]: s["SubnetId"] for s in found["Subnets"]}
        subnets = [by_zone[z] for z in sorted(by_zone)]
    eips = _list(ann.get(f"{LBC}eip-allocations"))
    if eips and len(eips) != len(subnets):
        raise ReplayError(f"Service {name}: {len(eips)} EIP allocation(s) for {len(subnets)} "
                          "subnet(s); the controller refuses the Service")
    if eips:  # moto maps any allocation ID; AWS needs existing ones
        ec2.describe_addresses(AllocationIds=eips)
    mappings = [{"SubnetId": s, **({"AllocationId": eips[i]} if eips else {})}
                for i, s in enumerate(subnets)]
    lb_name = fakes.controller_lb_name(*name.split("/"))
    lb = elbv2.create_load_balancer(Name=lb_name, SubnetMappings=mappings, Scheme=scheme,
                                    Type="network")["LoadBalancers"][0]
    set_lb_attributes(state, f"Service {name}", lb["LoadBalancerArn"],
                       _pairs(ann.get(f"{LBC}attributes", "")), NLB_ATTRIBUTES)
    tg_attributes = _pairs(ann.get(f"{LBC}target-group-attributes", ""))
    check_attributes(f"Service {name}", tg_attributes, NLB_TG_ATTRIBUTES)
    ssl_ports = set(_list(ann.get(f"{LBC}ssl-ports")))
    certificates = _list(ann.get(f"{LBC}ssl-cert"))
    target_type = ann.get(f"{LBC}nlb-target-type", "instance")
    for port in service["spec"]["ports"]:
        group = elbv2.create_target_group(
            Name=fakes.aws_name(f"{lb_name}-{port['port']}"), Protocol="TCP",
            Port=port["targetPort"], VpcId=state.world.vpc_id, TargetType=target_type,
            HealthCheckProtocol=ann.get(f"{LBC}healthcheck-protocol", "tcp").upper(),
            HealthCheckPort=ann.get(f"{LBC}healthcheck-port", "traffic-port"),
            **({"HealthCheckPath": ann[f"{LBC}healthcheck-path"]}
               if f"{LBC}healthcheck-path" in ann else {}),
        )["TargetGroups"][0]
        if tg_attributes:
            elbv2.modify_target_group_attributes(
                TargetGroupArn=group["TargetGroupArn"],
                Attributes=[{"Key": k, "Value": v} for k, v in tg_attributes.items()])
        args: Obj = {"LoadBalancerArn": lb["LoadBalancerArn"], "Port": port["port"],
                     "Protocol": "TCP", "DefaultActions": [
                         {"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}]}
        if str(port["port"]) in ssl_ports or port.get("name") in ssl_ports:
            if not certificates:
                raise ReplayError(f"Service {name}: TLS port {port['port']} has no "
                                  "certificate")
            state.require_issued(f"Service {name}", certificates)
            args |= {"Protocol": "TLS", "Certificates": [{"CertificateArn": certificates[0]}],
                     "SslPolicy": ann.get(f"{LBC}ssl-negotiation-policy",
                                          "ELBSecurityPolicy-2016-08"),
                     "AlpnPolicy": [ann.get(f"{LBC}alpn-policy", "None")]}
        listener = elbv2.create_listener(**args)["Listeners"][0]
        attributes = _pairs(ann.get(f"{LBC}listener-attributes.{args['Protocol']}-{port['port']}",
                                    ""))
        if attributes:
            _check_listener_attributes(f"Service {name} port {port['port']}", attributes)
            elbv2.modify_listener_attributes(
                ListenerArn=listener["ListenerArn"],
                Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()])
        if args["Protocol"] == "TLS" and certificates[1:]:
            elbv2.add_listener_certificates(
                ListenerArn=listener["ListenerArn"],
                Certificates=[{"CertificateArn": c} for c in certificates[1:]])
    return lb_outputs(lb)


def _check_listener_attributes(where: str, attributes: dict[str, str]) -> None:
    """What AWS accepts on an NLB TCP listener and moto does not check: only the idle timeout,
    60 to 6000 seconds (TLS listeners keep a fixed 350 s and take no such attribute)."""
    unknown = sorted(set(attributes) - {"tcp.idle_timeout.seconds"})
    if unknown:
        raise ReplayError(f"{where}: NLB TCP listeners take no attribute {', '.join(unknown)}")
    seconds = attributes.get("tcp.idle_timeout.seconds")
    if seconds is not None and not (seconds.isdigit() and 60 <= int(seconds) <= 6000):
        raise ReplayError(f"{where}: tcp.idle_timeout.seconds must be 60 to 6000 (got {seconds})")
