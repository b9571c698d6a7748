"""A render directory as `ingresslib render` writes it: manifests/*.yaml and plan.json.

Only the render is read: never the stack's config.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ingresslib.lab.front.model import FrontError


@dataclass(frozen=True)
class Render:
    """The rendered Kubernetes objects and the plan's cloud resources ({type, name, inputs})."""

    objects: tuple[dict[str, Any], ...]
    plan: tuple[dict[str, Any], ...]

    def kind(self, kind: str, api_group: str = "") -> list[dict[str, Any]]:
        """Objects of `kind` (and, when given, whose apiVersion starts with `api_group`)."""
        return [o for o in self.objects if o.get("kind") == kind
                and str(o.get("apiVersion", "")).startswith(api_group)]

    def resources(self, suffix: str) -> list[dict[str, Any]]:
        """Plan resources whose type ends with `suffix` (e.g. "lb/listener:Listener")."""
        return [r for r in self.plan if r["type"].endswith(suffix)]

    def service(self, namespace: str, name: str) -> dict[str, Any] | None:
        for svc in self.kind("Service"):
            meta = svc.get("metadata") or {}
            if meta.get("name") == name and meta.get("namespace") == namespace:
                return svc
        return None


def load(render_dir: str | Path) -> Render:
    root = Path(render_dir)
    plan_file = root / "plan.json"
    if not plan_file.is_file():
        raise FrontError(str(root), "plan.json", "missing: not a render directory")
    objects: list[dict[str, Any]] = []
    for f in sorted((root / "manifests").glob("*.yaml")):
        objects.extend(d for d in yaml.safe_load_all(f.read_text()) if isinstance(d, dict))
    return Render(tuple(objects), tuple(json.loads(plan_file.read_text())))


def ref(obj: dict[str, Any]) -> str:
    """kind/namespace/name of a Kubernetes object, or type/name of a plan resource."""
    if "kind" in obj:
        meta = obj.get("metadata") or {}
        ns = meta.get("namespace")
        return f"{obj['kind']}/{ns + '/' if ns else ''}{meta.get('name')}"
    return f"{obj['type']}/{obj['name']}"


def service_ports(svc: dict[str, Any]) -> list[dict[str, Any]]:
    return list((svc.get("spec") or {}).get("ports") or [])


def target_port(render: Render, svc: dict[str, Any], port: dict[str, Any]) -> int:
    """A Service port's targetPort as a number: a named targetPort is resolved through the
    container ports of the Deployments the Service selects."""
    tp = port.get("targetPort", port.get("port"))
    if isinstance(tp, int) or str(tp).isdigit():
        return int(tp)
    selector = (svc.get("spec") or {}).get("selector") or {}
    ns = (svc.get("metadata") or {}).get("namespace")
    for dep in render.kind("Deployment"):
        tmpl = (dep.get("spec") or {}).get("template") or {}
        labels = (tmpl.get("metadata") or {}).get("labels") or {}
        if (dep.get("metadata") or {}).get("namespace") != ns or not selector or any(
                labels.get(k) != v for k, v in selector.items()):
            continue
        for c in (tmpl.get("spec") or {}).get("containers") or []:
            for cp in c.get("ports") or []:
                if cp.get("name") == tp:
                    return int(cp["containerPort"])
    raise FrontError(ref(svc), f"spec.ports[{port.get('name')}].targetPort",
                     f"named port {tp!r} matches no container port of a selected Deployment")
