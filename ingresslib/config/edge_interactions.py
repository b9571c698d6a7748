"""Rules of cloud-agnostic settings that validate alone and break together (issue 18): a
public entry point's DNS record set on the hop behind an L7 load balancer (EDGE-HOP-DNS),
and defaults or pairs that are unsafe together (EDGE-RL-FAIL, EDGE-RT-RETRY).

Each cloud adds its own (`ingresslib.aws.interaction_rules`,
`ingresslib.azure.interaction_rules`); the rules' statements and sources are in
`ingresslib.edge.INTERACTION_RULES`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ingresslib.config.duration import duration_ns
from ingresslib.config.listeners import host_covers
from ingresslib.errors import Problem

if TYPE_CHECKING:
    from ingresslib.config.stack import StackSpec

# external-dns publishes a Service's address under these names (hostname) or publishes these
# addresses (target) (kubernetes-sigs/external-dns, docs/annotations/annotations.md).
EXTERNAL_DNS = "external-dns.alpha.kubernetes.io/"
PUBLIC_RECORD_ANNOTATIONS = (f"{EXTERNAL_DNS}hostname", f"{EXTERNAL_DNS}target")
# A fail-closed global limit fails every request whose call to the ratelimit service outlasts
# its timeout; below this a slow call (a Redis failover, a cross-zone hop, a GC pause) is
# enough. Envoy's own default (20 ms) is meant for fail-open limits.
MIN_FAIL_CLOSED_TIMEOUT_MS = 100


def edge_interaction_problems(cfg: StackSpec) -> Iterator[Problem]:
    """Every cloud-agnostic interaction rule of `cfg`."""
    yield from _wrong_hop_problems(cfg)
    yield from _rate_limit_problems(cfg)
    yield from _retry_problems(cfg)


def _wrong_hop_problems(cfg: StackSpec) -> Iterator[Problem]:
    """EDGE-HOP-DNS: behind an L7 load balancer (chained) the public entry point is that load
    balancer; an external-dns record for a listener's host on the gateway Service would point
    the public name at the hop behind it (an internal address, or none)."""
    if cfg.topology != "chained" or cfg.gateway is None:
        return
    hosts = [h for lst in cfg.listeners for h in lst.hosts]
    for key, value in sorted(cfg.gateway.service.annotations.items()):
        if key not in PUBLIC_RECORD_ANNOTATIONS:
            continue
        names = [n.strip() for n in value.split(",") if n.strip()]
        public = [n for n in names if any(host_covers(h, n) or host_covers(n, h)
                                          for h in hosts)]
        if key.endswith("/target") or public:
            yield Problem(f"gateway.service.annotations.{key}", value,
                          "in topology chained the public entry point is the L7 load balancer "
                          "in front of the gateway; this record would send the listeners' "
                          "clients to the hop behind it, which only the load balancer reaches. "
                          "Point the listener hosts' records at the load balancer (its address "
                          "is a stack output) and remove it, or name a private host here "
                          "(EDGE-HOP-DNS)")


def _rate_limit_problems(cfg: StackSpec) -> Iterator[Problem]:
    """EDGE-RL-FAIL: failing closed on a timeout too short for one slow call fails requests
    while the ratelimit service is merely slow."""
    glob = cfg.rate_limits.global_
    if glob is None or not glob.failure_mode_deny:
        return
    if duration_ns(glob.timeout) < MIN_FAIL_CLOSED_TIMEOUT_MS * 10**6:
        yield Problem("rateLimits.global.timeout", glob.timeout,
                      "with failureModeDeny: true the gateway answers 500 to every request "
                      "whose call to the ratelimit service takes longer than this, so one slow "
                      "call (a Redis failover, a cross-zone hop) fails requests; use at least "
                      f"{MIN_FAIL_CLOSED_TIMEOUT_MS}ms, or failureModeDeny: false to let "
                      "requests through while the service is slow (EDGE-RL-FAIL)")


def _retry_problems(cfg: StackSpec) -> Iterator[Problem]:
    """EDGE-RT-RETRY: the route's timeout bounds every try; a try that may last as long
    leaves no time for a retry."""
    for i, host in enumerate(cfg.routing.hosts):
        for j, route in enumerate(host.routes):
            retries = route.retries
            if not (route.timeout and retries and retries.attempts and
                    retries.per_try_timeout):
                continue
            if duration_ns(retries.per_try_timeout) >= duration_ns(route.timeout):
                yield Problem(f"routing.hosts[{i}].routes[{j}].retries.perTryTimeout",
                              retries.per_try_timeout,
                              f"the route's timeout ({route.timeout}) bounds all tries, so a "
                              "first try that may last this long leaves no time for the "
                              f"{retries.attempts} retries; use a perTryTimeout shorter than "
                              "the timeout (at most timeout / (attempts + 1) for every retry "
                              "to run) (EDGE-RT-RETRY)")
