"""`ingresslib verify` passes on every shipped stack and example (both routing APIs where the
example offers them; examples/routing-only against the gateway it names, without a front) and
on the lab's feature stack: real traffic through the front, the gateway's Envoy and the
stand-ins agrees with every probe the config implies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ingresslib.lab.verify import table, verify

ROOT = Path(__file__).resolve().parents[2]


def _projects() -> list[tuple[str, str]]:
    return [(str(f.parent.relative_to(ROOT)), f.name[7:-5])
            for f in sorted([*ROOT.glob("stacks/*/Pulumi.*.yaml"),
                             *ROOT.glob("examples/*/Pulumi.*.yaml"),
                             *ROOT.glob("tests/lab/stacks/*/Pulumi.*.yaml")])]


PROJECTS = _projects()


def _routing_only(project: str) -> bool:
    """Whether the program composes IngressRouting alone (routes for a gateway deployed by
    other means): no load balancer in the render, so no health check to pass."""
    return "IngressStack(" not in (ROOT / project / "__main__.py").read_text()


@pytest.mark.usefixtures("lab_tools")
@pytest.mark.parametrize("api", ["istio", "gatewayApi"])
def test_routing_only_is_proven_against_the_gateway_it_names(api: str, tmp_path: Path) -> None:
    """examples/routing-only adds routes to a gateway deployed by other means: the world runs
    the GatewayWorkload's pod (its labels, which the rendered Gateway selects) behind the
    Service the program names; no load balancer is emulated, so the health check says why it
    was not probed, and the route probes reach the gateway's Service ports directly."""
    copy = tmp_path / "routing-only"
    shutil.copytree(ROOT / "examples/routing-only", copy)
    stack_file = copy / "Pulumi.dev.yaml"
    data = yaml.safe_load(stack_file.read_text())
    data["config"]["routing-only:api"] = api
    stack_file.write_text(yaml.safe_dump(data, sort_keys=False))
    result = verify(copy, "dev")
    assert result.passed, table(result)
    health = next(p for p in result.probes if p.name == "health check")
    assert health.verdict == "skip"
    assert "no load balancer emulated" in health.observed
    passed = {p.name for p in result.probes if p.verdict == "pass"}
    assert {"shop.example.com api: destination", "shop.example.com api: timeout",
            "shop.example.com web: weighted split"} <= passed, table(result)


def test_a_program_without_ingress_components_is_refused_by_name(tmp_path: Path) -> None:
    """A program that composes neither IngressStack nor IngressRouting gives verify no
    config to derive probes from: refused by name (exit 2), before the lab starts or its
    tools are looked for (this runs where the lab is not set up)."""
    from ingresslib.lab.stack import RenderDirError  # noqa: PLC0415

    copy = tmp_path / "nothing"
    shutil.copytree(ROOT / "examples/routing-only", copy)
    (copy / "__main__.py").write_text("import pulumi\npulumi.export('objects', 0)\n")
    with pytest.raises(RenderDirError, match="neither an IngressStack nor an IngressRouting"):
        verify(copy, "dev")


def test_without_the_lab_a_valid_stack_is_told_to_set_it_up(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The input is checked first (the test above needs no lab tool), then the lab's tools:
    a stack that renders, on a machine without Envoy, gets the set-up to run."""
    from ingresslib.lab.tools import LabToolMissing  # noqa: PLC0415

    monkeypatch.setenv("INGRESSLIB_ENVOY", str(tmp_path / "no-envoy"))
    with pytest.raises(LabToolMissing, match="INGRESSLIB_ENVOY"):
        verify(ROOT / "examples/routing-only", "dev")


def test_every_stack_and_example_is_covered() -> None:
    assert ("stacks/eks", "gateway") in PROJECTS
    assert ("examples/echoserver-canary", "gateway-api") in PROJECTS
    assert ("examples/routing-only", "dev") in PROJECTS
    assert len([p for p in PROJECTS if p[0] == "stacks/aks"]) == 5


@pytest.mark.usefixtures("lab_tools")
@pytest.mark.parametrize(("project", "name"), PROJECTS, ids=[f"{p}:{s}" for p, s in PROJECTS])
def test_verify_passes(project: str, name: str) -> None:
    result = verify(ROOT / project, name)
    assert result.passed, table(result)
    health = "skip" if _routing_only(project) else "pass"
    assert any(p.verdict == health and p.name == "health check" for p in result.probes)
    assert len([p for p in result.probes if p.verdict == "pass"]) >= 3, table(result)
