"""Routes in front of an existing Istio ingress gateway: IngressRouting alone.

The gateway (Deployment, Service and cloud load balancer) was deployed by other means, here
Istio's Helm chart `gateway` as `istio-ingressgateway` in `istio-ingress`. This program adds
only the routing: an Istio Gateway bound to those pods, a VirtualService for the host and a
DestinationRule per backend. Written from the Python API reference (docs/api.md).
"""

import pulumi

from ingresslib import IngressRouting
from ingresslib.config import Backend, GatewayWorkload, HostRoutes, Listener, Route, Routing

host = pulumi.Config().get("host") or "shop.example.com"
# `api: gatewayApi` renders the same routing as Kubernetes Gateway API objects instead.
api = pulumi.Config().get("api") or "istio"

# The existing gateway: its namespace and pod labels (what the Istio Gateway selects). It is
# not ours to create: no namespace, no workload.
gateway = GatewayWorkload(name="istio-ingressgateway", namespace="istio-ingress",
                          create_namespace=False, labels={"istio": "ingressgateway"})

# The servers the gateway serves: plain HTTP here (TLS could end at the load balancer).
listeners = [Listener(name="http", port=80, protocol="HTTP", hosts=[host])]

routing = Routing(
    backends={
        "shop": Backend(service="shop", namespace="shop", port=8080,
                        selector={"app": "shop"},
                        subsets={"stable": {"version": "stable"},
                                 "canary": {"version": "canary"}}),
        "api": Backend(service="shop-api", namespace="shop", port=9090),
    },
    hosts=[HostRoutes(host=host, routes=[
        Route(name="api", match=[{"uri": {"prefix": "/api/"}}], to=[{"backend": "api"}],
              timeout="10s", retries={"attempts": 2, "per_try_timeout": "4s"}),
        Route(name="web", to=[{"backend": "shop", "subset": "stable", "weight": 90},
                              {"backend": "shop", "subset": "canary", "weight": 10}]),
    ])],
)

# `service` names the gateway's existing Service: the analysis checks that it reaches the
# Gateway's servers (without it, it warns ING0001: nothing rendered reaches the pods).
routes = IngressRouting("shop-routing", routing, listeners, gateway, stack="shop",
                        service="istio-ingressgateway", api=api)
pulumi.export("objects", len(routes.manifests))
