"""Seed 001, complete: echoserver v1 and v2 behind an Istio ingress gateway on EKS.

The stack config is built in Python here (no YAML needed); the host comes from Pulumi config.
"""

import backends
import pulumi

from ingresslib import IngressStack
from ingresslib.config import StackConfig
from ingresslib.register import register, resource_name

host = pulumi.Config().get("host") or "echo.example.com"

config = StackConfig.model_validate(
    {
        "name": "echo",
        "cloud": "eks",
        "topology": "gateway",
        "listeners": [
            {"name": "http", "port": 80, "protocol": "HTTP", "hosts": [host]},
            {
                "name": "https",
                "port": 443,
                "protocol": "HTTPS",
                "hosts": [host],
                "tls": {"certificate": "echo-tls"},
            },
        ],
        # Development certificate; production stacks use cert-manager or the cloud's service.
        "certificates": {"echo-tls": {"source": "selfSigned", "dnsNames": [host]}},
    }
)

edge = IngressStack(config.name, config)

namespace = None
for manifest in backends.objects(config.workload.namespace):
    resource = register(
        resource_name("echo-backend", manifest),
        manifest,
        pulumi.ResourceOptions(depends_on=[namespace] if namespace else []),
    )
    if manifest["kind"] == "Namespace":
        namespace = resource

pulumi.export("host", host)
pulumi.export("gatewayService", f"{config.workload.namespace}/{config.workload.name}")
