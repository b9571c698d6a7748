"""ingresslib: an Istio ingress gateway at the edge of AKS or EKS, as Pulumi components."""

from ingresslib.components.certificates import Certificates, SelfSignedTls
from ingresslib.components.gateway import IngressGateway
from ingresslib.components.policies import IngressRouting, MeshSecurity, Monitoring, RateLimiting
from ingresslib.config.stack import StackSpec
from ingresslib.edge import EdgePlan, GatewayOptions, HealthCheck
from ingresslib.errors import ConfigError
from ingresslib.stack.component import IngressStack
from ingresslib.stack.model import StackConfig, load_config, parse_config

__all__ = [
    "Certificates",
    "ConfigError",
    "EdgePlan",
    "GatewayOptions",
    "HealthCheck",
    "IngressGateway",
    "IngressRouting",
    "IngressStack",
    "MeshSecurity",
    "Monitoring",
    "RateLimiting",
    "SelfSignedTls",
    "StackConfig",
    "StackSpec",
    "load_config",
    "parse_config",
]
