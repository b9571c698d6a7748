"""The stack's routing as Kubernetes Gateway API objects (v1.6.1): a Gateway bound to
ingresslib's own gateway Deployment and Service, HTTPRoutes, GRPCRoutes and TLSRoutes,
ReferenceGrants, per-subset Services and BackendTLSPolicies. Pure functions, like the rest of
`ingresslib.manifests`; `routes.route_objects` is the entry point other Gateway API
implementations (Application Gateway for Containers) share."""

from ingresslib.manifests.gateway_api.routes import (
    GATEWAY_API,
    ParentRef,
    gateway_duration,
    listener_sections,
    route_objects,
    subset_service_name,
)

__all__ = [
    "GATEWAY_API",
    "ParentRef",
    "gateway_duration",
    "listener_sections",
    "route_objects",
    "subset_service_name",
]
