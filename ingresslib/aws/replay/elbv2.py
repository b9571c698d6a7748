"""Elastic Load Balancing: load balancers, target groups, listeners and rules, with the
attribute names AWS accepts (moto accepts any) and its zone and certificate rules."""

from __future__ import annotations

from ingresslib.aws import fakes
from ingresslib.aws.replay.state import (
    Obj,
    ReplayError,
    ReplayState,
    aws_tags,
    check_attributes,
    flag,
)

# Attribute keys AWS accepts (moto accepts any): a typo would fail only at deploy time.
ALB_ATTRIBUTES = {
    "access_logs.s3.enabled", "access_logs.s3.bucket", "access_logs.s3.prefix",
    "client_keep_alive.seconds", "deletion_protection.enabled", "idle_timeout.timeout_seconds",
    "load_balancing.cross_zone.enabled", "routing.http.desync_mitigation_mode",
    "routing.http.drop_invalid_header_fields.enabled", "routing.http.preserve_host_header.enabled",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
    "routing.http.xff_client_port.enabled", "routing.http.xff_header_processing.mode",
    "routing.http2.enabled", "waf.fail_open.enabled", "zonal_shift.config.enabled",
}
NLB_ATTRIBUTES = {
    "access_logs.s3.enabled", "access_logs.s3.bucket", "access_logs.s3.prefix",
    "deletion_protection.enabled", "dns_record.client_routing_policy",
    "ipv6.deny_all_igw_traffic", "load_balancing.cross_zone.enabled",
    "zonal_shift.config.enabled",
}
ALB_TG_ATTRIBUTES = {
    "deregistration_delay.timeout_seconds", "load_balancing.algorithm.type",
    "load_balancing.algorithm.anomaly_mitigation", "load_balancing.cross_zone.enabled",
    "slow_start.duration_seconds", "stickiness.enabled", "stickiness.type",
    "stickiness.lb_cookie.duration_seconds", "stickiness.app_cookie.cookie_name",
    "stickiness.app_cookie.duration_seconds",
}
NLB_TG_ATTRIBUTES = {
    "deregistration_delay.timeout_seconds", "deregistration_delay.connection_termination.enabled",
    "load_balancing.cross_zone.enabled", "preserve_client_ip.enabled",
    "proxy_protocol_v2.enabled", "stickiness.enabled", "stickiness.type",
    "target_health_state.unhealthy.connection_termination.enabled",
    "target_health_state.unhealthy.draining_interval_seconds",
}


def _alb_zones(state: ReplayState, name: str, subnets: list[str]) -> None:
    found = state.client("ec2").describe_subnets(SubnetIds=subnets)["Subnets"]
    zones = {s["AvailabilityZone"] for s in found}
    if len(zones) < 2:
        raise ReplayError(f"{name}: AWS refuses an ALB in fewer than two availability zones "
                          f"(subnets {subnets} are all in {sorted(zones)})")


def load_balancer(state: ReplayState, name: str, inputs: Obj) -> Obj:
    elbv2 = state.client("elbv2")
    kind = inputs.get("loadBalancerType", "application")
    if kind == "application":
        _alb_zones(state, name, inputs["subnets"])
    lb = elbv2.create_load_balancer(
        Name=fakes.aws_name(name), Subnets=inputs["subnets"],
        SecurityGroups=inputs.get("securityGroups", []),
        Scheme="internal" if inputs.get("internal") else "internet-facing", Type=kind,
        IpAddressType=inputs.get("ipAddressType", "ipv4"), Tags=aws_tags(inputs.get("tags")),
    )["LoadBalancers"][0]
    attributes = {
        "idle_timeout.timeout_seconds": str(inputs.get("idleTimeout", 60)),
        "routing.http.drop_invalid_header_fields.enabled": flag(
            inputs.get("dropInvalidHeaderFields")),
        "deletion_protection.enabled": flag(inputs.get("enableDeletionProtection")),
        "routing.http2.enabled": flag(inputs.get("enableHttp2", True)),
        "routing.http.desync_mitigation_mode": inputs.get("desyncMitigationMode", "defensive"),
        "routing.http.xff_header_processing.mode": inputs.get("xffHeaderProcessingMode",
                                                              "append"),
        "routing.http.xff_client_port.enabled": flag(inputs.get("enableXffClientPort")),
    }
    logs = inputs.get("accessLogs")
    if logs:
        attributes |= {"access_logs.s3.enabled": flag(logs.get("enabled")),
                       "access_logs.s3.bucket": logs["bucket"],
                       "access_logs.s3.prefix": logs.get("prefix", "")}
    set_lb_attributes(state, name, lb["LoadBalancerArn"], attributes, ALB_ATTRIBUTES)
    return lb_outputs(lb)


