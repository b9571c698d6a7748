"""TargetGroupBinding (elbv2.k8s.aws/v1beta1): the AWS Load Balancer Controller keeps a target
group ingresslib created registered with the ready endpoints of one Service port, by pod IP."""

from __future__ import annotations

from typing import Any

from ingresslib.manifests.meta import MANAGED_BY, obj


def target_group_binding(
    name: str,
    namespace: str,
    *,
    service: str,
    port: int,
    target_group_arn: Any,
    vpc_id: str,
) -> dict[str, Any]:
    """`target_group_arn` may be a Pulumi Output. Security group rules stay with ingresslib
    (no `networking`), so the controller never edits the targets' security group."""
    return obj(
        "elbv2.k8s.aws/v1beta1",
        "TargetGroupBinding",
        name,
        namespace,
        labels=MANAGED_BY,
        spec={
            "serviceRef": {"name": service, "port": port},
            "targetGroupARN": target_group_arn,
            "targetType": "ip",
            "vpcID": vpc_id,
        },
    )
