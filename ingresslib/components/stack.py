"""IngressStack: the whole edge of one cluster from one StackConfig."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from ingresslib.components.certificates import Certificates
from ingresslib.components.gateway import IngressGateway
from ingresslib.components.policies import (
    IngressRouting,
    MeshSecurity,
    Monitoring,
    RateLimiting,
)
from ingresslib.config.stack import StackConfig
from ingresslib.manifests.stack import check, stack_manifests

if TYPE_CHECKING:
    from ingresslib.components.azure.edge import AzureEdge


class IngressStack(pulumi.ComponentResource):
    """Composes the gateway workload, its certificates, routing and mesh security, and on AKS
    the Azure edge: the load balancer's public IP, Application Gateway, Key Vault access, the
    certificate sync, AGIC's Ingresses, or the Istio add-on's gateway in place of ingresslib's.

    Every object is rendered and analysed before the first resource is registered: an error
    stops the program with nothing half-created; warnings go to the Pulumi log.
    """

    def __init__(
        self, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        manifests = stack_manifests(config)
        warnings = check(config, manifests.all())
        super().__init__("ingresslib:index:IngressStack", name, config.summary(), opts)
        for warning in warnings:
            pulumi.log.warn(str(warning), resource=self)
        self.config = config
        self.gateway: IngressGateway | None = None
        wl = config.workload
        outputs: dict[str, object] = {"cloud": config.cloud, "topology": config.topology}
        child = pulumi.ResourceOptions(parent=self)
        self.azure: AzureEdge | None = None
        if config.cloud == "aks":
            # pulumi-azure-native loads here only: no other cloud's stack ever imports it.
            from ingresslib.components.azure.edge import AzureEdge  # noqa: PLC0415

            self.azure = AzureEdge(f"{name}-azure", config, child)
        if wl is not None:
            # The gateway Service names the public IP: both must exist before it does.
            after_edge = pulumi.ResourceOptions(
                parent=self, depends_on=self.azure.service_dependencies if self.azure else [])
            ready: pulumi.Resource
            if manifests.service_patch:
                from ingresslib.components.azure.addon_gateway import (  # noqa: PLC0415
                    IstioAddonGateway,
                )

                ready = IstioAddonGateway(f"{name}-gateway", manifests.service_patch[0],
                                          after_edge)
            else:
                ready = self.gateway = IngressGateway(
                    f"{name}-gateway", wl, opts=after_edge, manifests=manifests.gateway
                )
            outputs |= {"gatewayNamespace": wl.namespace, "gatewayService": wl.name}
            # Istio reads credentialName secrets from the gateway pods' namespace.
            in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[ready])
            if self.azure is not None:
                self.azure.certificate_sync(f"{name}-certificate-sync", in_namespace)
            if manifests.certificates or config.certificates:
                self.certificates = Certificates(f"{name}-tls", config, in_namespace,
                                                 manifests=manifests.certificates)
            if manifests.routing:
                IngressRouting(f"{name}-routing", config, in_namespace,
                               manifests=manifests.routing)
            if manifests.monitoring:
                Monitoring(f"{name}-monitoring", config, in_namespace,
                           manifests=manifests.monitoring)
            if manifests.rate_limits:
                RateLimiting(f"{name}-ratelimit", config, in_namespace,
                             manifests=manifests.rate_limits)
        if manifests.security:
            MeshSecurity(f"{name}-security", config, child, manifests=manifests.security)
        if manifests.ingresses and self.azure is not None:
            from ingresslib.components.azure.ingresses import AgicIngresses  # noqa: PLC0415

            # AGIC writes the routing into the Application Gateway: it must exist first.
            AgicIngresses(f"{name}-ingresses", config, pulumi.ResourceOptions(
                parent=self, depends_on=[self.azure]), manifests=manifests.ingresses)
        self.register_outputs(outputs)