def set_lb_attributes(state: ReplayState, what: str, arn: str, attributes: dict[str, str],
                       allowed: set[str]) -> None:
    check_attributes(what, attributes, allowed)
    state.client("elbv2").modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()])


def lb_outputs(lb: Obj) -> Obj:
    arn = lb["LoadBalancerArn"]
    return {"arn": arn, "id": arn, "arnSuffix": arn.split(":loadbalancer/")[1],
            "name": lb["LoadBalancerName"], "dnsName": lb["DNSName"],
            "zoneId": lb["CanonicalHostedZoneId"], "hostname": lb["DNSName"]}


def target_group(state: ReplayState, name: str, inputs: Obj) -> Obj:
    elbv2 = state.client("elbv2")
    hc = inputs.get("healthCheck", {})
    group = elbv2.create_target_group(
        Name=fakes.aws_name(name), Protocol=inputs["protocol"],
        ProtocolVersion=inputs.get("protocolVersion", "HTTP1"), Port=inputs["port"],
        VpcId=inputs["vpcId"], TargetType=inputs["targetType"],
        HealthCheckEnabled=hc.get("enabled", True), HealthCheckProtocol=hc.get("protocol", "HTTP"),
        HealthCheckPort=hc.get("port", "traffic-port"), HealthCheckPath=hc.get("path", "/"),
        HealthCheckIntervalSeconds=hc.get("interval", 30),
        HealthCheckTimeoutSeconds=hc.get("timeout", 5),
        HealthyThresholdCount=hc.get("healthyThreshold", 5),
        UnhealthyThresholdCount=hc.get("unhealthyThreshold", 2),
        Matcher=_matcher(name, inputs.get("protocolVersion", "HTTP1"), hc.get("matcher")),
        Tags=aws_tags(inputs.get("tags")),
    )["TargetGroups"][0]
    attributes = {
        "deregistration_delay.timeout_seconds": str(inputs.get("deregistrationDelay", 300)),
        "load_balancing.algorithm.type": inputs.get("loadBalancingAlgorithmType", "round_robin"),
    }
    check_attributes(name, attributes, ALB_TG_ATTRIBUTES)
    elbv2.modify_target_group_attributes(
        TargetGroupArn=group["TargetGroupArn"],
        Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()])
    arn = group["TargetGroupArn"]
    return {"arn": arn, "id": arn, "arnSuffix": arn.split(":")[-1],
            "name": group["TargetGroupName"]}


def _matcher(name: str, version: str, codes: str | None) -> Obj:
    """A GRPC target group's health check matches gRPC codes (0-99, default 12), any other's
    HTTP codes (200-499 at an ALB, default 200); AWS refuses the other kind, moto does not."""
    if version == "GRPC":
        codes = codes or "12"
        if any(int(c) > 99 for c in codes.replace("-", ",").split(",")):
            raise ReplayError(f"{name}: a GRPC target group's health check matches gRPC codes "
                              f"0-99, not {codes}")
        return {"GrpcCode": codes}
    codes = codes or "200"
    if any(not 200 <= int(c) <= 499 for c in codes.replace("-", ",").split(",")):
        raise ReplayError(f"{name}: an ALB target group's health check matches HTTP codes "
                          f"200-499, not {codes}")
    return {"HttpCode": codes}


def _forwards_need_https(state: ReplayState, name: str, listener_arn: str,
                         actions: list[Obj]) -> None:
    """AWS accepts HTTP2 and GRPC target groups behind HTTPS listeners only (moto accepts
    them anywhere)."""
    groups = [a["TargetGroupArn"] for a in actions if "TargetGroupArn" in a]
    groups += [g["TargetGroupArn"] for a in actions
               for g in (a.get("ForwardConfig") or {}).get("TargetGroups", [])]
    if not groups:
        return
    elbv2 = state.client("elbv2")
    protocol = elbv2.describe_listeners(ListenerArns=[listener_arn])["Listeners"][0]["Protocol"]
    if protocol == "HTTPS":
        return
    for group in elbv2.describe_target_groups(TargetGroupArns=sorted(set(groups)))[
            "TargetGroups"]:
        if group.get("ProtocolVersion", "HTTP1") != "HTTP1":
            raise ReplayError(f"{name}: AWS refuses to forward from an {protocol} listener to "
                              f"target group {group['TargetGroupName']} of protocol version "
                              f"{group['ProtocolVersion']} (HTTPS listeners only)")


