"""An EnvoyFilter that tells backends the scheme the client used when TLS ended before Envoy.

Envoy sets X-Forwarded-Proto from its own downstream connection and trusts a received one only
behind trusted hops (`xff_num_trusted_hops` > 0; Envoy's "HTTP header manipulation" docs). When
an L4 load balancer ends TLS (an NLB listener with an ACM certificate) the gateway receives
plain HTTP on that port and would tell every backend `http`: redirect loops and insecure
cookies follow. The route configuration of each such gateway port therefore overwrites the
header with `https` (rule EDGE-ID-XFP).

The patch value holds no input (only the port, which sits in the match), so Envoy's API checks
it once, in the tests (tests/stack/test_contract.py), not at every render: a stack that renders
no other patch never loads envoy-data-plane's generated classes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.envoy_filter import envoy_filter, patch, route_configuration
from ingresslib.manifests.meta import selector_labels


def forwarded_proto_value() -> dict[str, Any]:
    """The ROUTE_CONFIGURATION patch value: X-Forwarded-Proto overwritten with `https`."""
    return {"request_headers_to_add": [{
        "header": {"key": "x-forwarded-proto", "value": "https"},
        "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
    }]}


def forwarded_proto_filter(
    wl: GatewayWorkload, stack: str, ports: Iterable[int]
) -> dict[str, Any] | None:
    """The EnvoyFilter for the gateway `wl`: on each gateway server port of `ports` (those
    whose TLS the load balancer ended), X-Forwarded-Proto is `https`. None without ports."""
    ports = sorted(set(ports))
    if not ports:
        return None
    return envoy_filter(
        f"{wl.name}-forwarded-proto", wl.namespace, selector=selector_labels(wl), stack=stack,
        patches=[patch("ROUTE_CONFIGURATION", route_configuration(port), "MERGE",
                       forwarded_proto_value()) for port in ports],
        validate=False,
    )

