"""TargetGroupBinding (elbv2.k8s.aws/v1beta1): the AWS Load Balancer Controller keeps a target
group ingresslib created registered with the ready endpoints of one Service port, by pod IP."""

from __future__ import annotations

from typing import Any

from ingresslib.manifests.meta import MANAGED_BY, obj

WAIT_FOR = "pulumi.com/waitFor"


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
    (no `networking`), so the controller never edits the targets' security group.

    Pulumi waits for the controller to have reconciled the binding (registered the ready
    endpoints: `status.observedGeneration` set, pulumi-kubernetes' `pulumi.com/waitFor`)
    before anything that depends on it, the listeners and rules forwarding to the group."""
    return obj(
        "elbv2.k8s.aws/v1beta1",
        "TargetGroupBinding",
        name,
        namespace,
        labels=MANAGED_BY,
        annotations={WAIT_FOR: "jsonpath={.status.observedGeneration}"},
        spec={
            "serviceRef": {"name": service, "port": port},
            "targetGroupARN": target_group_arn,
            "targetType": "ip",
            "vpcID": vpc_id,
        },
    )
