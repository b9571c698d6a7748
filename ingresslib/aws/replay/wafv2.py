"""WAFv2: the ALB's web ACL association."""

from __future__ import annotations

from ingresslib.aws.replay.state import Obj, ReplayState


def web_acl_association(state: ReplayState, name: str, inputs: Obj) -> Obj:
    state.client("wafv2").associate_web_acl(WebACLArn=inputs["webAclArn"],
                                            ResourceArn=inputs["resourceArn"])
    return {"id": f"{inputs['webAclArn']},{inputs['resourceArn']}"}
