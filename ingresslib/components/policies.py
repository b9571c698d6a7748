"""IngressRouting, MeshSecurity, RateLimiting and Monitoring: the stack's policies and
operations objects, each a component of its own."""

from __future__ import annotations

import pulumi

from ingresslib.components.base import ManifestComponent
from ingresslib.config.stack import StackConfig
from ingresslib.manifests.routing import routing_objects
from ingresslib.manifests.stack import (
    Manifest,
    check,
    monitoring_manifests,
    rate_limit_manifests,
    security_manifests,
)


class IngressRouting(ManifestComponent):
    """The Gateway, VirtualServices and DestinationRules of `config.routing`.

    Usable alone in front of a gateway deployed elsewhere: describe it in `config.gateway`
    (its namespace and pod labels) and the listeners it serves. Analysis runs before anything
    is registered.
    """

    def __init__(
        self,
        name: str,
        config: StackConfig,
        opts: pulumi.ResourceOptions | None = None,
        *,
        manifests: list[Manifest] | None = None,
    ) -> None:
        if manifests is None:
            manifests = routing_objects(config)
            for warning in check(config, manifests):
                pulumi.log.warn(str(warning))
        super().__init__("ingresslib:index:IngressRouting", name, None, opts)
        self.manifests = manifests
        self.resources = self._register_manifests(name, manifests)
        self.register_outputs({"objects": len(manifests)})


class MeshSecurity(ManifestComponent):
    """PeerAuthentications, RequestAuthentication and AuthorizationPolicies of
    `config.security`."""

    def __init__(
        self,
        name: str,
        config: StackConfig,
        opts: pulumi.ResourceOptions | None = None,
        *,
        manifests: list[Manifest] | None = None,
    ) -> None:
        manifests = security_manifests(config) if manifests is None else manifests
        super().__init__("ingresslib:index:MeshSecurity", name, None, opts)
        self.manifests = manifests
        self.resources = self._register_manifests(name, manifests)
        self.register_outputs({"objects": len(manifests)})


class RateLimiting(ManifestComponent):
    """Local and global rate-limit EnvoyFilters, and the ratelimit service when deployed.

    The global filter fails closed, so its EnvoyFilters wait for the service to be ready.
    """

    def __init__(
        self,
        name: str,
        config: StackConfig,
        opts: pulumi.ResourceOptions | None = None,
        *,
        manifests: list[Manifest] | None = None,
    ) -> None:
        manifests = rate_limit_manifests(config) if manifests is None else manifests
        super().__init__("ingresslib:index:RateLimiting", name, None, opts)
        self.manifests = manifests
        service = [m for m in manifests if m["kind"] != "EnvoyFilter"]
        filters = [m for m in manifests if m["kind"] == "EnvoyFilter"]
        self.resources = self._register_manifests(name, service)
        self.resources |= self._register_manifests(
            name, filters, after=list(self.resources.values())
        )
        self.register_outputs({"objects": len(manifests)})


class Monitoring(ManifestComponent):
    """PodMonitor or ServiceMonitor, PrometheusRule, Grafana dashboard and access logging of the
    gateway."""

    def __init__(
        self,
        name: str,
        config: StackConfig,
        opts: pulumi.ResourceOptions | None = None,
        *,
        manifests: list[Manifest] | None = None,
    ) -> None:
        manifests = monitoring_manifests(config) if manifests is None else manifests
        super().__init__("ingresslib:index:Monitoring", name, None, opts)
        self.manifests = manifests
        self.resources = self._register_manifests(name, manifests)
        self.register_outputs({"objects": len(manifests)})
