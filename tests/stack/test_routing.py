"""ingresslib.stack.routing: the routing a stack's validation rendered (api: gatewayApi) is the
routing its render registers, rendered once; a second render, or a copy, renders its own."""

from __future__ import annotations

import dataclasses
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


@pytest.mark.parametrize("deep", [False, True])
def test_a_copy_renders_its_own_routing(renders, deep: bool) -> None:
    cfg = parse_config(routed_nlb_stack(api="gatewayApi"))
    copy = cfg.model_copy(deep=deep)
    assert stack_manifests(copy).routing == stack_manifests(cfg).routing
    assert len(renders) == 2  # validation's, taken by cfg's render; the copy rendered its own


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
