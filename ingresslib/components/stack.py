"""IngressStack: the whole edge of one cluster from one StackConfig."""

from __future__ import annotations

import pulumi

from ingresslib.components.certificates import SelfSignedTls
from ingresslib.components.gateway import IngressGateway
from ingresslib.config.certificates import SelfSignedCertificate
from ingresslib.config.stack import StackConfig
from ingresslib.manifests.gateway import GatewayOptions


class IngressStack(pulumi.ComponentResource):
    """Composes the gateway workload and its certificates for the configured cloud/topology."""

    def __init__(
        self, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ingresslib:index:IngressStack", name, None, opts)
        self.config = config
        self.gateway: IngressGateway | None = None
        wl = config.workload
        outputs: dict[str, object] = {"cloud": config.cloud, "topology": config.topology}
        if wl is not None:
            self.gateway = IngressGateway(
                f"{name}-gateway",
                wl,
                GatewayOptions.for_stack(config),
                pulumi.ResourceOptions(parent=self),
            )
            outputs |= {"gatewayNamespace": wl.namespace, "gatewayService": wl.name}
            # Istio reads credentialName secrets from the gateway pods' namespace.
            after = [self.gateway]
            for key, cert in sorted(config.certificates.items()):
                if isinstance(cert, SelfSignedCertificate):
                    SelfSignedTls(
                        f"{name}-{key}",
                        cert,
                        secret_name=config.credential_name(key),
                        namespace=wl.namespace,
                        opts=pulumi.ResourceOptions(parent=self, depends_on=after),
                    )
        self.register_outputs(outputs)
