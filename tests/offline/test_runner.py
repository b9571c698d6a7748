"""The offline runner (ingresslib/offline/runner.py): how it runs a program."""

from __future__ import annotations

import asyncio
import threading

import pulumi

from ingresslib.offline.runner import run_program


def _program() -> None:
    """A program whose thread (the loop's default executor, `asyncio.to_thread`) waits for a
    resource's URN, which the mock monitor resolves from another of the executor's threads."""
    registered = threading.Event()

    async def wait() -> bool:
        return await asyncio.to_thread(registered.wait, 5)

    waited = pulumi.Output.from_input(asyncio.ensure_future(wait()))
    thing = pulumi.CustomResource("test:index:Thing", "thing", {"n": 1})
    thing.urn.apply(lambda _: registered.set())
    pulumi.CustomResource("test:index:Thing", "after", {"waited": waited})


def test_a_program_thread_waiting_on_an_output_does_not_starve_the_mock_monitor() -> None:
    """The executor is the program's as well as the mock monitor's, as under `pulumi up`: with
    a single worker, the program's waiting thread held it, and the registration it waited for
    ran only when the wait gave up."""
    records = run_program(_program)
    assert {r.name: r.inputs for r in records} == {"thing": {"n": 1}, "after": {"waited": True}}
