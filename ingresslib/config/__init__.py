"""The cloud-agnostic config models; each cloud's section lives in its folder, and
`ingresslib.StackConfig` composes them all.

Every model a component takes is here: build one from keyword arguments (snake_case, nested
sections as models or dicts) and invalid input raises `ingresslib.ConfigError` with the named
path, the value and the fix, as a YAML stack file does."""

from ingresslib.config.cert_manager import AcmeIssuer, CaIssuer, CertManager, ExistingIssuer
from ingresslib.config.certificates import (
    Certificate,
    CertManagerCertificate,
    ExistingSecret,
    SelfSignedCertificate,
)
from ingresslib.config.gateway_api import Api, GatewayApi
from ingresslib.config.listeners import Listener, ListenerTls
from ingresslib.config.observability import Alerts, Observability
from ingresslib.config.ratelimit import Global, LocalLimit, RateLimits
from ingresslib.config.routing import (
    Backend,
    Cors,
    Delegate,
    Destination,
    Fault,
    HeaderRules,
    HostRoutes,
    Mirror,
    Redirect,
    Retries,
    Rewrite,
    Route,
    RouteMatch,
    Routing,
    StringMatch,
    TlsRoute,
    TrafficPolicy,
)
from ingresslib.config.security import AuthzRule, JwtIssuer, PortRef, Security
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
    "AcmeIssuer",
    "Alerts",
    "Api",
    "AuthzRule",
    "Autoscaling",
    "Backend",
    "CaIssuer",
    "CertManager",
    "CertManagerCertificate",
    "Certificate",
    "Cors",
    "CustomMetric",
    "Delegate",
    "Destination",
    "Disruption",
    "Drain",
    "ExistingIssuer",
    "ExistingSecret",
    "Fault",
    "GatewayApi",
    "GatewayService",
    "GatewayWorkload",
    "Global",
    "HeaderRules",
    "HostRoutes",
    "JwtIssuer",
    "Listener",
    "ListenerTls",
    "LoadBalancer",
    "LocalLimit",
    "Mirror",
    "NetworkPolicySettings",
    "Observability",
    "PortRef",
    "RateLimits",
    "Redirect",
    "Resources",
    "Retries",
    "Rewrite",
    "Route",
    "RouteMatch",
    "Routing",
    "Scheduling",
    "Security",
    "SelfSignedCertificate",
    "StackSpec",
    "StringMatch",
    "TlsRoute",
    "Toleration",
    "TrafficPolicy",
]
