"""The rules every Azure L7 load balancer that sends straight to sidecar-injected backends
(topology standalone: Application Gateway through AGIC, or Application Gateway for
Containers) shares, over the backends its routes reach.

- The load balancer is not an Istio proxy: a backend's DestinationRule traffic policy would
  never apply to it.
- It must be told how to probe each backend: otherwise it copies the pod's readiness probe,
  which Istio rewrites to its agent.
- It presents no mesh certificate: every pod port it reaches (traffic and probes) must be
  PERMISSIVE, never STRICT.
- Probe settings for a backend no route reaches are refused, never ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from ingresslib.azure.config import AksStack
from ingresslib.config.routing import Backend
from ingresslib.errors import Problem


def backend_problems(
    cfg: AksStack,
    used: Mapping[str, str],
    settings: Mapping[str, object],
    *,
    lb: str,
    path: str,
    ports: Callable[[Backend, object], list[int]],
    code: str = "",
) -> Iterator[Problem]:
    """`used`: routed backend key -> the route that reaches it first (a config path);
    `settings`: the load balancer's per-backend probe settings at `path`; `ports(backend,
    settings)`: the pod ports it reaches; `lb` names the load balancer in messages, `code`
    the rule the probe problem breaks."""
    tag = f" ({code})" if code else ""
    for key, where in sorted(used.items()):
        backend = cfg.routing.backends.get(key)
        if backend is None:
            continue  # an unknown backend is refused by the routing rules
        if backend.traffic_policy is not None:
            yield Problem(f"routing.backends.{key}.trafficPolicy", "set", "a DestinationRule "
                          f"configures the Istio proxies that send to the backend, and {lb} "
                          "is not one; remove it")
        probe = settings.get(key)
        if probe is None:
            yield Problem(f"{path}.{key}", None, f"{where} sends to this backend through "
                          f"{lb}: set its healthProbePath (and healthProbePort when the probe "
                          f"is not on the target port), or {lb} copies the pod's readiness "
                          f"probe, which Istio rewrites to its agent{tag}")
            continue
        yield from _plaintext_problems(cfg, key, backend.namespace, ports(backend, probe), lb)
    for key in sorted(set(settings) - set(used)):
        yield Problem(f"{path}.{key}", "set", "no standalone route sends to this backend; "
                      "remove it")


def _plaintext_problems(cfg: AksStack, key: str, namespace: str, ports: list[int], lb: str
                        ) -> Iterator[Problem]:
    sec = cfg.security
    permissive = {(ref.namespace, p) for ref in (sec.standalone_ports if sec else [])
                  for p in ref.ports}
    missing = [p for p in ports if (namespace, p) not in permissive]
    if missing:
        yield Problem("security.standalonePorts", [f"{namespace}:{p}" for p in missing],
                      f"{lb} reaches backend {key} on these pod ports in plaintext (traffic "
                      "and health probes); STRICT mTLS, set here or mesh-wide, would reset "
                      "those connections: list them under security.standalonePorts so they "
                      "get PERMISSIVE")
