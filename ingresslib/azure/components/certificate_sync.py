"""CertificateSync: Key Vault certificates as TLS Secrets in the gateway namespace (topology
gateway), with a workload identity allowed to read exactly those secrets."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import managedidentity

from ingresslib.azure.certificate_sync_plan import certificate_sync_objects, sync_name
from ingresslib.azure.components.roles import key_vault_reader_roles
from ingresslib.azure.config import AksStack, synced_certificates
from ingresslib.azure.resource_args import federated_credential_args, identity_args
from ingresslib.components.base import ManifestComponent, renamed_type


class CertificateSync(ManifestComponent):
    """A user-assigned identity federated with the sync pods' ServiceAccount (the cluster's
    OIDC issuer vouches for its tokens), Key Vault Secrets User on the synced secrets, and the
    SecretProviderClasses and pods of `certificate_sync_objects`, rendered with its client ID."""

    def __init__(
        self,
        name: str,
        config: AksStack,
        *,
        subscription_id: str,
        tenant_id: pulumi.Input[str],
        oidc_issuer: pulumi.Input[str],
        key_vault: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ingresslib:index:CertificateSync", name, None,
                         renamed_type(opts, "ingresslib:azure:CertificateSync"))
        wl = config.workload
        assert wl is not None
        account = sync_name(config)
        child = pulumi.ResourceOptions(parent=self)
        self.identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity", **identity_args(config, account), opts=child)
        federation = managedidentity.FederatedIdentityCredential(
            f"{name}-federation",
            **federated_credential_args(config, account, wl.namespace, account, oidc_issuer),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.identity]))
        readers = key_vault_reader_roles(
            name, config, subscription_id=subscription_id,
            principal_id=self.identity.principal_id, grantee=f"identity/{account}",
            parent=self, after=key_vault, certificates=synced_certificates(config))
        self.manifests = certificate_sync_objects(
            config, client_id=self.identity.client_id, tenant_id=tenant_id)
        self.resources = self._register_manifests(name, self.manifests,
                                                  after=[federation, *readers])
        self.register_outputs({"clientId": self.identity.client_id,
                               "objects": len(self.manifests)})
