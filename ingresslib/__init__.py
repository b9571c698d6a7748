"""ingresslib: an Istio ingress gateway at the edge of AKS or EKS, as Pulumi components."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ingresslib.components.certificates import Certificates, SelfSignedTls
    from ingresslib.components.gateway import IngressGateway
    from ingresslib.components.policies import (
        IngressRouting,
        MeshSecurity,
        Monitoring,
        RateLimiting,
    )
    from ingresslib.config.stack import StackSpec
    from ingresslib.edge import EdgePlan, GatewayOptions, HealthCheck
    from ingresslib.errors import ConfigError
    from ingresslib.stack.component import IngressStack
    from ingresslib.stack.model import StackConfig, load_config, parse_config

# Each name is imported on first use (PEP 562): importing a submodule such as the CLI, or the
# config models alone, never loads the Pulumi SDKs the components need.
_EXPORTS = {
    "Certificates": "ingresslib.components.certificates",
    "ConfigError": "ingresslib.errors",
    "EdgePlan": "ingresslib.edge",
    "GatewayOptions": "ingresslib.edge",
    "HealthCheck": "ingresslib.edge",
    "IngressGateway": "ingresslib.components.gateway",
    "IngressRouting": "ingresslib.components.policies",
    "IngressStack": "ingresslib.stack.component",
    "MeshSecurity": "ingresslib.components.policies",
    "Monitoring": "ingresslib.components.policies",
    "RateLimiting": "ingresslib.components.policies",
    "SelfSignedTls": "ingresslib.components.certificates",
    "StackConfig": "ingresslib.stack.model",
    "StackSpec": "ingresslib.config.stack",
    "load_config": "ingresslib.stack.model",
    "parse_config": "ingresslib.stack.model",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ingresslib' has no attribute {name!r}")
    return getattr(import_module(module), name)
