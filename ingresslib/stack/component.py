"""IngressStack: the whole edge of one cluster from one StackConfig."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from ingresslib.components.certificates import Certificates
from ingresslib.components.gateway import IngressGateway
from ingresslib.components.policies import IngressRouting, MeshSecurity, Monitoring, RateLimiting
from ingresslib.stack.model import StackConfig
from ingresslib.stack.render import StackManifests, check, stack_manifests

if TYPE_CHECKING:
    from ingresslib.azure.components.edge import AzureEdge


class IngressStack(pulumi.ComponentResource):
    """Composes the gateway workload, its certificates, routing, mesh security, rate limits and
    monitoring, and the cloud edge: on EKS ACM certificates, the ALB or the controller's NLB
    and Route53 records; on AKS the load balancer's public IP, Application Gateway, Key Vault
    access, the certificate sync, AGIC's Ingresses, or the Istio add-on's gateway.

    The config's edge plan (`config.edge`) is the one statement of what the load balancer and
    the gateway agree on; both sides are registered from it. Every object is rendered and
    analysed before the first resource is registered: an error stops the program with nothing
    half-created; warnings go to the Pulumi log.
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
        arns: dict[str, pulumi.Input[str]] = {}
        aws = False
        if config.cloud == "eks":  # the AWS config loads for EKS stacks only
            from ingresslib.aws.config import creates_aws_resources  # noqa: PLC0415

            aws = creates_aws_resources(config)
        if aws:
            # pulumi-aws loads here only: no other cloud's stack, nor an EKS stack that creates
            # no AWS resource, ever imports it.
            from ingresslib.aws.components import edge as aws_edge  # noqa: PLC0415

            arns = aws_edge.certificates(name, config, self)
        self.azure: AzureEdge | None = None
        if config.cloud == "aks":
            # pulumi-azure-native loads here only: no other cloud's stack ever imports it.
            from ingresslib.azure.components.edge import AzureEdge  # noqa: PLC0415

            self.azure = AzureEdge(f"{name}-azure", config, child)
        if wl is not None:
            gateway_objects = manifests.gateway
            if aws:
                gateway_objects = aws_edge.with_issued_certificates(config, gateway_objects,
                                                                    arns)
            ready = self._gateway(name, manifests, gateway_objects)
            outputs |= {"gatewayNamespace": wl.namespace, "gatewayService": wl.name}
            self._in_gateway_namespace(name, config, manifests, ready)
        if manifests.security:
            assert config.security is not None
            MeshSecurity(f"{name}-security", config.security, wl, child,
                         manifests=manifests.security)
        if aws:
            self.load_balancer_dns = aws_edge.load_balancer(name, config, self.gateway, arns,
                                                            self)
            if self.load_balancer_dns is not None:
                outputs["loadBalancerDnsName"] = self.load_balancer_dns
        if manifests.agc and self.azure is not None:
            from ingresslib.azure.components.agc import AgcGateway  # noqa: PLC0415

            # The Gateway names the traffic controller and frontend, and in chained the
            # gateway's Service and namespace: all exist first.
            AgcGateway(f"{name}-agc", config, subscription_id=self.azure.subscription_id,
                       opts=pulumi.ResourceOptions(parent=self, depends_on=[
                           self.azure, *([self.gateway] if self.gateway else [])]))
        if manifests.ingresses and self.azure is not None:
            from ingresslib.azure.components.agic import AgicIngresses  # noqa: PLC0415

            # AGIC writes the routing into the Application Gateway: it must exist first.
            AgicIngresses(f"{name}-ingresses", config, pulumi.ResourceOptions(
                parent=self, depends_on=[self.azure]), manifests=manifests.ingresses)
        self.register_outputs(outputs)

    def _gateway(self, name: str, manifests: StackManifests,
                 gateway_objects: list[dict[str, Any]]) -> pulumi.Resource:
        """The gateway workload, or on AKS the add-on's gateway Service patched."""
        wl = self.config.workload
        assert wl is not None
        # The gateway Service names the public IP: both must exist before it does.
        after_edge = pulumi.ResourceOptions(
            parent=self, depends_on=self.azure.service_dependencies if self.azure else [])
        if manifests.service_patch:
            from ingresslib.azure.components.addon_gateway import (  # noqa: PLC0415
                IstioAddonGateway,
            )

            return IstioAddonGateway(f"{name}-gateway", manifests.service_patch[0], after_edge)
        self.gateway = IngressGateway(
            f"{name}-gateway", wl, opts=after_edge, manifests=gateway_objects
        )
        return self.gateway

    def _in_gateway_namespace(self, name: str, config: StackConfig,
                              manifests: StackManifests, ready: pulumi.Resource) -> None:
        """Certificates, routing, monitoring and rate limits: after the gateway and its
        namespace, where Istio reads credentialName secrets from."""
        wl = config.workload
        assert wl is not None
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[ready])
        if self.azure is not None:
            self.azure.certificate_sync(f"{name}-certificate-sync", in_namespace)
        if manifests.certificates or config.certificates:
            self.certificates = Certificates(f"{name}-tls", config.certificates, wl.namespace,
                                             in_namespace, manifests=manifests.certificates)
        if manifests.routing:
            IngressRouting(f"{name}-routing", config.routing, config.listeners, wl,
                           in_namespace, stack=config.name, manifests=manifests.routing)
        if manifests.monitoring:
            Monitoring(f"{name}-monitoring", config.observability, wl, in_namespace,
                       stack=config.name, manifests=manifests.monitoring)
        if manifests.rate_limits:
            RateLimiting(f"{name}-ratelimit", config.rate_limits, wl, in_namespace,
                         stack=config.name, manifests=manifests.rate_limits)
