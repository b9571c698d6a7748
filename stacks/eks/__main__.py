"""EKS ingress stack: the selected Pulumi stack's `ingress:stack` config decides everything."""

import pulumi

from ingresslib import IngressStack, load_config

config = load_config(cloud="eks")
stack = IngressStack(config.name, config)
pulumi.export("topology", config.topology)
if stack.load_balancer_dns is not None:
    pulumi.export("loadBalancerDnsName", stack.load_balancer_dns)
if stack.gateway is not None:
    pulumi.export("gatewayNamespace", stack.gateway.namespace)
    pulumi.export("gatewayService", stack.gateway.service_name)
