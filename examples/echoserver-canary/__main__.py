"""Seed 001, complete: echoserver v1 and v2 behind an Istio ingress gateway on EKS.

The stack config is built in Python here (no YAML needed); the host comes from Pulumi config.
"""

import backends
import pulumi

from ingresslib import IngressStack, parse_config
from ingresslib.components.register import register, resource_name

settings = pulumi.Config()
host = settings.get("host") or "echo.example.com"
# Seed 001's canary: v1 takes 80 %, v2 20 % (the seed's YAML swaps the two weights; its text
# and video give v1 the 80). Raise canaryWeight to shift traffic to v2.
canary = settings.get_int("canaryWeight")
canary = 20 if canary is None else canary
# The routing's API: `istio` (Gateway, VirtualService, DestinationRule, as the seed writes it)
# or `gatewayApi` (Gateway API's Gateway and HTTPRoute; Pulumi.gateway-api.yaml).
api = settings.get("api") or "istio"

# parse_config reports a mistake with its named path and the fix under `pulumi up` too
# (pydantic's own StackConfig.model_validate would give its raw text there).
config = parse_config(
    {
        "name": "echo",
        "cloud": "eks",
        "topology": "gateway",
        "api": api,
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
        "routing": {
            "backends": {
                "echoserver": {
                    "service": backends.SERVICE,
                    "namespace": backends.NAMESPACE,
                    "port": 80,
                    # What the Service selects and forwards to: with gatewayApi each subset
                    # is a Service of its own, selecting these labels plus the subset's.
                    "selector": {"app": backends.APP},
                    "targetPort": backends.PORT,
                    "subsets": {"v1": {"version": "v1"}, "v2": {"version": "v2"}},
                }
            },
            "hosts": [
                {
                    "host": host,
                    "routes": [
                        {
                            "name": "echoserver",
                            "match": [{"uri": {"prefix": "/"}}],
                            "to": [
                                {"backend": "echoserver", "subset": "v1",
                                 "weight": 100 - canary},
                                {"backend": "echoserver", "subset": "v2", "weight": canary},
                            ],
                        }
                    ],
                }
            ],
        },
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
