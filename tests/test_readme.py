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
from ingresslib.stack.render import stack_manifests
from tests.configs import aks_stack, eks_stack, http_listener
from tests.conftest import ROOT
from tests.shared import DOCS, fenced, yaml_blocks

README = ROOT / "README.md"


def _stacks(path: Path) -> list[dict]:
    return [b["config"]["ingress:stack"] for b in yaml_blocks(path) if "config" in b]


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
    blocks = fenced(page, "python")
    assert len(blocks) == count
    for block in blocks:
        assert run_program(lambda b=block: exec(b, {"__name__": "__main__"}))


@pytest.mark.parametrize("page", ["security.md", "rate-limits.md"])
def test_the_feature_examples_are_valid_stacks(page: str) -> None:
    (stack,) = _stacks(DOCS / page)
    parse_config(stack)


def test_the_security_example_keeps_a_stacks_routes_reachable() -> None:
    """Issue 18: the page's authorization rules, copied into a stack that serves routes
    (stacks/eks gateway), leave every route reachable: an ALLOW rule scoped to /admin/* would
    refuse the rest of the host (ING-IX-ALLOW-SCOPE)."""
    (example,) = _stacks(DOCS / "security.md")
    stack = yaml.safe_load((ROOT / "stacks/eks/Pulumi.gateway.yaml").read_text())
    config = stack["config"]["ingress:stack"]
    config["security"] = example["security"]
    parse_config(config)


def test_the_gateway_api_page_renders_what_it_says_for_backend_tls() -> None:
    """Issue 18 input (e): with Istio a SIMPLE-TLS backend keeps its TLS in the
    DestinationRule and gets no BackendTLSPolicy (EDGE-API-TLS-DR); the page said it got one
    that trusts the system's CAs, the very loss the issue reports."""
    data = eks_stack(
        api="gatewayApi", listeners=[http_listener("booking.example.com")],
        routing={"backends": {"booking": {
            "service": "booking", "namespace": "booking", "port": 443,
            "trafficPolicy": {"tls": {"mode": "SIMPLE", "sni": "booking.internal"}}}},
            "hosts": [{"host": "booking.example.com", "routes": [
                {"name": "booking", "to": [{"backend": "booking"}]}]}]})
    kinds = {o["kind"] for o in stack_manifests(parse_config(data)).all()}
    assert "BackendTLSPolicy" not in kinds
    text = (DOCS / "gateway-api.md").read_text()
    (row,) = [r for r in text.splitlines() if r.startswith("| `trafficPolicy` |")]
    assert "no BackendTLSPolicy (EDGE-API-TLS-DR)" in row
    assert "BackendTLSPolicies and a Service per subset" not in text


def test_no_example_restricts_with_an_allow_rule() -> None:
    """Issue 18: an ALLOW rule scoped to some hosts or paths also refuses every other request
    at the gateway (ING-IX-ALLOW-SCOPE); the Python API's MeshSecurity cannot see the routes
    to refuse it. The examples users copy (YAML and Python, README and pages) restrict with
    DENY."""
    pages = [README, *sorted(DOCS.rglob("*.md"))]
    allow = re.compile(r"""action["']?\s*[:=]\s*["']?ALLOW""")
    found = [(page.name, block) for page in pages for lang in ("yaml", "python")
             for block in fenced(page, lang) if allow.search(block)]
    assert found == []


def test_the_deploy_snippet_is_valid() -> None:
    (deploy,) = [s for s in _stacks(DOCS / "getting-started.md") if "certificates" in s]
    parse_config(deploy)


def test_the_validate_snippet_fails_as_shown(tmp_path, capsys, monkeypatch) -> None:
    page = DOCS / "getting-started.md"
    (bad,) = [b for b in fenced(page, "yaml") if "minReplicas: 12" in b]
    (block,) = [b for b in fenced(page, "text") if b.startswith("$ ingresslib validate")]
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
    (routing,) = [b for b in yaml_blocks(DOCS / "routing.md") if "routing" in b]
    parse_config(eks_stack(**routing))


def test_the_picture_is_the_examples_render(tmp_path) -> None:
    assert main(["render", str(ROOT / "examples/echoserver-canary"), "--stack", "dev",
                 "--out", str(tmp_path)]) == 0
    (shown,) = fenced(DOCS / "reviewing-changes.md", "mermaid")
    assert shown == (tmp_path / "traffic.mmd").read_text()


def test_the_diff_is_what_diff_prints(capsys, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    (block,) = [b for b in fenced(DOCS / "reviewing-changes.md", "text")
                if b.startswith("$ ingresslib diff")]
    command, expected = block.split("\n", 1)
    assert main(command.split()[2:]) == 0
    assert capsys.readouterr().out == expected


def test_the_azure_snippet_names_only_real_keys() -> None:
    """The AKS guide lists every azure key across topologies: each must exist and hold a
    valid value (which keys a topology takes is the stack rules' business, tested there)."""
    (snippet,) = [b for b in yaml_blocks(DOCS / "guides/aks.md")
                  if "applicationGateway" in b.get("azure", {})]
    azure = Azure.model_validate(snippet["azure"])
    assert azure.application_gateway is not None
    assert azure.istio_addon is not None


def test_the_agc_snippet_is_a_valid_standalone_section() -> None:
    """The Application Gateway for Containers snippet, in a standalone stack routing to the
    backend it names, passes every rule."""
    (snippet,) = [b for b in yaml_blocks(DOCS / "guides/agc.md")
                  if "applicationGatewayForContainers" in b.get("azure", {})]
    parse_config(aks_stack(
        "standalone", listeners=[http_listener("portal.example.com")],
        routing={"backends": {"portal": {"service": "portal", "namespace": "portal",
                                         "port": 8080}},
                 "hosts": [{"host": "portal.example.com",
                            "routes": [{"name": "web", "to": [{"backend": "portal"}]}]}]},
        security={"standalonePorts": [{"namespace": "portal", "selector": {"app": "portal"},
                                       "ports": [8080]}]},
        **snippet))


def test_the_api_reference_documents_every_model_routing_only_builds() -> None:
    """Issue 19: the routing-only program can be written from the Python API reference alone,
    so each model examples/routing-only builds (directly, or as a dict in a model's field: a
    route's match `uri`, its `retries`) has its entry, with its fields, in docs/api.md."""
    import ingresslib.config  # noqa: PLC0415

    entries = set(re.findall(r"^::: ingresslib\.config\.\w+\.(\w+)$",
                             (DOCS / "api.md").read_text(), re.M))
    needed = {"Routing", "Backend", "HostRoutes", "Route", "Destination", "RouteMatch",
              "StringMatch", "Retries", "Listener", "ListenerTls", "GatewayWorkload"}
    assert needed <= set(ingresslib.config.__all__)
    assert needed - entries == set()
