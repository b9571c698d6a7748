"""`api: gatewayApi` where it applies: every shipped stack whose topology deploys the gateway
(gateway, chained), its stack file copied with `api: gatewayApi` added, must still validate and
pass verify: the same config, the same probes, routing written as Gateway API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ingresslib.lab.verify import table, verify

ROOT = Path(__file__).resolve().parents[2]


def _istio_stacks() -> list[tuple[str, str]]:
    found = []
    for f in sorted(ROOT.glob("stacks/*/Pulumi.*.yaml")):
        spec = yaml.safe_load(f.read_text())["config"]["ingress:stack"]
        if spec.get("topology", "gateway") in ("gateway", "chained") and "api" not in spec:
            found.append((str(f.parent.relative_to(ROOT)), f.name[7:-5]))
    return found


STACKS = _istio_stacks()


def test_the_deploying_stacks_are_covered() -> None:
    assert ("stacks/eks", "gateway") in STACKS
    assert ("stacks/aks", "chained") in STACKS
    assert all("standalone" not in s for _, s in STACKS)


@pytest.mark.usefixtures("lab_tools")
@pytest.mark.parametrize(("project", "name"), STACKS, ids=[f"{p}:{s}" for p, s in STACKS])
def test_verify_passes_with_gateway_api(project: str, name: str, tmp_path: Path) -> None:
    copy = tmp_path / Path(project).name
    shutil.copytree(ROOT / project, copy)
    stack_file = copy / f"Pulumi.{name}.yaml"
    data = yaml.safe_load(stack_file.read_text())
    data["config"]["ingress:stack"]["api"] = "gatewayApi"
    stack_file.write_text(yaml.safe_dump(data, sort_keys=False))
    result = verify(copy, name)
    assert result.passed, table(result)
