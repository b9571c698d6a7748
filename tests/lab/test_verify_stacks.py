"""`ingresslib verify` passes on every shipped stack and example (both routing APIs where the
example offers them) and on the lab's feature stack: real traffic through the front, the
gateway's Envoy and the stand-ins agrees with every probe the config implies."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingresslib.lab.verify import table, verify

ROOT = Path(__file__).resolve().parents[2]


def _stack_program(project: Path) -> bool:
    """Whether the program composes an IngressStack: verify needs its config (the spec), its
    load balancer and gateway; a routing-only program has none of them."""
    return "IngressStack(" in (project / "__main__.py").read_text()


def _projects(with_stack: bool = True) -> list[tuple[str, str]]:
    found = []
    for f in sorted([*ROOT.glob("stacks/*/Pulumi.*.yaml"),
                     *ROOT.glob("examples/*/Pulumi.*.yaml"),
                     *ROOT.glob("tests/lab/stacks/*/Pulumi.*.yaml")]):
        if _stack_program(f.parent) == with_stack:
            found.append((str(f.parent.relative_to(ROOT)), f.name[7:-5]))
    return found


PROJECTS = _projects()


def test_a_program_without_an_ingress_stack_is_refused_by_name() -> None:
    """examples/routing-only adds routes to a gateway deployed by other means: there is no
    stack config, load balancer or gateway for the lab to run; verify says so (exit 2)."""
    from ingresslib.lab.stack import RenderDirError  # noqa: PLC0415

    without = _projects(with_stack=False)
    assert ("examples/routing-only", "dev") in without
    project, name = without[0]
    with pytest.raises(RenderDirError, match="registers no IngressStack"):
        verify(ROOT / project, name)


def test_every_stack_and_example_is_covered() -> None:
    assert ("stacks/eks", "gateway") in PROJECTS
    assert ("examples/echoserver-canary", "gateway-api") in PROJECTS
    assert len([p for p in PROJECTS if p[0] == "stacks/aks"]) == 5


@pytest.mark.usefixtures("lab_tools")
@pytest.mark.parametrize(("project", "name"), PROJECTS, ids=[f"{p}:{s}" for p, s in PROJECTS])
def test_verify_passes(project: str, name: str) -> None:
    result = verify(ROOT / project, name)
    assert result.passed, table(result)
    assert any(p.verdict == "pass" and p.name == "health check" for p in result.probes)
    assert len([p for p in result.probes if p.verdict == "pass"]) >= 3, table(result)
