"""Upgrades never replace: every URN a release registered for the shipped stacks and examples
is still registered, or the resource that replaces it carries a Pulumi alias from it.

`tests/urns/released.json` pins the URNs of every stack and example as released. A URN that
disappears without an alias fails here; new URNs are fine (add them to the file when the
release that adds them ships: `python -m tests.stack.test_urns > tests/urns/released.json`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ingresslib.offline.mocks import Registered
from ingresslib.offline.runner import run_project

ROOT = Path(__file__).resolve().parents[2]
RELEASED = json.loads((ROOT / "tests/urns/released.json").read_text())
PROJECTS = ("stacks/eks", "stacks/aks", "examples/echoserver-canary",
            "examples/comprehensive-guide")


def _stacks() -> list[str]:
    return [f"{p}:{f.name[7:-5]}" for p in PROJECTS
            for f in sorted((ROOT / p).glob("Pulumi.*.yaml"))]


def _split(urn: str) -> tuple[str, list[str], str]:
    """(urn:pulumi:stack::project, type chain, name)."""
    head, types, name = urn.rsplit("::", 2)
    return head, types.split("$"), name


def answered(records: list[Registered]) -> set[str]:
    """Every URN the registered resources answer to: their own, and those their type aliases
    and their parent's give them (a URN names its parent's type: the engine's inherited child
    aliases)."""
    by_urn = {r.urn: r for r in records}
    urns = set()
    for rec in records:
        head, _, name = _split(rec.urn)
        own = {rec.type, *rec.alias_types}
        parent = by_urn.get(rec.parent)
        if parent is not None:
            parents = {parent.type, *parent.alias_types}
        else:  # the root Stack, which the mocks do not record, or no parent at all
            parents = {_split(rec.parent)[1][-1]} if rec.parent else set()
        chains = {f"{p}${t}" for p in parents for t in own} or own
        # and the names its aliases give it (pulumi.Alias(name=old)), which the engine
        # multiplies out with its parent's aliases (step_generator.go, generateAliases)
        names = {name, *(a["name"] for a in rec.aliases if a.get("name"))}
        urns |= {f"{head}::{chain}::{n}" for chain in chains for n in names}
    return urns


def current() -> dict[str, list[str]]:
    out = {}
    for key in _stacks():
        project, stack = key.split(":")
        out[key] = sorted(r.urn for r in run_project(ROOT / project, stack))
    return out


@pytest.mark.parametrize("key", _stacks())
def test_no_released_urn_is_lost(key: str) -> None:
    project, stack = key.split(":")
    records = run_project(ROOT / project, stack)
    lost = sorted(set(RELEASED.get(key, [])) - answered(records))
    assert not lost, f"{key}: these released resources would be replaced (no alias): {lost}"


def test_every_stack_and_example_is_pinned() -> None:
    assert set(_stacks()) <= set(RELEASED), "pin the URNs of every new stack or example"


def test_a_renamed_type_without_alias_fails() -> None:
    """The check itself can fail: a record whose type changed, without an alias, loses its
    released URN."""
    old = "urn:pulumi:s::p::ingresslib:azure:AzureEdge::edge"
    moved = Registered("ingresslib:index:AzureEdge", "edge", False, {},
                       urn="urn:pulumi:s::p::ingresslib:index:AzureEdge::edge")
    assert old not in answered([moved])
    aliased = Registered("ingresslib:index:AzureEdge", "edge", False, {},
                         urn=moved.urn, aliases=({"type": "ingresslib:azure:AzureEdge"},))
    assert old in answered([aliased])


def test_a_renamed_resource_answers_to_its_name_aliases() -> None:
    """A child renamed with pulumi.Alias(name=old) keeps its released URN, also under a
    parent whose type changed (the engine multiplies both aliases)."""
    old = "urn:pulumi:s::p::ingresslib:aws:Alb$aws:lb/listenerRule:ListenerRule::alb-443-rule-1"
    parent = Registered("ingresslib:index:Alb", "alb", False, {},
                        urn="urn:pulumi:s::p::ingresslib:index:Alb::alb",
                        aliases=({"type": "ingresslib:aws:Alb"},))
    rule = Registered("aws:lb/listenerRule:ListenerRule", "alb-443-a.example.com/web", True, {},
                      urn="urn:pulumi:s::p::ingresslib:index:Alb$aws:lb/listenerRule:"
                      "ListenerRule::alb-443-a.example.com/web", parent=parent.urn)
    assert old not in answered([parent, rule])
    renamed = Registered(rule.type, rule.name, True, {}, urn=rule.urn, parent=parent.urn,
                         aliases=({"name": "alb-443-rule-1"},))
    assert old in answered([parent, renamed])


if __name__ == "__main__":
    json.dump(current(), sys.stdout, indent=1, sort_keys=True)
    print()
