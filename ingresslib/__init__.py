"""ingresslib: an Istio ingress gateway at the edge of AKS or EKS, as Pulumi components."""

from ingresslib.components.certificates import SelfSignedTls
from ingresslib.components.gateway import IngressGateway
from ingresslib.components.stack import IngressStack
from ingresslib.config import StackConfig, load_config, parse_config
from ingresslib.errors import ConfigError
from ingresslib.manifests.gateway import GatewayOptions

__all__ = [
    "ConfigError",
    "GatewayOptions",
    "IngressGateway",
    "IngressStack",
    "SelfSignedTls",
    "StackConfig",
    "load_config",
    "parse_config",
]
