"""IngressRouting, MeshSecurity, RateLimiting and Monitoring: the stack's policies and
operations objects, each a component of its own, usable alone on a StackConfig."""

from __future__ import annotations

from typing import ClassVar

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


class StackPart(ManifestComponent):
    """One section of a stack: rendered from the config unless IngressStack passes the
    manifests it already rendered and analysed."""

    TYPE: ClassVar[str]

    def __init__(
        self,
        name: str,
        config: StackConfig,
        opts: pulumi.ResourceOptions | None = None,
        *,
        manifests: list[Manifest] | None = None,
    ) -> None:
        manifests = self.render(config) if manifests is None else manifests
        super().__init__(self.TYPE, name, None, opts)
        self.manifests = manifests
        self.resources = self.register_all(name, manifests)
        self.register_outputs({"objects": len(manifests)})

    @staticmethod
    def render(config: StackConfig) -> list[Manifest]:
        raise TypeError("each StackPart renders its own section")

    def register_all(self, name: str, manifests: list[Manifest]
                     ) -> dict[str, pulumi.CustomResource]:
        return self._register_manifests(name, manifests)


class IngressRouting(StackPart):
    """The Gateway, VirtualServices and DestinationRules of `config.routing`.

    Usable alone in front of a gateway deployed elsewhere: describe it in `config.gateway`
    (its namespace and pod labels) and the listeners it serves. Analysis runs before anything
    is registered.
    """

    TYPE = "ingresslib:index:IngressRouting"

    @staticmethod
    def render(config: StackConfig) -> list[Manifest]:
        manifests = routing_objects(config)
        for warning in check(config, manifests):
            pulumi.log.warn(str(warning))
        return manifests


class MeshSecurity(StackPart):
    """PeerAuthentications, RequestAuthentication and AuthorizationPolicies of
    `config.security`."""

    TYPE = "ingresslib:index:MeshSecurity"
    render = staticmethod(security_manifests)


class RateLimiting(StackPart):
    """Local and global rate-limit EnvoyFilters, and the ratelimit service when deployed.

    The global filter fails closed, so its EnvoyFilters wait for the service to be ready.
    """

    TYPE = "ingresslib:index:RateLimiting"
    render = staticmethod(rate_limit_manifests)

    def register_all(self, name: str, manifests: list[Manifest]
                     ) -> dict[str, pulumi.CustomResource]:
        service = self._register_manifests(
            name, [m for m in manifests if m["kind"] != "EnvoyFilter"])
        filters = [m for m in manifests if m["kind"] == "EnvoyFilter"]
        return service | self._register_manifests(name, filters, after=list(service.values()))


class Monitoring(StackPart):
    """PodMonitor or ServiceMonitor, PrometheusRule, Grafana dashboard and access logging of the
    gateway."""

    TYPE = "ingresslib:index:Monitoring"
    render = staticmethod(monitoring_manifests)
