"""IngressGateway: the Istio gateway workload as one Pulumi component."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

import pulumi

from ingresslib.components.base import ManifestComponent, checked_arguments
from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.gateway import GatewayOptions, gateway_objects
from ingresslib.manifests.meta import selector_labels


class IngressGateway(ManifestComponent):
    """Namespace, RBAC, Deployment, Service, HPA, PDB and NetworkPolicy of one Istio gateway.

    Usable alone: `IngressGateway("edge", GatewayWorkload(), GatewayOptions())`.
    """

    def __init__(
        self,
        name: str,
        workload: GatewayWorkload,
        options: GatewayOptions | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        manifests: list[dict[str, Any]] | None = None,
    ) -> None:
        if manifests is None:
            # The options' fields too: a dataclass instance itself would pass unchecked.
            args = checked_arguments(
                "IngressGateway", workload=(GatewayWorkload, workload),
                options=(GatewayOptions | None,
                         asdict(options) if is_dataclass(options) else options))
            workload, options = args["workload"], args["options"]
        super().__init__("ingresslib:index:IngressGateway", name, None, opts)
        if manifests is None:
            manifests = gateway_objects(workload, options or GatewayOptions())
        self.manifests = manifests
        self.resources = self._register_manifests(name, self.manifests)
        self.namespace = workload.namespace
        self.service_name = workload.name
        self.selector = selector_labels(workload)
        self.register_outputs(
            {
                "namespace": self.namespace,
                "serviceName": self.service_name,
                "selector": self.selector,
            }
        )
