"""The cloud-agnostic config models; each cloud's section lives in its folder, and
`ingresslib.StackConfig` composes them all."""

from ingresslib.config.certificates import (
    CertManagerCertificate,
    ExistingSecret,
    SelfSignedCertificate,
)
from ingresslib.config.listeners import Listener, ListenerTls
from ingresslib.config.observability import Observability
from ingresslib.config.stack import LoadBalancer, StackSpec
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
    "Autoscaling",
    "CertManagerCertificate",
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
    "Observability",
    "Resources",
    "Scheduling",
    "SelfSignedCertificate",
    "StackSpec",
    "Toleration",
]