def _action(action: Obj) -> Obj:
    out: Obj = {"Type": action["type"]}
    if "targetGroupArn" in action:
        out["TargetGroupArn"] = action["targetGroupArn"]
    if "forward" in action:
        out["ForwardConfig"] = {"TargetGroups": [
            {"TargetGroupArn": g["arn"], "Weight": g.get("weight", 1)}
            for g in action["forward"]["targetGroups"]]}
    if "redirect" in action:
        r = action["redirect"]
        out["RedirectConfig"] = {
            "Protocol": r.get("protocol", "#{protocol}"), "Port": r.get("port", "#{port}"),
            "Host": r.get("host", "#{host}"), "Path": r.get("path", "/#{path}"),
            "Query": r.get("query", "#{query}"), "StatusCode": r["statusCode"]}
    if "fixedResponse" in action:
        f = action["fixedResponse"]
        out["FixedResponseConfig"] = {"StatusCode": f["statusCode"],
                                      "ContentType": f.get("contentType", "text/plain"),
                                      "MessageBody": f.get("messageBody", "")}
    return out


def _condition(condition: Obj) -> Obj:
    if "hostHeader" in condition:
        return {"Field": "host-header",
                "HostHeaderConfig": {"Values": condition["hostHeader"]["values"]}}
    if "pathPattern" in condition:
        return {"Field": "path-pattern",
                "PathPatternConfig": {"Values": condition["pathPattern"]["values"]}}
    if "httpRequestMethod" in condition:
        return {"Field": "http-request-method",
                "HttpRequestMethodConfig": {"Values": condition["httpRequestMethod"]["values"]}}
    if "httpHeader" in condition:
        header = condition["httpHeader"]
        return {"Field": "http-header", "HttpHeaderConfig": {
            "HttpHeaderName": header["httpHeaderName"], "Values": header["values"]}}
    if "queryStrings" in condition:
        return {"Field": "query-string", "QueryStringConfig": {"Values": [
            {"Key": q["key"], "Value": q["value"]} for q in condition["queryStrings"]]}}
    raise ReplayError(f"the replay cannot translate the rule condition {sorted(condition)}")


def listener(state: ReplayState, name: str, inputs: Obj) -> Obj:
    args: Obj = {
        "LoadBalancerArn": inputs["loadBalancerArn"], "Protocol": inputs["protocol"],
        "Port": inputs["port"], "DefaultActions": [_action(a) for a in inputs["defaultActions"]],
    }
    if inputs["protocol"] in ("HTTPS", "TLS"):
        if not inputs.get("certificateArn"):
            raise ReplayError(f"{name}: AWS refuses an {inputs['protocol']} listener without a "
                              "certificate")
        state.require_issued(name, [inputs["certificateArn"]])
        args |= {"Certificates": [{"CertificateArn": inputs["certificateArn"]}],
                 "SslPolicy": inputs.get("sslPolicy", "ELBSecurityPolicy-2016-08")}
    arn = state.client("elbv2").create_listener(**args)["Listeners"][0]["ListenerArn"]
    _forwards_need_https(state, name, arn, args["DefaultActions"])
    return {"arn": arn, "id": arn}


def listener_certificate(state: ReplayState, name: str, inputs: Obj) -> Obj:
    state.require_issued(name, [inputs["certificateArn"]])
    state.client("elbv2").add_listener_certificates(
        ListenerArn=inputs["listenerArn"], Certificates=[{"CertificateArn": inputs[
            "certificateArn"]}])
    return {"id": f"{inputs['listenerArn']}_{inputs['certificateArn']}"}


def listener_rule(state: ReplayState, name: str, inputs: Obj) -> Obj:
    actions = [_action(a) for a in inputs["actions"]]
    _forwards_need_https(state, name, inputs["listenerArn"], actions)
    if not 1 <= inputs["priority"] <= 50000:
        raise ReplayError(f"{name}: AWS takes listener rule priorities 1-50000, not "
                          f"{inputs['priority']}")
    arn = state.client("elbv2").create_rule(
        ListenerArn=inputs["listenerArn"], Priority=inputs["priority"],
        Conditions=[_condition(c) for c in inputs["conditions"]],
        Actions=actions, Tags=aws_tags(inputs.get("tags")),
    )["Rules"][0]["RuleArn"]
    return {"arn": arn, "id": arn}
