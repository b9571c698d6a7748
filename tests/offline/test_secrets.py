"""Stack files with encrypted values render and diff offline: nothing is decrypted, values
ingresslib does not read reach the program as opaque secrets, and values it needs (a Key Vault
`importFrom`) render as `[secret]` wherever they land."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from ingresslib.cli import main
from ingresslib.offline.output import REDACTED
from ingresslib.offline.runner import SECRET_PLACEHOLDER, Project, run_program
from tests.conftest import ROOT

CIPHER = "v1:Fq1cq0XJtWkBSJ9c:c2VjcmV0LWNpcGhlcnRleHQtZm9yLXRlc3Rz"
PFX_CIPHER = "v1:9kXz0b1JvQ3p:cGZ4LWNpcGhlcnRleHQtZm9yLXRlc3Rz"


def _aks_with_secrets(tmp_path: Path) -> Path:
    """stacks/aks whose chained stack imports its certificate from `ingress:portalPfx` and
    holds encrypted values in other namespaces, one nested in an object."""
    project = tmp_path / "aks"
    shutil.copytree(ROOT / "stacks/aks", project, ignore=shutil.ignore_patterns("__pycache__"))
    stack_file = project / "Pulumi.chained.yaml"
    data = yaml.safe_load(stack_file.read_text())
    config = data["config"]
    stack = config["ingress:stack"]
    stack["azure"]["keyVault"] = {"name": "kv-portal-edge"}
    stack["certificates"]["portal-tls"]["importFrom"] = {"secretConfig": "portalPfx",
                                                         "format": "pfx"}
    config["ingress:portalPfx"] = {"secure": PFX_CIPHER}
    config["myorg-edge:pagerdutyKey"] = {"secure": CIPHER}
    config["myorg-edge:alerting"] = {"team": "edge", "webhook": {"token": {"secure": CIPHER}}}
    stack_file.write_text(yaml.safe_dump(data, sort_keys=False))
    return project


def test_encrypted_values_become_secret_placeholders(tmp_path: Path) -> None:
    project = Project.load(_aks_with_secrets(tmp_path))
    config = project.stack_config("chained")
    assert config["ingress:portalPfx"] == SECRET_PLACEHOLDER
    assert config["myorg-edge:pagerdutyKey"] == SECRET_PLACEHOLDER
    assert config["myorg-edge:alerting"] == (
        '{"team": "edge", "webhook": {"token": "[secret]"}}')
    assert project.secret_keys("chained") == [
        "ingress:portalPfx", "myorg-edge:alerting", "myorg-edge:pagerdutyKey"]
    assert CIPHER not in "".join(config.values())


def test_the_program_gets_them_as_secrets() -> None:
    import pulumi  # noqa: PLC0415

    seen: dict[str, object] = {}

    def program() -> None:
        cfg = pulumi.Config("myorg-edge")
        seen["plain"] = cfg.get("pagerdutyKey")
        cfg.require_secret("pagerdutyKey").apply(lambda v: seen.setdefault("secret", v))

    run_program(program, config={"myorg-edge:pagerdutyKey": SECRET_PLACEHOLDER},
                secret_keys=["myorg-edge:pagerdutyKey"])
    assert seen == {"plain": REDACTED, "secret": REDACTED}


def test_a_stack_with_encrypted_values_renders_without_them(tmp_path: Path) -> None:
    project = _aks_with_secrets(tmp_path)
    out = tmp_path / "out"
    assert main(["render", str(project), "--stack", "chained", "--out", str(out)]) == 0
    written = "\n".join(p.read_text() for p in out.rglob("*") if p.suffix in (".json", ".yaml"))
    assert CIPHER not in written
    assert PFX_CIPHER not in written
    plan = yaml.safe_load((out / "plan.json").read_text())
    (imported,) = [e for e in plan if e["type"] == "azure-native:keyvault:Secret"]
    assert imported["inputs"]["properties"] == REDACTED


def test_a_stack_with_encrypted_values_validates_without_running_its_program(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _aks_with_secrets(tmp_path)
    assert main(["validate", str(project), "--stack", "chained"]) == 0
    out, err = capsys.readouterr()
    assert out.endswith("stack chained is valid (config and rendered objects)\n")
    assert CIPHER not in out + err


def test_a_stack_with_encrypted_values_diffs_against_a_revision(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _aks_with_secrets(tmp_path)
    repo = project.parent

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    stack_file = project / "Pulumi.chained.yaml"
    data = yaml.safe_load(stack_file.read_text())
    data["config"]["ingress:portalPfx"] = {"secure": CIPHER}  # a new certificate
    data["config"]["ingress:stack"]["azure"]["applicationGateway"]["maxCapacity"] = 12
    stack_file.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["diff", str(project), "--stack", "chained", "--rev", "HEAD"]) == 0
    out = capsys.readouterr().out
    assert "maxCapacity: 10 -> 12" in out
    assert CIPHER not in out
    assert PFX_CIPHER not in out
