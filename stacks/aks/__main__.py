"""AKS ingress stack: the selected Pulumi stack's `ingress:stack` config decides everything."""

import pulumi

from ingresslib import IngressStack, load_config

config = load_config(cloud="aks")
stack = IngressStack(config.name, config)
pulumi.export("topology", config.topology)
if config.workload is not None:
    pulumi.export("gatewayNamespace", config.workload.namespace)
    pulumi.export("gatewayService", config.workload.name)
if stack.azure is not None and stack.azure.public_ip is not None:
    pulumi.export("publicIpAddress", stack.azure.public_ip.ip_address)
if stack.azure is not None and stack.azure.application_gateway is not None:
    pulumi.export("applicationGatewayId", stack.azure.application_gateway.id)
    pulumi.export("applicationGatewayIpAddress", stack.azure.application_gateway.ip_address)
if stack.azure is not None and stack.azure.agc is not None:
    # Application Gateway for Containers' frontend: point the listeners' DNS names at it (CNAME).
    pulumi.export("agcFrontendFqdn", stack.azure.agc.frontend_fqdn)
