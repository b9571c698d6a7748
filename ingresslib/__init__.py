"""ingresslib: an Istio ingress gateway at the edge of AKS or EKS, as Pulumi components."""

from ingresslib.components.certificates import Certificates, SelfSignedTls
from ingresslib.components.gateway import IngressGateway
from ingresslib.components.policies import IngressRouting, MeshSecurity, Monitoring, RateLimiting
from ingresslib.components.stack import IngressStack
from ingresslib.config import StackConfig, load_config, parse_config
from ingresslib.errors import ConfigError
from ingresslib.manifests.gateway import GatewayOptions

__all__ = [
    "Certificates",
    "ConfigError",
    "GatewayOptions",
    "IngressGateway",
    "IngressRouting",
    "IngressStack",
    "MeshSecurity",
    "Monitoring",
    "RateLimiting",
    "SelfSignedTls",
    "StackConfig",
    "load_config",
    "parse_config",
]
