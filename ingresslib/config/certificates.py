"""Certificate sources, one per name; listeners refer to them by name.

Where Istio terminates TLS, every source ends as a TLS Secret in the gateway namespace, named by
the listener's credentialName, which Istio hot-reloads on rotation without restarting the
gateway. ACM certificates cannot be exported: TLS from ACM terminates at the AWS load balancer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from ingresslib.config.base import DnsLabel, DnsSubdomain, Model, applies_to
from ingresslib.config.duration import Duration, duration_ns
from ingresslib.config.listeners import Host
from ingresslib.errors import Problem

_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")


def _acm_arn(value: str) -> str:
    if not _ACM_ARN.match(value):
        raise ValueError(
            "must be an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<id>"
        )
    return value


AcmArn = Annotated[str, AfterValidator(_acm_arn)]


class SelfSignedCertificate(Model):
    """Development only: a CA and a leaf made with pulumi-tls, the key kept as a Pulumi secret.

    `clientCa` adds a second CA for MUTUAL listeners: its certificate becomes the Secret's
    `ca.crt` (the clients Istio accepts) and its key a secret output to sign client certs.
    """

    model_config = applies_to(topologies=("gateway",))

    source: Literal["selfSigned"]
    """`selfSigned`."""
    dns_names: list[Host] = Field(min_length=1)
    """Names the certificate covers; `*.` wildcards cover one label. Must cover the hosts of the
    listeners that use it."""
    organization: str = "ingresslib development"
    """Subject organization of the CA and the leaf."""
    validity_hours: int = Field(default=2160, ge=1, le=87600)
    """Lifetime of the leaf in hours (90 days by default)."""
    early_renewal_hours: int = Field(default=720, ge=0)
    """`pulumi up` renews the leaf this many hours before it expires; below validityHours."""
    key_algorithm: Literal["ECDSA", "RSA"] = "ECDSA"
    """`ECDSA` (P-256) or `RSA` (2048 bits)."""
    client_ca: bool = False
    """Also make a client CA, for MUTUAL listeners."""

    def problems(self, path: str) -> Iterator[Problem]:
        if self.early_renewal_hours >= self.validity_hours:
            yield Problem(
                f"{path}.earlyRenewalHours",
                self.early_renewal_hours,
                f"must be below validityHours ({self.validity_hours})",
            )
        if "*" in self.dns_names:
            yield Problem(f"{path}.dnsNames", self.dns_names, "'*' is not a valid certificate name")


class ExistingSecret(Model):
    """A kubernetes.io/tls Secret managed outside ingresslib, already in the gateway namespace."""

    model_config = applies_to(topologies=("gateway",))

    source: Literal["secret"]
    """`secret`."""
    secret_name: DnsSubdomain
    """The kubernetes.io/tls Secret, in the gateway namespace."""
    dns_names: list[Host] = Field(min_length=1)
    """Names the certificate in the Secret covers; checked against the listeners' hosts."""


class PrivateKey(Model):
    """The private key cert-manager generates on every renewal."""

    algorithm: Literal["ECDSA", "RSA", "Ed25519"] = "ECDSA"
    """`ECDSA`, `RSA` or `Ed25519`."""
    size: int | None = None
    """Key size: 256, 384 or 521 for ECDSA, 2048, 3072 or 4096 for RSA, none for Ed25519; cert-
    manager's default when unset."""

    @model_validator(mode="after")
    def _size_fits(self) -> PrivateKey:
        allowed = {"ECDSA": {256, 384, 521}, "RSA": {2048, 3072, 4096}, "Ed25519": set()}
        if self.size is not None and self.size not in allowed[self.algorithm]:
            fits = sorted(allowed[self.algorithm]) or "none (leave size unset)"
            raise ValueError(f"size {self.size} does not fit {self.algorithm}; use {fits}")
        return self


class CertManagerCertificate(Model):
    """A cert-manager Certificate; its Secret lands in the gateway namespace, renewed in place."""

    model_config = applies_to(topologies=("gateway",))

    source: Literal["certManager"]
    """`certManager`."""
    dns_names: list[Host] = Field(min_length=1)
    """Names to issue the certificate for."""
    issuer: DnsLabel
    """Key of certManager.issuers."""
    duration: Duration = "2160h"
    """Requested lifetime (a duration; 90 days by default)."""
    renew_before: Duration = "720h"
    """Renew this long before expiry (a duration), with a new private key; shorter than duration."""
    private_key: PrivateKey = PrivateKey()
    """The private key's algorithm and size."""

    def problems(self, path: str) -> Iterator[Problem]:
        if duration_ns(self.renew_before) >= duration_ns(self.duration):
            yield Problem(f"{path}.renewBefore", self.renew_before,
                          f"must be shorter than duration ({self.duration})")
        if "*" in self.dns_names:
            yield Problem(f"{path}.dnsNames", self.dns_names, "'*' is not a valid certificate name")


