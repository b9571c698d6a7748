"""Route53: records, and the alias rule moto does not check (its target must exist)."""

from __future__ import annotations

from ingresslib.aws.replay.state import Obj, ReplayError, ReplayState


def all_records(state: ReplayState) -> dict[tuple[str, str], set[str]]:
    """(name, type) -> values of every record in every hosted zone."""
    r53 = state.client("route53")
    out: dict[tuple[str, str], set[str]] = {}
    for zone in r53.list_hosted_zones()["HostedZones"]:
        for rrset in r53.list_resource_record_sets(HostedZoneId=zone["Id"])[
                "ResourceRecordSets"]:
            key = (rrset["Name"].rstrip("."), rrset["Type"])
            out.setdefault(key, set()).update(
                r["Value"] for r in rrset.get("ResourceRecords", []))
    return out


def record(state: ReplayState, name: str, inputs: Obj) -> Obj:
    rrset: Obj = {"Name": inputs["name"], "Type": inputs["type"]}
    if inputs.get("aliases"):
        alias = inputs["aliases"][0]
        balancers = state.client("elbv2").describe_load_balancers()["LoadBalancers"]
        if not any(lb["DNSName"].lower() == alias["name"].rstrip(".").lower()
                   and lb["CanonicalHostedZoneId"] == alias["zoneId"] for lb in balancers):
            raise ReplayError(f"{name}: alias to {alias['name']} in zone {alias['zoneId']}, "
                              "which is no load balancer of this account")
        rrset["AliasTarget"] = {"HostedZoneId": alias["zoneId"], "DNSName": alias["name"],
                                "EvaluateTargetHealth": bool(alias.get("evaluateTargetHealth"))}
    else:
        rrset |= {"TTL": inputs.get("ttl", 300),
                  "ResourceRecords": [{"Value": v} for v in inputs["records"]]}
    action = "UPSERT" if inputs.get("allowOverwrite") else "CREATE"
    state.client("route53").change_resource_record_sets(
        HostedZoneId=inputs["zoneId"],
        ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": rrset}]})
    return {"id": f"{inputs['zoneId']}_{inputs['name']}_{inputs['type']}",
            "fqdn": inputs["name"].rstrip(".")}
