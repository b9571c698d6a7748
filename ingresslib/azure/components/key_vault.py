"""KeyVaultCertificates: the vault ingresslib creates, and the certificates it imports."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import keyvault

from ingresslib.azure.config import AksStack, key_vault_certificates
from ingresslib.azure.resource_args import imported_secret_args, vault_args
from ingresslib.components.base import renamed_type


class KeyVaultCertificates(pulumi.ComponentResource):
    """`azure.keyVault` in RBAC mode (access is granted by role assignments only), and each
    certificate with `importFrom` as a secret whose value comes from a Pulumi secret config key.
    Readers depend on `resources`, so no role or gateway refers to a vault not yet there."""

    def __init__(
        self,
        name: str,
        config: AksStack,
        *,
        tenant_id: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ingresslib:index:KeyVaultCertificates", name, None,
                         renamed_type(opts, "ingresslib:azure:KeyVaultCertificates"))
        assert config.azure is not None
        vaults: list[pulumi.Resource] = []
        vault = config.azure.key_vault
        if vault is not None:
            # With purge protection a deleted vault's name stays taken for the retention days.
            vaults.append(keyvault.Vault(
                f"{name}-{vault.name.lower()}", **vault_args(config, vault, tenant_id),
                opts=pulumi.ResourceOptions(parent=self, protect=vault.purge_protection)))
        self.resources: list[pulumi.Resource] = list(vaults)
        values = pulumi.Config("ingress")
        for key, cert in key_vault_certificates(config).items():
            if cert.import_from is None:
                continue
            value = values.require_secret(cert.import_from.secret_config)
            secret = keyvault.Secret(
                f"{name}-{key}", **imported_secret_args(cert, value),
                opts=pulumi.ResourceOptions(parent=self, depends_on=vaults))
            self.resources.append(secret)
        self.register_outputs({"resources": len(self.resources)})
