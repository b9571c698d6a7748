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
    from ingresslib.components.stack import IngressStack
    from ingresslib.config import StackConfig, load_config, parse_config
    from ingresslib.errors import ConfigError
    from ingresslib.manifests.gateway import GatewayOptions

# Each name is imported on first use (PEP 562): importing a submodule such as the CLI, or the
# config models alone, never loads the Pulumi SDKs the components need.
_EXPORTS = {
    "Certificates": "ingresslib.components.certificates",
    "ConfigError": "ingresslib.errors",
    "GatewayOptions": "ingresslib.manifests.gateway",
    "IngressGateway": "ingresslib.components.gateway",
    "IngressRouting": "ingresslib.components.policies",
    "IngressStack": "ingresslib.components.stack",
    "MeshSecurity": "ingresslib.components.policies",
    "Monitoring": "ingresslib.components.policies",
    "RateLimiting": "ingresslib.components.policies",
    "SelfSignedTls": "ingresslib.components.certificates",
    "StackConfig": "ingresslib.config",
    "load_config": "ingresslib.config",
    "parse_config": "ingresslib.config",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ingresslib' has no attribute {name!r}")
    return getattr(import_module(module), name)
