"""What the replay knows while it creates resources, and the checks its handlers share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingresslib.aws.replay.world import AwsWorld

Obj = dict[str, Any]


class ReplayError(Exception):
    """AWS would refuse the render: a dangling reference, or a value AWS rejects."""


@dataclass
class ReplayState:
    """The world, each fake identifier's real value so far, what was created, and the
    certificates a replayed CertificateValidation saw through."""

    world: AwsWorld
    ids: dict[str, str]
    created: list[tuple[str, str, Obj]] = field(default_factory=list)
    validated: set[str] = field(default_factory=set)

    def client(self, service: str) -> Any:
        return self.world.client(service)

    def substitute(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        if isinstance(value, str):
            if value in self.ids:
                return self.ids[value]
            if "," in value and any(p.strip() in self.ids for p in value.split(",")):
                return ",".join(self.ids.get(p.strip(), p.strip()) for p in value.split(","))
        return value

    def pair(self, fake: Obj, real: Obj) -> None:
        """Map each fake output value to the real one at the same place (first pairing wins:
        a wildcard shares its base name's validation record)."""
        if isinstance(fake, dict) and isinstance(real, dict):
            for key, value in fake.items():
                if key in real:
                    self.pair(value, real[key])
        elif isinstance(fake, list) and isinstance(real, list):
            for f, r in zip(fake, real, strict=False):
                self.pair(f, r)
        elif isinstance(fake, str) and isinstance(real, str):
            self.ids.setdefault(fake, real)

    def require_issued(self, what: str, arns: list[str]) -> None:
        acm = self.client("acm")
        for arn in arns:
            try:
                status = acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
            except acm.exceptions.ResourceNotFoundException:
                raise ReplayError(f"{what}: certificate {arn} does not exist") from None
            if status != "ISSUED" and arn not in self.validated:
                raise ReplayError(f"{what}: certificate {arn} is {status}; AWS attaches ISSUED "
                                  "certificates only (wait on its CertificateValidation)")

    def check_binding(self, obj: Obj) -> None:
        spec = obj["spec"]
        arn = self.ids.get(spec["targetGroupARN"])
        where = f"TargetGroupBinding {obj['metadata']['namespace']}/{obj['metadata']['name']}"
        if arn is None:
            raise ReplayError(f"{where}: target group {spec['targetGroupARN']} was not created")
        group = self.client("elbv2").describe_target_groups(TargetGroupArns=[arn])[
            "TargetGroups"][0]
        if group["TargetType"] != spec["targetType"]:
            raise ReplayError(f"{where}: targetType {spec['targetType']} but the target group "
                              f"registers {group['TargetType']}")
        if group["VpcId"] != self.ids.get(spec["vpcID"], spec["vpcID"]):
            raise ReplayError(f"{where}: vpcID {spec['vpcID']} is not the target group's VPC")


def aws_tags(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


def check_attributes(what: str, attributes: dict[str, str], allowed: set[str]) -> None:
    unknown = sorted(set(attributes) - allowed)
    if unknown:
        raise ReplayError(f"{what}: AWS has no attribute(s) {unknown}")
    for key, value in attributes.items():
        if key.endswith(".enabled") and value not in ("true", "false"):
            raise ReplayError(f"{what}: {key} must be true or false, not {value!r}")


def flag(value: Any) -> str:
    return "true" if value else "false"
