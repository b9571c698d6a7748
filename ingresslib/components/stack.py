"""IngressStack: the whole edge of one cluster from one StackConfig."""

from __future__ import annotations

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


class IngressStack(pulumi.ComponentResource):
    """Composes the gateway workload, its certificates, routing and mesh security.

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
        if wl is not None:
            self.gateway = IngressGateway(
                f"{name}-gateway", wl, opts=child, manifests=manifests.gateway
            )
            outputs |= {"gatewayNamespace": wl.namespace, "gatewayService": wl.name}
            # Istio reads credentialName secrets from the gateway pods' namespace.
            in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[self.gateway])
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
        self.register_outputs(outputs)
