"""ingresslib.stack.routing: the routing a stack's validation rendered (api: gatewayApi) is the
routing its render registers, rendered once; a second render, or a copy, renders its own."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.stack import routing
from ingresslib.stack.render import stack_manifests
from tests.configs import routed_nlb_stack


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the stack routing renders (one entry per render)."""
    counted: list[int] = []
    real = routing.routing_manifests

    def counting(*args: Any) -> list[dict[str, Any]]:
        counted.append(1)
        return real(*args)

    monkeypatch.setattr(routing, "routing_manifests", counting)
    return counted


def test_gateway_api_routing_is_rendered_once_for_validation_and_render(renders) -> None:
    cfg = parse_config(routed_nlb_stack(api="gatewayApi"))
    assert len(renders) == 1  # validation: what Gateway API cannot say
    first = stack_manifests(cfg).routing
    assert len(renders) == 1  # the render took validation's objects
    assert {o["kind"] for o in first} >= {"Gateway", "HTTPRoute"}
    again = stack_manifests(cfg).routing
    assert len(renders) == 2  # taken once: a second render shares no object with the first
    assert again == first
    assert not {id(o) for o in again} & {id(o) for o in first}


COPIES = {
    "model_copy": lambda cfg: cfg.model_copy(),
    "model_copy deep": lambda cfg: cfg.model_copy(deep=True),
    "copy.copy": copy.copy,
    "copy.deepcopy": copy.deepcopy,
    "pickle": lambda cfg: pickle.loads(pickle.dumps(cfg)),
}


@pytest.mark.parametrize("how", sorted(COPIES))
def test_a_copy_renders_its_own_routing(renders, how: str) -> None:
    cfg = parse_config(routed_nlb_stack(api="gatewayApi"))
    copied = COPIES[how](cfg)
    mine = stack_manifests(copied).routing
    theirs = stack_manifests(cfg).routing
    assert mine == theirs
    assert not {id(o) for o in mine} & {id(o) for o in theirs}
    # Validation's render, taken by cfg's; a copy renders its own, and an unpickled config
    # takes its own unpickled objects.
    assert len(renders) == (1 if how == "pickle" else 2)


def test_istio_routing_is_rendered_by_the_render_only(renders) -> None:
    cfg = parse_config(routed_nlb_stack())
    assert renders == []
    assert {o["kind"] for o in stack_manifests(cfg).routing} >= {"Gateway", "VirtualService"}
    assert len(renders) == 1


def test_another_plan_renders_its_own_routing(renders) -> None:
    cfg = parse_config(routed_nlb_stack(api="gatewayApi"))
    other = dataclasses.replace(cfg.edge)  # equal, but not the plan validation rendered for
    assert routing.stack_routing_manifests(cfg, other) == stack_manifests(cfg).routing
    assert len(renders) == 3  # validation, the other plan's, and a fresh one for cfg's