class AcmCertificate(Model):
    """AWS Certificate Manager: an existing certificate (`arn`), or one ingresslib requests and
    validates through DNS records in the Route53 zone `validationZone`. Terminates at the NLB
    or ALB; never reaches the gateway."""

    model_config = applies_to(clouds=("eks",))

    source: Literal["acm"]
    """`acm`."""
    dns_names: list[Host] = Field(min_length=1)
    """Names the certificate covers."""
    arn: AcmArn | None = None
    """ARN of an existing ACM certificate; or set validationZone."""
    validation_zone: str | None = None
    """Route53 hosted zone to validate a new certificate in (DNS validation); it must hold every
    name. Or set arn."""

    @model_validator(mode="after")
    def _existing_or_created(self) -> AcmCertificate:
        if (self.arn is None) == (self.validation_zone is None):
            raise ValueError("set arn (an existing certificate) or validationZone (the Route53 "
                             "zone to validate a new one in), not both")
        return self


class KeyVaultImport(Model):
    """Import the certificate into the vault as a secret named `certificate`, from the Pulumi
    secret config value `ingress:<secretConfig>` (never in plain stack config). `format` is
    what its reader takes: pfx (base64, no password) for Application Gateway, pem (key and
    chain) for the Secrets Store CSI driver."""

    secret_config: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,127}$")
    """Name of the Pulumi secret config value, `ingress:<name>`, that holds the certificate."""
    format: Literal["pfx", "pem"]
    """`pfx` (base64, no password) for Application Gateway in chained and standalone; `pem` (key and
    chain) for the gateway in topology gateway."""


class KeyVaultCertificate(Model):
    """An Azure Key Vault certificate: Application Gateway reads it by its versionless secret id
    (renewals sync), and the Istio gateway gets it as a TLS Secret through the Secrets Store CSI
    driver. `vault` is the vault's name; `resourceGroup` where it lives. Without `importFrom`
    the certificate already exists there."""

    model_config = applies_to(clouds=("aks",))

    source: Literal["keyVault"]
    """`keyVault`."""
    dns_names: list[Host] = Field(min_length=1)
    """Names the certificate covers."""
    vault: str = Field(pattern=r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$")
    """The Key Vault's name."""
    resource_group: str = Field(min_length=1, max_length=90)
    """The vault's resource group."""
    certificate: str = Field(pattern=r"^[0-9a-zA-Z-]{1,127}$")
    """The certificate's (or imported secret's) name in the vault."""
    import_from: KeyVaultImport | None = None
    """Import the certificate from Pulumi secret config; without it the certificate already exists
    in the vault."""


CertificateSource = Annotated[
    SelfSignedCertificate
    | ExistingSecret
    | CertManagerCertificate
    | AcmCertificate
    | KeyVaultCertificate,
    Field(discriminator="source"),
]

# Where each source can terminate TLS: in the gateway pods (a Secret Istio reads), or at the
# cloud's L7 load balancer / NLB.
IN_CLUSTER_SOURCES = ("selfSigned", "secret", "certManager", "keyVault")
CLOUD_SOURCES = {"eks": ("acm",), "aks": ("keyVault",)}


def terminates_in_cluster(cert: CertificateSource, cloud: str, topology: str) -> bool:
    """Whether the Istio gateway itself holds this certificate (a Secret it reads), rather
    than the cloud load balancer in front of it. Key Vault serves both: Application Gateway in
    chained and standalone, the gateway (synced by the Secrets Store CSI driver) in gateway."""
    if cert.source == "keyVault" and cloud == "aks":
        return topology == "gateway"
    return cert.source in IN_CLUSTER_SOURCES and cert.source not in CLOUD_SOURCES[cloud]


def of_cloud(cert: CertificateSource, cloud: str) -> bool:
    """Whether the source exists on `cloud`: ACM only on AWS, Key Vault only on Azure."""
    foreign = {"eks": "keyVault", "aks": "acm"}[cloud]
    return cert.source != foreign


def cloud_problems(path: str, cert: CertificateSource, cloud: str) -> Iterator[Problem]:
    """A declared source from the other cloud; `path` is the certificate's entry."""
    if not of_cloud(cert, cloud):
        own = "acm" if cloud == "eks" else "keyVault"
        yield Problem(f"{path}.source", cert.source,
                      f"{'ACM' if cert.source == 'acm' else 'Key Vault'} certificates exist "
                      f"only on {'AWS' if cert.source == 'acm' else 'Azure'} and this stack "
                      f"deploys to {cloud}; use {own}, certManager, selfSigned or secret")


def source_problems(
    path: str, cert: CertificateSource, *, cloud: str, topology: str, mode: str
) -> Iterator[Problem]:
    """Which source can serve a listener, by cloud and topology. `path` points at the
    listener's `tls.certificate`; `mode` is its TLS mode."""
    if not of_cloud(cert, cloud):
        return  # reported where the certificate is declared (cloud_problems)
    if topology in ("chained", "standalone") and cert.source not in CLOUD_SOURCES[cloud]:
        lb = "the ALB" if cloud == "eks" else "Application Gateway"
        wanted = CLOUD_SOURCES[cloud][0]
        yield Problem(path, cert.source, f"in topology {topology} {lb} terminates TLS and "
                      f"reads certificates from {wanted}, not from the cluster; use a "
                      f"{wanted} source")
    if mode == "MUTUAL":
        if cert.source == "acm":
            yield Problem(path, cert.source, "the NLB cannot verify client certificates; "
                          "terminate MUTUAL TLS at the gateway with an in-cluster source")
        elif isinstance(cert, SelfSignedCertificate) and not cert.client_ca:
            yield Problem(path, cert.source, "MUTUAL needs a CA to verify clients with: set "
                          "clientCa: true on this certificate")
