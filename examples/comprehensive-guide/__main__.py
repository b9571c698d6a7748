"""Seed 002, the comprehensive guide: everything it shows, on AKS, from one stack file.

The guide's Gateway (myapp.example.com on port 80, here also on 443), its VirtualService with
`rewrite: uri: /`, its DestinationRule with v1/v2 subsets and LEAST_REQUEST, the HPA (2-10
replicas at 70 % CPU), the resources (1-2 CPU, 1-2 Gi), the PDB (minAvailable 1) and the
rate-limit EnvoyFilter (domain istio-ingress, failure_mode_deny). `myapp` is the user's own
application in namespace `myapp`; this program deploys only the edge in front of it.
"""

import pulumi

from ingresslib import IngressStack, load_config

config = load_config(cloud="aks")
stack = IngressStack(config.name, config)
pulumi.export("gatewayNamespace", config.workload.namespace if config.workload else None)
