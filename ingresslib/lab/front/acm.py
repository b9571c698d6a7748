"""ACM certificates named by ARN in a render: their domain names, from the plan's
`aws:acm/certificate:Certificate` whose ARN (as the render's deterministic fakes compute it)
is the one named. An ARN the stack does not register (an imported or shared certificate) has
no names in the render: the caller passes them, or the front reports it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ingresslib.aws.fakes import computed
from ingresslib.lab.front.model import FrontError
from ingresslib.lab.front.render import Render

CERT_TYPE = "aws:acm/certificate:Certificate"


def acm_names(render: Render, arn: str, external: Mapping[str, Sequence[str]],
              via: str, field_path: str) -> tuple[tuple[str, ...], str]:
    """(domain names, where they came from) of the ACM certificate `arn`."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "acm":
        raise FrontError(via, field_path, f"{arn!r} is not an ACM certificate ARN")
    region = parts[3]
    for res in render.resources("acm/certificate:Certificate"):
        if computed(CERT_TYPE, res["name"], res["inputs"], region).get("arn") == arn:
            names = [res["inputs"]["domainName"], *res["inputs"].get("subjectAlternativeNames",
                                                                     [])]
            return tuple(dict.fromkeys(names)), f"plan {CERT_TYPE}/{res['name']}"
    if arn in external:
        return tuple(external[arn]), "external_certificates (not in the render)"
    raise FrontError(via, field_path, f"ACM certificate {arn} is not registered by this stack, "
                     "so the render holds no domain names for it; pass them in "
                     "external_certificates")
