"""Azure Key Vault as a certificate source (`source: keyVault`), apart from the rest of the
Azure config: a stack of either cloud validates its certificates with every source's model, and
an EKS stack never loads `ingresslib.azure.config`."""

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from ingresslib.azure.value_types import KeyVaultName
from ingresslib.config.base import Model, Pattern, applies_to
from ingresslib.config.certificates import Certificate
from ingresslib.config.listeners import Host


class KeyVaultImport(Model):
    """Import the certificate into the vault as a secret named `certificate`, from the Pulumi
    secret config value `ingress:<secretConfig>` (never in plain stack config). `format` is
    what its reader takes: pfx (base64, no password) for Application Gateway, pem (key and
    chain) for the Secrets Store CSI driver."""

    secret_config: Annotated[str, Pattern(
        r"^[A-Za-z][A-Za-z0-9_-]{0,127}$",
        "a config key: a letter, then letters, digits, '_' and '-', at most 128 in all")]
    """Name of the Pulumi secret config value, `ingress:<name>`, that holds the certificate."""
    format: Literal["pfx", "pem"]
    """`pfx` (base64, no password) for Application Gateway in chained and standalone; `pem` (key and
    chain) for the gateway in topology gateway."""


class KeyVaultCertificate(Certificate):
    """An Azure Key Vault certificate: Application Gateway reads it by its versionless secret id
    (renewals sync), and the Istio gateway gets it as a TLS Secret through the Secrets Store CSI
    driver. `vault` is the vault's name; `resourceGroup` where it lives. Without `importFrom`
    the certificate already exists there."""

    model_config = applies_to(clouds=("aks",))
    CLOUD: ClassVar[str | None] = "aks"
    PROVIDER: ClassVar[str] = "Azure"
    source: Literal["keyVault"]
    """`keyVault`."""
    dns_names: list[Host] = Field(min_length=1)
    """Names the certificate covers."""
    vault: KeyVaultName
    """The Key Vault's name."""
    resource_group: str = Field(min_length=1, max_length=90)
    """The vault's resource group."""
    certificate: Annotated[str, Pattern(r"^[0-9a-zA-Z-]{1,127}$",
                                        "a Key Vault object name: 1-127 letters, digits and '-'")]
    """The certificate's (or imported secret's) name in the vault."""
    import_from: KeyVaultImport | None = None
    """Import the certificate from Pulumi secret config; without it the certificate already exists
    in the vault."""

    def terminates_in_cluster(self, topology: str) -> bool:
        # Application Gateway reads it in chained and standalone; in gateway the Secrets Store
        # CSI driver syncs it into the gateway namespace.
        return topology == "gateway"
