"""The README's config snippets behave as the README says: what users copy must work."""

from __future__ import annotations

import re

import yaml

from ingresslib import parse_config
from ingresslib.azure.config import Azure
from ingresslib.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
BLOCKS = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", README, re.S)]
STACKS = [b["config"]["ingress:stack"] for b in BLOCKS if "config" in b]


def test_the_deploy_snippet_is_valid() -> None:
    (deploy,) = [s for s in STACKS if "certificates" in s]
    parse_config(deploy)


def test_the_validate_snippet_fails_as_shown(tmp_path, capsys, monkeypatch) -> None:
    (bad,) = [b for b in re.findall(r"```yaml\n(.*?)```", README, re.S)
              if "minReplicas: 12" in b]
    (block,) = [b for b in re.findall(r"```text\n(.*?)```", README, re.S)
                if b.startswith("$ ingresslib validate")]
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
    (routing,) = [b for b in BLOCKS if "routing" in b]
    parse_config({
        "cloud": "eks",
        "listeners": [{"name": "http", "port": 80, "protocol": "HTTP",
                       "hosts": ["shop.example.com"]}],
        **routing,
    })


def test_the_readme_picture_is_the_examples_render(tmp_path) -> None:
    assert main(["render", str(ROOT / "examples/echoserver-canary"), "--stack", "dev",
                 "--out", str(tmp_path)]) == 0
    (shown,) = re.findall(r"```mermaid\n(.*?)```", README, re.S)
    assert shown == (tmp_path / "traffic.mmd").read_text()


def test_the_readme_diff_is_what_diff_prints(capsys, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    (block,) = [b for b in re.findall(r"```text\n(.*?)```", README, re.S)
                if b.startswith("$ ingresslib diff")]
    command, expected = block.split("\n", 1)
    assert main(command.split()[2:]) == 0
    assert capsys.readouterr().out == expected


def test_the_azure_snippet_names_only_real_keys() -> None:
    """The AKS section lists every azure key across topologies: each must exist and hold a
    valid value (which keys a topology takes is the stack rules' business, tested there)."""
    (snippet,) = [b for b in BLOCKS if "applicationGateway" in b.get("azure", {})]
    azure = Azure.model_validate(snippet["azure"])
    assert azure.application_gateway is not None
    assert azure.istio_addon is not None


def test_the_agc_snippet_is_a_valid_standalone_section() -> None:
    """The Application Gateway for Containers snippet, in a standalone stack routing to the
    backend it names, passes every rule."""
    (snippet,) = [b for b in BLOCKS if "applicationGatewayForContainers" in b.get("azure", {})]
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
