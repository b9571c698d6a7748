"""What a stack pays for at start: the modules it loads and the validators it builds are those
of the products and sections it uses (docs/architecture.md, "Deferred imports"). Each case
runs in a fresh interpreter, where nothing another test imported or built is in memory."""

from __future__ import annotations

import pytest

from tests.shared import in_fresh_interpreter

# Modules of products the example (EKS, NLB, api istio, no rate limits) does not use: the
# other cloud's config models and fakes among them.
OTHER_PRODUCTS = [
    "ingresslib.azure.config", "ingresslib.azure.agc.config", "ingresslib.azure.fakes",
    "ingresslib.azure.ids", "ingresslib.azure.edge_plan", "ingresslib.azure.rules",
    "ingresslib.azure.agc.manifests", "ingresslib.azure.agic.ingresses",
    "ingresslib.aws.alb_plan", "ingresslib.aws.alb_rules",
    "ingresslib.gateway_api_analysis", "ingresslib.manifests.gateway_api.istio",
    "ingresslib.translation_rules", "ingresslib.aws.replacements",
]
# Sections the example leaves unset (Azure's model is not even loaded).
UNSET_SECTIONS = ["Azure", "Aws", "RateLimits", "Security", "CertManager", "GatewayWorkload"]


def _fresh(program: str) -> dict[str, object]:
    probe = ("import json, sys\n" + program +
             "\nfrom ingresslib.config.base import Model\n"
             "models, todo = {}, [Model]\n"
             "while todo:\n"
             "    cls = todo.pop()\n"
             "    models[cls.__name__] = cls.__pydantic_complete__\n"
             "    todo += cls.__subclasses__()\n"
             "print(json.dumps({'modules': sorted(m for m in sys.modules"
             " if m.startswith('ingresslib')), 'built': models}))")
    return in_fresh_interpreter(probe)[1]


@pytest.fixture(scope="module")
def example() -> dict[str, object]:
    return _fresh("from ingresslib.offline.runner import run_project\n"
                  "run_project('examples/echoserver-canary', 'dev')")


def test_a_stack_loads_no_module_of_a_product_it_does_not_use(
        example: dict[str, object]) -> None:
    modules = example["modules"]
    assert isinstance(modules, list)
    assert "ingresslib.aws.edge_plan" in modules  # its own cloud's planner
    assert [m for m in OTHER_PRODUCTS if m in modules] == []


def test_a_stack_builds_the_validators_of_the_sections_it_sets_only(
        example: dict[str, object]) -> None:
    built = example["built"]
    assert isinstance(built, dict)
    assert built["StackConfig"]
    assert built["Routing"]
    assert "Aws" in built  # loaded (its NLB settings), not built
    assert [name for name in UNSET_SECTIONS if built.get(name)] == []


def test_a_stack_that_uses_them_loads_them() -> None:
    """An AKS stack under Gateway API with AGC: its cloud's planner and render modules, Gateway
    API's renderers and analysis (what the example does without)."""
    loaded = _fresh("from ingresslib import parse_config\n"
                    "from ingresslib.stack.render import check, stack_manifests\n"
                    "from tests.configs import agc_stack\n"
                    "cfg = parse_config({**agc_stack('chained'), 'api': 'gatewayApi'})\n"
                    "check(cfg, stack_manifests(cfg).all())")
    modules = loaded["modules"]
    assert isinstance(modules, list)
    assert [m for m in ["ingresslib.azure.edge_plan", "ingresslib.azure.rules",
                        "ingresslib.azure.agc.manifests", "ingresslib.gateway_api_analysis",
                        "ingresslib.manifests.gateway_api.istio"] if m not in modules] == []
    assert "ingresslib.aws.edge_plan" not in modules
    # Of the other cloud, only the certificate source and the annotation keys the read-back
    # compares load (and the fakes, which the offline mocks tests/conftest.py imports load).
    assert [m for m in modules if m.startswith("ingresslib.aws.")
            and m != "ingresslib.aws.fakes"] == [
        "ingresslib.aws.annotations", "ingresslib.aws.certificate"]
    built = loaded["built"]
    assert isinstance(built, dict)
    assert built["Azure"]
    assert "Aws" not in built  # not even loaded
