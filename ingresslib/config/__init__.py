"""Typed configuration: every model, and the loaders from Pulumi config or plain data."""

from ingresslib.config.aws import Alb, AlbBackend, Aws, Nlb, Route53, Subnet
from ingresslib.config.certificates import (
    AcmCertificate,
    CertificateSource,
    ExistingSecret,
    SelfSignedCertificate,
)
from ingresslib.config.listeners import Listener, ListenerTls
from ingresslib.config.observability import Observability
from ingresslib.config.stack import (
    LoadBalancer,
    StackConfig,
    load_config,
    parse_config,
)
from ingresslib.config.workload import (
    Autoscaling,
    CustomMetric,
    Disruption,
    Drain,
    GatewayService,
    GatewayWorkload,
    NetworkPolicySettings,
    Resources,
    Scheduling,
    Toleration,
)

__all__ = [
    "AcmCertificate",
    "Alb",
    "AlbBackend",
    "Autoscaling",
    "Aws",
    "CertificateSource",
    "CustomMetric",
    "Disruption",
    "Drain",
    "ExistingSecret",
    "GatewayService",
    "GatewayWorkload",
    "Listener",
    "ListenerTls",
    "LoadBalancer",
    "NetworkPolicySettings",
    "Nlb",
    "Observability",
    "Resources",
    "Route53",
    "Scheduling",
    "SelfSignedCertificate",
    "StackConfig",
    "Subnet",
    "Toleration",
    "load_config",
    "parse_config",
]
