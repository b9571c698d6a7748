"""ACM: requested certificates, and their issue once the validation records resolve."""

from __future__ import annotations

from ingresslib.aws.replay.route53 import all_records
from ingresslib.aws.replay.state import Obj, ReplayError, ReplayState, aws_tags


def certificate(state: ReplayState, name: str, inputs: Obj) -> Obj:
    acm = state.client("acm")
    domains = [inputs["domainName"], *inputs.get("subjectAlternativeNames", [])]
    args: Obj = {"DomainName": inputs["domainName"], "ValidationMethod": "DNS",
                 "SubjectAlternativeNames": list(dict.fromkeys(domains))}
    if inputs.get("tags"):
        args["Tags"] = aws_tags(inputs["tags"])
    arn = acm.request_certificate(**args)["CertificateArn"]
    options = acm.describe_certificate(CertificateArn=arn)["Certificate"][
        "DomainValidationOptions"]
    by_domain = {o["DomainName"]: o["ResourceRecord"] for o in options}
    return {"arn": arn, "id": arn, "domainValidationOptions": [
        {"domainName": d, "resourceRecordName": by_domain[d]["Name"],
         "resourceRecordType": by_domain[d]["Type"], "resourceRecordValue": by_domain[d]["Value"]}
        for d in dict.fromkeys(domains)]}


def certificate_validation(state: ReplayState, name: str, inputs: Obj) -> Obj:
    """ACM issues a certificate once every validation CNAME it asked for resolves."""
    arn = inputs["certificateArn"]
    cert = state.client("acm").describe_certificate(CertificateArn=arn)["Certificate"]
    records = all_records(state)
    for option in cert["DomainValidationOptions"]:
        rr = option["ResourceRecord"]
        if rr["Value"] not in records.get((rr["Name"].rstrip("."), rr["Type"]), set()):
            raise ReplayError(f"{name}: no {rr['Type']} record {rr['Name']} -> {rr['Value']} "
                              f"validates {option['DomainName']}; ACM would never issue {arn}")
    for fqdn in inputs.get("validationRecordFqdns", []):
        if not any(key[0] == fqdn.rstrip(".") for key in records):
            raise ReplayError(f"{name}: validation record {fqdn} does not exist")
    state.validated.add(arn)
    return {"id": arn, "certificateArn": arn}
