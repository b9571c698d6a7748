"""IngressStack: the whole edge of one cluster from one StackConfig."""

from __future__ import annotations

from types import ModuleType
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
from ingresslib.config.aws import creates_aws_resources
from ingresslib.config.stack import StackConfig
from ingresslib.manifests.gateway import GatewayOptions, gateway_objects
from ingresslib.manifests.stack import StackManifests, check, stack_manifests

if TYPE_CHECKING:
    from ingresslib.components.azure.edge import AzureEdge


class IngressStack(pulumi.ComponentResource):
    """Composes the gateway workload, its certificates, routing, mesh security, rate limits and
    monitoring, and the cloud edge: on EKS ACM certificates, the ALB or the controller's NLB
    and Route53 records; on AKS the load balancer's public IP, Application Gateway, Key Vault
    access, the certificate sync, AGIC's Ingresses, or the Istio add-on's gateway.

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
        # The AWS load balancer's DNS name, on EKS stacks that create AWS resources.
        self.load_balancer_dns: pulumi.Output[str] | None = None
        wl = config.workload
        outputs: dict[str, object] = {"cloud": config.cloud, "topology": config.topology}
        child = pulumi.ResourceOptions(parent=self)
        aws = None
        arns: dict[str, pulumi.Input[str]] = {}
        if creates_aws_resources(config):
            # pulumi-aws loads here only: no other cloud's stack, nor an EKS stack that creates
            # no AWS resource, ever imports it.
            from ingresslib.components.aws import edge as aws  # noqa: PLC0415

            arns = aws.certificates(name, config, self)
        self.azure: AzureEdge | None = None
        if config.cloud == "aks":
            # pulumi-azure-native loads here only: no other cloud's stack ever imports it.
            from ingresslib.components.azure.edge import AzureEdge  # noqa: PLC0415

            self.azure = AzureEdge(f"{name}-azure", config, child)
        if wl is not None:
            ready = self._gateway(name, config, manifests, aws, arns)
            outputs |= {"gatewayNamespace": wl.namespace, "gatewayService": wl.name}
            self._in_gateway_namespace(name, config, manifests, ready)
        if manifests.security:
            MeshSecurity(f"{name}-security", config, child, manifests=manifests.security)
        if aws is not None:
            self.load_balancer_dns = aws.load_balancer(name, config, self.gateway, arns, self)
            outputs["loadBalancerDnsName"] = self.load_balancer_dns
        if manifests.ingresses and self.azure is not None:
            from ingresslib.components.azure.ingresses import AgicIngresses  # noqa: PLC0415

            # AGIC writes the routing into the Application Gateway: it must exist first.
            AgicIngresses(f"{name}-ingresses", config, pulumi.ResourceOptions(
                parent=self, depends_on=[self.azure]), manifests=manifests.ingresses)
        self.register_outputs(outputs)

    def _gateway(self, name: str, config: StackConfig, manifests: StackManifests,
                 aws: ModuleType | None, arns: dict[str, pulumi.Input[str]]) -> pulumi.Resource:
        """The gateway workload, or on AKS the add-on's gateway Service patched."""
        wl = config.workload
        assert wl is not None
        # The gateway Service names the public IP: both must exist before it does.
        after_edge = pulumi.ResourceOptions(
            parent=self, depends_on=self.azure.service_dependencies if self.azure else [])
        if manifests.service_patch:
            from ingresslib.components.azure.addon_gateway import (  # noqa: PLC0415
                IstioAddonGateway,
            )

            return IstioAddonGateway(f"{name}-gateway", manifests.service_patch[0], after_edge)
        gateway_manifests = manifests.gateway
        ssl_certificates = aws.nlb_certificates(config, arns) if aws else None
        if ssl_certificates is not None:
            # The same objects, with the NLB's certificates once ACM has issued them.
            gateway_manifests = gateway_objects(
                wl, GatewayOptions.for_stack(config, ssl_certificates))
        self.gateway = IngressGateway(
            f"{name}-gateway", wl, opts=after_edge, manifests=gateway_manifests
        )
        return self.gateway

    def _in_gateway_namespace(self, name: str, config: StackConfig,
                              manifests: StackManifests, ready: pulumi.Resource) -> None:
        """Certificates, routing, monitoring and rate limits: after the gateway and its
        namespace, where Istio reads credentialName secrets from."""
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[ready])
        if self.azure is not None:
            self.azure.certificate_sync(f"{name}-certificate-sync", in_namespace)
        if manifests.certificates or config.certificates:
            self.certificates = Certificates(f"{name}-tls", config, in_namespace,
                                             manifests=manifests.certificates)
        if manifests.routing:
            IngressRouting(f"{name}-routing", config, in_namespace, manifests=manifests.routing)
        if manifests.monitoring:
            Monitoring(f"{name}-monitoring", config, in_namespace,
                       manifests=manifests.monitoring)
        if manifests.rate_limits:
            RateLimiting(f"{name}-ratelimit", config, in_namespace,
                         manifests=manifests.rate_limits)
