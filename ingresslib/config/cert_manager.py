"""cert-manager issuers: ACME (Let's Encrypt) with HTTP-01 through the Istio gateway or DNS-01
through Route53 (IRSA) or Azure DNS (workload identity), a CA issuer for private PKI, or an
issuer that already exists in the cluster."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ingresslib.config.base import DnsSubdomain, Model

LETS_ENCRYPT = {
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
    "letsencrypt-production": "https://acme-v02.api.letsencrypt.org/directory",
}


class Http01(Model):
    """Solved through the Istio gateway: cert-manager's solver Ingress uses class `istio`, which
    Istio serves on the gateway labelled `istio: ingressgateway` (port 80 must reach it)."""

    kind: Literal["http01"]
    ingress_class: str = "istio"


class Route53(Model):
    """DNS-01 in Route53; cert-manager's service account assumes `role` through IRSA."""

    kind: Literal["route53"]
    region: str = Field(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
    hosted_zone_id: str = Field(pattern=r"^Z[A-Z0-9]{1,31}$")
    role: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")


class AzureDns(Model):
    """DNS-01 in Azure DNS; cert-manager authenticates with workload identity."""

    kind: Literal["azureDns"]
    subscription_id: str = Field(pattern=r"^[0-9a-f-]{36}$")
    resource_group: str = Field(min_length=1, max_length=90)
    hosted_zone: str = Field(min_length=1)
    managed_identity_client_id: str = Field(pattern=r"^[0-9a-f-]{36}$")


Solver = Annotated[Http01 | Route53 | AzureDns, Field(discriminator="kind")]


class AcmeIssuer(Model):
    type: Literal["acme"]
    server: Literal["letsencrypt-staging", "letsencrypt-production"] | str = (
        "letsencrypt-staging"
    )
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    solver: Solver
    cluster: bool = True

    @property
    def server_url(self) -> str:
        return LETS_ENCRYPT.get(self.server, self.server)


class CaIssuer(Model):
    """Private PKI: signs with the CA key pair in `secretName` (cert-manager's namespace for a
    ClusterIssuer, the gateway namespace for an Issuer)."""

    type: Literal["ca"]
    secret_name: DnsSubdomain
    cluster: bool = True


class ExistingIssuer(Model):
    """An Issuer or ClusterIssuer the cluster already has; ingresslib only refers to it."""

    type: Literal["existing"]
    cluster: bool = True


Issuer = Annotated[AcmeIssuer | CaIssuer | ExistingIssuer, Field(discriminator="type")]


class CertManager(Model):
    issuers: dict[Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")], Issuer] = {}
