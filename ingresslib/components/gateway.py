"""IngressGateway: the Istio gateway workload as one Pulumi component."""

from __future__ import annotations

import pulumi

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.gateway import GatewayOptions, gateway_objects
from ingresslib.manifests.meta import selector_labels
from ingresslib.register import register, resource_name


class IngressGateway(pulumi.ComponentResource):
    """Namespace, RBAC, Deployment, Service, HPA, PDB and NetworkPolicy of one Istio gateway.

    Usable alone: `IngressGateway("edge", GatewayWorkload(), GatewayOptions())`.
    """

    def __init__(
        self,
        name: str,
        workload: GatewayWorkload,
        options: GatewayOptions | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ingresslib:index:IngressGateway", name, None, opts)
        options = options or GatewayOptions()
        self.manifests = gateway_objects(workload, options)
        self.resources: dict[str, pulumi.CustomResource] = {}
        previous: pulumi.Resource | None = None
        for manifest in self.manifests:
            # Everything namespaced waits for the namespace; the rest has no ordering needs.
            depends = [previous] if previous is not None else []
            child = register(
                resource_name(name, manifest),
                manifest,
                pulumi.ResourceOptions(parent=self, depends_on=depends),
            )
            self.resources[f"{manifest['kind']}/{manifest['metadata']['name']}"] = child
            if manifest["kind"] == "Namespace":
                previous = child
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
