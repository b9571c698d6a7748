"""traffic.svg and traffic.png: every host, route, weight and backend of each stack's and
example's config is in the picture, the SVG is byte-stable and self-contained, render writes
both, and the README's picture is the example's."""

from __future__ import annotations

import html
import json
import os
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from ingresslib import IngressStack, parse_config
from ingresslib.cli import main
from ingresslib.offline.diagram import stack_summaries, traffic
from ingresslib.offline.mocks import Registered
from ingresslib.offline.output import manifests, plan
from ingresslib.offline.picture import PictureUnavailable, images
from ingresslib.offline.runner import Project, run_program
from tests.configs import EVERYTHING
from tests.conftest import PROJECTS, ROOT

EXAMPLE = ROOT / "examples/echoserver-canary"
README_PICTURE = ROOT / "docs/traffic.svg"


def _images(records: list[Registered]) -> dict[str, bytes]:
    try:
        return images(traffic(manifests(records), stack_summaries(records), plan(records)))
    except PictureUnavailable as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"under CI the quick start installs the picture's tools: {e}")
        pytest.skip(str(e))


def _texts(svg: bytes) -> str:
    """The picture's text, one label line per line."""
    return "\n".join(html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>",
                                                         svg.decode()))


def _expected(config: dict[str, Any]) -> list[str]:
    """What the picture must show of a stack config: its hosts, its routes (by name where the
    traffic keeps names; an ALB rule keeps only its conditions, so by path there), every
    weight, and every backend as service.namespace:port."""
    routing = config.get("routing") or {}
    backends = routing.get("backends") or {}
    alb = config.get("cloud") == "eks" and config.get("topology") == "standalone"
    found = []
    for host in routing.get("hosts") or []:
        found.append(host["host"])
        for route in [*(host.get("routes") or []), *(host.get("tlsRoutes") or [])]:
            paths = [m["uri"]["prefix"] for m in route.get("match") or [] if "uri" in m]
            found += [f"path {p}*" for p in paths] if alb else [route["name"]]
            targets = route.get("to") or []
            found += [f"{t['weight']}%" for t in targets if "weight" in t]
            for target in targets:
                b = backends[target["backend"]]
                service = (config.get("aws") or {}).get("alb", {}).get("backends", {}).get(
                    target["backend"], {}).get("service") if alb else None
                found.append(f"{service or b['service']}.{b['namespace']}:{b['port']}")
    return found


def _stack_config(directory: str, stack: str) -> dict[str, Any] | None:
    raw = Project.load(ROOT / directory).stack_config(stack).get("ingress:stack")
    return json.loads(raw) if raw else None


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: f"{p[0]}:{p[1]}")
def test_every_project_picture_shows_its_config(project: tuple[str, str], renders) -> None:
    texts = _texts(_images(renders[project])["svg"])
    config = _stack_config(*project)
    if config:
        expected = _expected(config)
    elif project[0] == "examples/routing-only":  # routing alone, built in Python
        expected = ["Istio gateway istio-ingress/shop", "shop.example.com", "api", "web",
                    "shop-api.shop:9090", "subset stable (version=stable)", "90%", "10%"]
    else:  # the example builds its config in Python from two settings
        settings = Project.load(ROOT / project[0]).stack_config(project[1])
        canary = int(settings.get("echoserver-canary:canaryWeight", "20"))
        expected = ["echo.example.com", "echoserver", f"{100 - canary}%", f"{canary}%",
                    "echoserver-service.echo:80"]
    missing = [item for item in expected if item not in texts]
    assert not missing, f"not in the picture: {missing}"
    assert texts.startswith("client")


def test_every_routing_feature_is_in_the_picture() -> None:
    records = run_program(lambda: IngressStack("edge", parse_config(EVERYTHING)))
    texts = _texts(_images(records)["svg"])
    missing = [item for item in _expected(EVERYTHING) if item not in texts]
    assert not missing, f"not in the picture: {missing}"
    assert "mirror 5%" in texts
    assert "redirect 308 /new/" in texts


def test_the_picture_is_byte_stable_and_self_contained(renders) -> None:
    records = renders[("stacks/eks", "chained")]
    first, second = _images(records), _images(records)
    assert first["svg"] == second["svg"]
    assert first["png"] == second["png"]
    svg = first["svg"].decode()
    assert svg.startswith("<?xml")
    assert first["png"].startswith(b"\x89PNG")
    assert "graphviz version" not in svg
    assert "site-packages" not in svg
    assert "data:image/png;base64," in svg


def test_render_writes_the_picture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _images(run_program(lambda: None))  # skips without the picture's tools
    assert main(["render", str(EXAMPLE), "--stack", "dev", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith(
        "wrote 23 manifests, plan.json, edge.md, traffic.mmd, traffic.png, traffic.svg to ")
    assert (tmp_path / "traffic.png").read_bytes().startswith(b"\x89PNG")
    # The README shows this picture: it is the example's, as rendered now.
    assert (tmp_path / "traffic.svg").read_bytes() == README_PICTURE.read_bytes(), (
        "docs/traffic.svg is stale: copy the example's traffic.svg there")
    assert "![" in (ROOT / "README.md").read_text().partition("docs/traffic.svg")[0][-200:]


def test_a_traffic_path_too_large_to_read_is_not_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_NODES nodes the picture is refused, saying why, before Graphviz is asked (a
    stack of 1,000 hosts took 33 s to draw, into a PNG squeezed to Graphviz's size limit)."""
    from ingresslib.offline import picture  # noqa: PLC0415
    from ingresslib.offline.diagram import Node, Traffic  # noqa: PLC0415

    def path(count: int) -> Traffic:
        return Traffic(tuple(Node(f"n{i}", "host", "k8s-svc", (f"host{i}",))
                             for i in range(count)), ())

    drawn: list[int] = []
    monkeypatch.setattr(picture, "_draw", lambda _d, traffic, *_: drawn.append(
        len(traffic.nodes)) or {})
    # The tools' checks pass, so this runs without the picture extra or Graphviz too.
    monkeypatch.setitem(sys.modules, "diagrams", types.ModuleType("diagrams"))
    monkeypatch.setattr(picture.shutil, "which", lambda _: "/usr/bin/dot")
    with pytest.raises(PictureUnavailable, match=f"has {picture.MAX_NODES + 1} nodes, more "
                       f"than the {picture.MAX_NODES} a picture stays readable with"):
        images(path(picture.MAX_NODES + 1))
    assert drawn == []
    images(path(picture.MAX_NODES))
    assert drawn == [picture.MAX_NODES]
