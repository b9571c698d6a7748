"""Certificate sources, one per name; listeners refer to them by name.

Where Istio terminates TLS, every source ends as a TLS Secret in the gateway namespace, named by
the listener's credentialName, which Istio hot-reloads on rotation without restarting the
gateway. ACM certificates cannot be exported: TLS from ACM terminates at the AWS load balancer.
"""


from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal, Self

from pydantic import Field, model_validator

from ingresslib.config.base import DnsLabel, DnsSubdomain, Model, applies_to
from ingresslib.config.duration import Duration, duration_ns
from ingresslib.config.listeners import Host
from ingresslib.errors import Problem


class Certificate(Model):
    """What every certificate source shares: the names it covers, where TLS with it can end.

    A cloud's sources (ACM, Key Vault) subclass it in that cloud's folder and say which cloud
    they exist on (`CLOUD`) and where they terminate; the core never names a cloud's source.
    """

    # The cloud whose service holds this source (None: any cluster), in the user's words.
    CLOUD: ClassVar[str | None] = None
    PROVIDER: ClassVar[str] = ""
    source: str
    dns_names: list[Host] = Field(min_length=1)

    def terminates_in_cluster(self, topology: str) -> bool:
        """Whether the Istio gateway holds this certificate (a Secret it reads in its
        namespace), rather than the cloud load balancer in front of it."""
        return True

    def credential_name(self, key: str) -> str:
        """The Secret, in the gateway namespace, that Istio reads the certificate from."""
        return key


class SelfSignedCertificate(Certificate):
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


class ExistingSecret(Certificate):
    """A kubernetes.io/tls Secret managed outside ingresslib, already in the gateway namespace."""

    model_config = applies_to(topologies=("gateway",))

    source: Literal["secret"]
    """`secret`."""
    secret_name: DnsSubdomain
    """The kubernetes.io/tls Secret, in the gateway namespace."""
    dns_names: list[Host] = Field(min_length=1)
    """Names the certificate in the Secret covers; checked against the listeners' hosts."""

    def credential_name(self, key: str) -> str:
        return self.secret_name


class PrivateKey(Model):
    """The private key cert-manager generates on every renewal."""

    algorithm: Literal["ECDSA", "RSA", "Ed25519"] = "ECDSA"
    """`ECDSA`, `RSA` or `Ed25519`."""
    size: int | None = None
    """Key size: 256, 384 or 521 for ECDSA, 2048, 3072 or 4096 for RSA, none for Ed25519; cert-
    manager's default when unset."""

    @model_validator(mode="after")
    def _size_fits(self) -> Self:
        allowed = {"ECDSA": {256, 384, 521}, "RSA": {2048, 3072, 4096}, "Ed25519": set()}
        if self.size is not None and self.size not in allowed[self.algorithm]:
            fits = sorted(allowed[self.algorithm]) or "none (leave size unset)"
            raise ValueError(f"size {self.size} does not fit {self.algorithm}; use {fits}")
        return self


class CertManagerCertificate(Certificate):
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
    private_key: PrivateKey = PrivateKey.defaults()
    """The private key's algorithm and size."""

    def problems(self, path: str) -> Iterator[Problem]:
        if duration_ns(self.renew_before) >= duration_ns(self.duration):
            yield Problem(f"{path}.renewBefore", self.renew_before,
                          f"must be shorter than duration ({self.duration})")
        if "*" in self.dns_names:
            yield Problem(f"{path}.dnsNames", self.dns_names, "'*' is not a valid certificate name")


# The sources any cluster can use; StackConfig adds each cloud's own.
InClusterSource = Annotated[
    SelfSignedCertificate | ExistingSecret | CertManagerCertificate,
    Field(discriminator="source"),
]


def cloud_problems(path: str, cert: Certificate, cloud: str) -> Iterator[Problem]:
    """A declared source of another cloud; `path` is the certificate's entry."""
    if cert.CLOUD is not None and cloud != cert.CLOUD:
        yield Problem(f"{path}.source", cert.source,
                      f"{cert.source} certificates exist only on {cert.PROVIDER} and this stack "
                      f"deploys to {cloud}; use that cloud's source, certManager, selfSigned "
                      "or secret")


def mutual_problems(path: str, cert: Certificate) -> Iterator[Problem]:
    """MUTUAL TLS at the gateway needs a CA to verify clients with. `path` points at the
    listener's `tls.certificate`."""
    if isinstance(cert, SelfSignedCertificate) and not cert.client_ca:
        yield Problem(path, cert.source, "MUTUAL needs a CA to verify clients with: set "
                      "clientCa: true on this certificate")
