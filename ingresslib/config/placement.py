"""Sections that belong to one cloud or topology only: the first step of the validation
pipeline (`ingresslib.stack.model`), and the one place these rules are stated.

A section on a stack it does not belong to is reported on its own, before and instead of the
problems inside it: an `azure:` section on an EKS stack is wrong whatever it holds, and asking
first for its missing `resourceGroup` would send the user the wrong way. A section of the other
cloud ends validation there (`ends_validation`): the config contradicts its own `cloud`, so
nothing else is judged against it. A section the topology does not use is reported beside the
problems of the rest of the config, which is checked without it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic.alias_generators import to_snake

from ingresslib.errors import ABSENT, Problem

CLOUDS = ("aks", "eks")
TOPOLOGIES = ("gateway", "chained", "standalone")


class _Section(NamedTuple):  # a NamedTuple: a fifth of a dataclass's cost at import
    path: tuple[str, ...]  # camelCase keys
    by: str  # what decides: cloud or topology
    belongs: tuple[str, ...]  # the clouds or topologies the section belongs to
    why: str  # formatted with topology


_SECTIONS = (
    _Section(("azure",), "cloud", ("aks",),
             "Azure settings apply to aks stacks only; remove azure, or set cloud: aks"),
    _Section(("aws",), "cloud", ("eks",),
             "AWS settings apply to eks stacks only; remove aws, or set cloud: eks"),
    _Section(("gateway",), "topology", ("gateway", "chained"),
             "topology standalone deploys no Istio gateway (the cloud L7 load balancer sends "
             "straight to sidecar-injected backends); remove gateway or use chained"),
    _Section(("aws", "alb"), "topology", ("chained", "standalone"),
             "topology gateway puts the NLB the AWS Load Balancer Controller makes from the "
             "gateway Service in front; configure it under aws.nlb, or use topology chained "
             "for an ALB"),
    _Section(("aws", "nlb"), "topology", ("gateway",),
             "topology {topology} puts an ALB in front; configure it under aws.alb, or use "
             "topology gateway for an NLB"),
    _Section(("azure", "applicationGateway"), "topology", ("chained", "standalone"),
             "topology gateway puts the Standard load balancer in front; use topology chained "
             "for an Application Gateway"),
    _Section(("gatewayApi",), "topology", ("gateway", "chained"),
             "the Gateway API settings program the Istio gateway, which topology standalone "
             "does not deploy; remove gatewayApi"),
    _Section(("observability",), "topology", ("gateway", "chained"),
             "monitoring watches the Istio gateway's pods, which topology standalone does not "
             "deploy (it would render nothing); remove observability, or use topology chained"),
    _Section(("azure", "loadBalancer"), "topology", ("gateway", "chained"),
             "topology standalone has no gateway Service and so no Azure load balancer; "
             "remove it"),
)

_BY_CLOUD = {".".join(s.path) for s in _SECTIONS if s.by == "cloud"}


def misplaced_sections(data: Any) -> list[Problem]:
    """Every section of plain config data that its cloud or topology does not use; none when
    the cloud or topology is itself invalid (that is the problem to report then)."""
    if not isinstance(data, dict):
        return []
    cloud = data.get("cloud")
    topology = data.get("topology", "gateway")
    if cloud not in CLOUDS or topology not in TOPOLOGIES:
        return []
    problems = []
    for section in _SECTIONS:
        # Within a misplaced section nothing else counts: aws.alb on an AKS stack is aws.
        by_cloud = section.by == "cloud"
        if (_find(data, section.path) is not None
                and (cloud if by_cloud else topology) not in section.belongs
                and not any(p.path == section.path[0] for p in problems)):
            where = f"on an {cloud} stack" if by_cloud else f"in topology {topology}"
            problems.append(Problem(".".join(section.path), ABSENT, f"does not belong {where}: "
                                    + section.why.format(topology=topology)))
    return problems


def ends_validation(problems: list[Problem]) -> bool:
    """Whether `problems` (from `misplaced_sections`) name a section of the other cloud, to be
    reported alone."""
    return any(p.path in _BY_CLOUD for p in problems)


def without(data: Any, problems: list[Problem]) -> Any:
    """`data` without the sections `problems` name, to check what remains."""
    if not problems:
        return data
    out = dict(data)
    for problem in problems:
        *parents, last = problem.path.split(".")
        node = out
        for key in parents:
            found = _key(node, key)
            assert found is not None
            node[found] = dict(node[found])
            node = node[found]
        found = _key(node, last)
        if found is not None:
            del node[found]
    return out


def _find(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for key in path:
        found = _key(node, key) if isinstance(node, dict) else None
        if found is None:
            return None
        node = node[found]
    return node


def _key(node: dict[str, Any], key: str) -> str | None:
    """The key as the data spells it: camelCase (YAML) or snake_case (Python)."""
    return next((k for k in (key, to_snake(key)) if k in node), None)
