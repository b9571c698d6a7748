"""The README's and the documentation pages' snippets behave as they say: what users copy
must work. Each snippet is found in the page that shows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ingresslib import parse_config
from ingresslib.azure.config import Azure
from ingresslib.cli import main
from ingresslib.offline.runner import run_program
from tests.conftest import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"


def _fenced(path: Path, lang: str) -> list[str]:
    """The code blocks of `lang` in a page (indented ones, inside lists, included)."""
    text = path.read_text()
    return [re.sub(r"^" + indent, "", body, flags=re.M)
            for indent, body in re.findall(rf"^( *)```{lang}\n(.*?)^\1```", text, re.S | re.M)]


def _yaml(path: Path) -> list[dict]:
    """The YAML blocks that are mappings (a `--8<--` line includes a file tested elsewhere)."""
    return [d for d in (yaml.safe_load(b) for b in _fenced(path, "yaml")) if isinstance(d, dict)]


def _stacks(path: Path) -> list[dict]:
    return [b["config"]["ingress:stack"] for b in _yaml(path) if "config" in b]


def test_the_readme_is_a_front_page() -> None:
    """Issue 19: under 300 lines, the quick start's two commands as they were, and every
    link into the site resolving to a page."""
    text = README.read_text()
    assert len(text.splitlines()) < 300
    assert "```sh\nbash scripts/quickstart\n.venv/bin/python -m pytest\n```" in text
    links = re.findall(r"\]\((docs/[^)#]+)", text)
    assert links
    for link in links:
        assert (ROOT / link).is_file(), link


def test_each_readme_topology_example_is_a_valid_stack() -> None:
    stacks = _stacks(README)
    assert [s["topology"] for s in stacks] == ["gateway", "chained", "standalone"]
    for stack in stacks:
        parse_config(stack)


@pytest.mark.parametrize(("page", "count"), [
    (README, 1), (DOCS / "getting-started.md", 1), (DOCS / "api.md", 8),
])
def test_the_python_snippets_run(page: Path, count: int) -> None:
    """Each Python example is a whole program: it runs under Pulumi's mock runtime."""
    blocks = _fenced(page, "python")
    assert len(blocks) == count
    for block in blocks:
        assert run_program(lambda b=block: exec(b, {"__name__": "__main__"}))


@pytest.mark.parametrize("page", ["security.md", "rate-limits.md"])
def test_the_feature_examples_are_valid_stacks(page: str) -> None:
    (stack,) = _stacks(DOCS / page)
    parse_config(stack)


def test_the_deploy_snippet_is_valid() -> None:
    (deploy,) = [s for s in _stacks(DOCS / "getting-started.md") if "certificates" in s]
    parse_config(deploy)


def test_the_validate_snippet_fails_as_shown(tmp_path, capsys, monkeypatch) -> None:
    page = DOCS / "getting-started.md"
    (bad,) = [b for b in _fenced(page, "yaml") if "minReplicas: 12" in b]
    (block,) = [b for b in _fenced(page, "text") if b.startswith("$ ingresslib validate")]
    command, expected = block.split("\n", 1)
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    (shop / "__main__.py").write_text("from ingresslib import load_config\nload_config()\n")
    (shop / "Pulumi.bad.yaml").write_text(bad)
    monkeypatch.chdir(tmp_path)
    assert main(command.split()[2:]) == 2
    assert capsys.readouterr().err == expected


def test_the_routing_snippet_is_valid_in_a_stack() -> None:
    (routing,) = [b for b in _yaml(DOCS / "routing.md") if "routing" in b]
    parse_config({
        "cloud": "eks",
        "listeners": [{"name": "http", "port": 80, "protocol": "HTTP",
                       "hosts": ["shop.example.com"]}],
        **routing,
    })


def test_the_picture_is_the_examples_render(tmp_path) -> None:
    assert main(["render", str(ROOT / "examples/echoserver-canary"), "--stack", "dev",
                 "--out", str(tmp_path)]) == 0
    (shown,) = _fenced(DOCS / "reviewing-changes.md", "mermaid")
    assert shown == (tmp_path / "traffic.mmd").read_text()


def test_the_diff_is_what_diff_prints(capsys, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    (block,) = [b for b in _fenced(DOCS / "reviewing-changes.md", "text")
                if b.startswith("$ ingresslib diff")]
    command, expected = block.split("\n", 1)
    assert main(command.split()[2:]) == 0
    assert capsys.readouterr().out == expected


def test_the_azure_snippet_names_only_real_keys() -> None:
    """The AKS guide lists every azure key across topologies: each must exist and hold a
    valid value (which keys a topology takes is the stack rules' business, tested there)."""
    (snippet,) = [b for b in _yaml(DOCS / "guides/aks.md")
                  if "applicationGateway" in b.get("azure", {})]
    azure = Azure.model_validate(snippet["azure"])
    assert azure.application_gateway is not None
    assert azure.istio_addon is not None


def test_the_agc_snippet_is_a_valid_standalone_section() -> None:
    """The Application Gateway for Containers snippet, in a standalone stack routing to the
    backend it names, passes every rule."""
    (snippet,) = [b for b in _yaml(DOCS / "guides/agc.md")
                  if "applicationGatewayForContainers" in b.get("azure", {})]
    parse_config({
        "cloud": "aks", "topology": "standalone",
        "listeners": [{"name": "http", "port": 80, "protocol": "HTTP",
                       "hosts": ["portal.example.com"]}],
        "routing": {"backends": {"portal": {"service": "portal", "namespace": "portal",
                                            "port": 8080}},
                    "hosts": [{"host": "portal.example.com",
                               "routes": [{"name": "web", "to": [{"backend": "portal"}]}]}]},
        "security": {"standalonePorts": [{"namespace": "portal", "selector": {"app": "portal"},
                                          "ports": [8080]}]},
        **snippet,
    })
