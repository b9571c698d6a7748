"""IngressStack: the whole edge of one cluster from one StackConfig."""

from __future__ import annotations

import pulumi

from ingresslib.components.certificates import SelfSignedTls
from ingresslib.components.gateway import IngressGateway
from ingresslib.components.policies import IngressRouting, MeshSecurity, RateLimiting
from ingresslib.config.aws import creates_aws_resources
from ingresslib.config.certificates import SelfSignedCertificate
from ingresslib.config.stack import StackConfig
from ingresslib.manifests.gateway import GatewayOptions, gateway_objects
from ingresslib.manifests.stack import check, stack_manifests


class IngressStack(pulumi.ComponentResource):
    """Composes the gateway workload, its certificates, routing and mesh security, and on EKS
    the AWS edge: ACM certificates, the ALB or the controller's NLB, and Route53 records.

    Every object is rendered and analysed before the first resource is registered: an error
    stops the program with nothing half-created; warnings go to the Pulumi log.
    """

    def __init__(
        self, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        manifests = stack_manifests(config)
        warnings = check(config, manifests.all())
        super().__init__("ingresslib:index:IngressStack", name, None, opts)
        for warning in warnings:
            pulumi.log.warn(str(warning), resource=self)
        self.config = config
        self.gateway: IngressGateway | None = None
        # The AWS load balancer's DNS name, on EKS stacks that create AWS resources.
        self.load_balancer_dns: pulumi.Output[str] | None = None
        wl = config.workload
        outputs: dict[str, object] = {"cloud": config.cloud, "topology": config.topology}
        child = pulumi.ResourceOptions(parent=self)
        edge = None
        arns: dict[str, pulumi.Input[str]] = {}
        if creates_aws_resources(config):
            # pulumi-aws loads here only: no other cloud's stack, nor an EKS stack that creates
            # no AWS resource, ever imports it.
            from ingresslib.components.aws import edge  # noqa: PLC0415

            arns = edge.certificates(name, config, self)
        if wl is not None:
            gateway_manifests = manifests.gateway
            ssl_certificates = edge.nlb_certificates(config, arns) if edge else None
            if ssl_certificates is not None:
                # The same objects, with the NLB's certificates once ACM has issued them.
                gateway_manifests = gateway_objects(
                    wl, GatewayOptions.for_stack(config, ssl_certificates))
            self.gateway = IngressGateway(
                f"{name}-gateway", wl, opts=child, manifests=gateway_manifests
            )
            outputs |= {"gatewayNamespace": wl.namespace, "gatewayService": wl.name}
            # Istio reads credentialName secrets from the gateway pods' namespace.
            in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[self.gateway])
            for key, cert in sorted(config.certificates.items()):
                if isinstance(cert, SelfSignedCertificate):
                    SelfSignedTls(
                        f"{name}-{key}",
                        cert,
                        secret_name=config.credential_name(key),
                        namespace=wl.namespace,
                        opts=in_namespace,
                    )
            if manifests.routing:
                IngressRouting(f"{name}-routing", config, in_namespace,
                               manifests=manifests.routing)
            if manifests.rate_limits:
                RateLimiting(f"{name}-ratelimit", config, in_namespace,
                             manifests=manifests.rate_limits)
        if manifests.security:
            MeshSecurity(f"{name}-security", config, child, manifests=manifests.security)
        if edge is not None:
            self.load_balancer_dns = edge.load_balancer(name, config, self.gateway, arns, self)
            outputs["loadBalancerDnsName"] = self.load_balancer_dns
        self.register_outputs(outputs)
