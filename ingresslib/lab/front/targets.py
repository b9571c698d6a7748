"""Where a rendered backend reference lands in the lab: the gateway pod, or a backend pod."""

from __future__ import annotations

from typing import Any

from ingresslib.lab.front.model import Addresses, FrontError
from ingresslib.lab.front.render import Render, ref, service_ports, target_port


def _runs_gateway(render: Render, svc: dict[str, Any]) -> bool:
    """The Service selects the pods of a rendered Deployment running Istio's proxy (the gateway
    injection template puts the container `istio-proxy` in the pod)."""
    selector = (svc.get("spec") or {}).get("selector") or {}
    ns = (svc.get("metadata") or {}).get("namespace")
    for dep in render.kind("Deployment"):
        tmpl = (dep.get("spec") or {}).get("template") or {}
        labels = (tmpl.get("metadata") or {}).get("labels") or {}
        containers = (tmpl.get("spec") or {}).get("containers") or []
        if ((dep.get("metadata") or {}).get("namespace") == ns and selector
                and all(labels.get(k) == v for k, v in selector.items())
                and any(c.get("name") == "istio-proxy" for c in containers)):
            return True
    return False


def service_targets(render: Render, addresses: Addresses, namespace: str, name: str,
                    port: int | str, *, via: str) -> tuple[list[str], int, bool]:
    """The pod IPs and target port behind Service `namespace/name` port `port` (number or
    name), and whether the pods are the gateway's. `via` names the referring object for
    errors."""
    svc = render.service(namespace, name)
    if svc is not None:
        for p in service_ports(svc):
            if p.get("port") == port or (isinstance(port, str) and p.get("name") == port):
                tp = target_port(render, svc, p)
                if _runs_gateway(render, svc):
                    return [addresses.gateway_ip], addresses.gateway_port(tp), True
                ips = addresses.backends.get((namespace, name))
                if not ips:
                    raise FrontError("addresses", f"backends[({namespace!r}, {name!r})]",
                                     f"no pod address for Service {namespace}/{name} ({via})")
                return list(ips), tp, False
        raise FrontError(ref(svc), "spec.ports", f"no port {port!r} (referred to by {via})")
    ips = addresses.backends.get((namespace, name))
    if not ips:
        raise FrontError(via, f"Service {namespace}/{name}",
                         "neither rendered nor among addresses.backends")
    if not isinstance(port, int):
        raise FrontError(via, f"Service {namespace}/{name} port",
                         f"named port {port!r} of a Service the render does not hold")
    return list(ips), int(addresses.backend_ports.get((namespace, name, port), port)), False
