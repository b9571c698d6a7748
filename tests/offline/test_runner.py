"""The offline runner (ingresslib/offline/runner.py): how it runs a program's registrations."""

from __future__ import annotations

import threading
from typing import Any

import pulumi

from ingresslib.offline.mocks import RecordingMocks
from ingresslib.offline.runner import run_program


class _ThreadsSeen(RecordingMocks):
    def __init__(self) -> None:
        super().__init__()
        self.threads: set[str] = set()

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.threads.add(threading.current_thread().name)
        return super().new_resource(args)


def _program() -> None:
    parent = pulumi.ComponentResource("test:index:Parent", "parent")
    for i in range(12):
        pulumi.CustomResource("test:index:Thing", f"thing-{i}", {"n": i},
                              pulumi.ResourceOptions(parent=parent))


def test_the_mock_monitor_runs_on_one_worker_in_the_programs_order() -> None:
    """The mock monitor's calls are Python under the GIL: one worker thread runs them all (the
    pool's default of six only contended for the GIL), in the order the program made them."""
    mocks = _ThreadsSeen()
    records = run_program(_program, mocks=mocks)
    assert len(mocks.threads) == 1
    (thread,) = mocks.threads
    assert thread.startswith("ingresslib-render")
    assert [r.name for r in records] == ["parent", *(f"thing-{i}" for i in range(12))]
    assert {r.parent for r in records[1:]} == {records[0].urn}
