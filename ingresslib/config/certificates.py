"""Certificate sources, one per name; listeners refer to them by name.

Every source ends as a TLS Secret in the gateway namespace, named by the listener's
credentialName, which Istio hot-reloads on rotation without restarting the gateway.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field

from ingresslib.config.base import DnsSubdomain, Model
from ingresslib.config.listeners import Host
from ingresslib.errors import Problem


class SelfSignedCertificate(Model):
    """Development only: a CA and a leaf made with pulumi-tls, the key kept as a Pulumi secret."""

    source: Literal["selfSigned"]
    dns_names: list[Host] = Field(min_length=1)
    organization: str = "ingresslib development"
    validity_hours: int = Field(default=2160, ge=1, le=87600)
    early_renewal_hours: int = Field(default=720, ge=0)
    key_algorithm: Literal["ECDSA", "RSA"] = "ECDSA"

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

    source: Literal["secret"]
    secret_name: DnsSubdomain
    dns_names: list[Host] = Field(min_length=1)


CertificateSource = Annotated[
    SelfSignedCertificate | ExistingSecret, Field(discriminator="source")
]
