"""cert-manager issuers: ACME (Let's Encrypt) with HTTP-01 through the Istio gateway or DNS-01
through Route53 (IRSA) or Azure DNS (workload identity), a CA issuer for private PKI, or an
issuer that already exists in the cluster."""


from typing import Annotated, Literal

from pydantic import Field

from ingresslib.config.base import DnsLabel, DnsSubdomain, Model, Pattern, applies_to

# Azure's subscription and client IDs, as cert-manager's azureDNS solver takes them.
Guid = Annotated[str, Pattern(r"^[0-9a-f-]{36}$", "a lower-case GUID such as "
                              "00000000-0000-4000-8000-000000000000")]

LETS_ENCRYPT = {
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
    "letsencrypt-production": "https://acme-v02.api.letsencrypt.org/directory",
}


class Http01(Model):
    """Solved through the Istio gateway, on port 80. With `api: istio` cert-manager's solver
    Ingress carries the class annotation `istio`, which Istio serves on the gateway pods
    labelled `istio: <ingressSelector>`; with `api: gatewayApi` the solver attaches an
    HTTPRoute to the stack's Gateway (cert-manager's Gateway API support must be enabled:
    `config.enableGatewayAPI`). ING-IX-ACME-*."""

    kind: Literal["http01"]
    """`http01`."""
    ingress_class: str = "istio"
    """Ingress class of cert-manager's solver Ingress (`api: istio`), set as the
    `kubernetes.io/ingress.class` annotation: Istio's meshConfig.ingressClass, `istio` by
    default."""
    ingress_selector: str = Field(default="ingressgateway", min_length=1)
    """The mesh's meshConfig.ingressSelector (`api: istio`): Istio serves Ingress on the
    gateway pods labelled `istio: <this>`, so the stack's gateway must carry that label
    (ING-IX-ACME-INGRESS). `ingressgateway` is Istio's default."""


class Route53(Model):
    """DNS-01 in Route53; cert-manager's service account assumes `role` through IRSA."""

    model_config = applies_to(clouds=("eks",))

    kind: Literal["route53"]
    """`route53`."""
    region: Annotated[str, Pattern(r"^[a-z]{2}(-gov)?-[a-z]+-\d$",
                                   "an AWS region such as us-east-1")]
    """AWS region of the Route53 API calls (`us-east-1`)."""
    hosted_zone_id: Annotated[str, Pattern(r"^Z[A-Z0-9]{1,31}$",
                                           "a hosted zone ID: Z and up to 31 capitals and "
                                           "digits, such as Z0123456789ABCDEFGHIJ")]
    """The hosted zone's ID (`Z` and up to 31 capitals and digits)."""
    role: Annotated[str, Pattern(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$",
                                 "an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>")
                    ] | None = None
    """IAM role ARN cert-manager assumes; its IRSA role when unset."""


class AzureDns(Model):
    """DNS-01 in Azure DNS; cert-manager authenticates with workload identity."""

    model_config = applies_to(clouds=("aks",))

    kind: Literal["azureDns"]
    """`azureDns`."""
    subscription_id: Guid
    """Subscription of the DNS zone."""
    resource_group: str = Field(min_length=1, max_length=90)
    """Resource group of the DNS zone."""
    hosted_zone: str = Field(min_length=1)
    """The DNS zone's name (`example.com`)."""
    managed_identity_client_id: Guid
    """Client ID of the managed identity cert-manager uses through workload identity."""


Solver = Annotated[Http01 | Route53 | AzureDns, Field(discriminator="kind")]


class AcmeIssuer(Model):
    """An ACME issuer (Let's Encrypt) that cert-manager renders as an Issuer or ClusterIssuer."""

    type: Literal["acme"]
    """`acme`."""
    server: Literal["letsencrypt-staging", "letsencrypt-production"] | str = (
        "letsencrypt-staging"
    )
    """`letsencrypt-staging`, `letsencrypt-production`, or the directory URL of another ACME
    server."""
    email: Annotated[str, Pattern(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                  "an email address such as ops@example.com")]
    """Contact for the ACME account (expiry notices)."""
    solver: Solver
    """How the domain is proven: `http01`, or DNS-01 with `route53` (EKS) or `azureDns` (AKS);
    wildcards need DNS-01."""
    cluster: bool = True
    """A ClusterIssuer (true) or an Issuer in the gateway namespace."""

    @property
    def server_url(self) -> str:
        return LETS_ENCRYPT.get(self.server, self.server)


class CaIssuer(Model):
    """Private PKI: signs with the CA key pair in `secretName` (cert-manager's namespace for a
    ClusterIssuer, the gateway namespace for an Issuer)."""

    type: Literal["ca"]
    """`ca`."""
    secret_name: DnsSubdomain
    """Secret holding the CA's certificate and key."""
    cluster: bool = True
    """A ClusterIssuer (true) or an Issuer in the gateway namespace."""


class ExistingIssuer(Model):
    """An Issuer or ClusterIssuer the cluster already has; ingresslib only refers to it."""

    type: Literal["existing"]
    """`existing`."""
    cluster: bool = True
    """Whether it is a ClusterIssuer (true) or an Issuer in the gateway namespace."""


Issuer = Annotated[AcmeIssuer | CaIssuer | ExistingIssuer, Field(discriminator="type")]


class CertManager(Model):
    """cert-manager issuers, named by `certManager` certificates."""

    model_config = applies_to(topologies=("gateway",))

    issuers: dict[DnsLabel, Issuer] = {}
    """Issuers by name (a DNS-1123 label): the Issuer's or ClusterIssuer's name."""
