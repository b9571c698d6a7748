"""Role assignments that let an identity read the stack's Key Vault certificates."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization

from ingresslib.azure.config import AksStack, KeyVaultCertificate
from ingresslib.azure.resource_args import key_vault_reader_scopes, role_assignment_args


def key_vault_reader_roles(
    name: str,
    config: AksStack,
    *,
    subscription_id: str,
    principal_id: pulumi.Input[str],
    grantee: str,
    parent: pulumi.Resource,
    after: list[pulumi.Resource],
    certificates: dict[str, KeyVaultCertificate] | None = None,
) -> list[pulumi.Resource]:
    """Key Vault Secrets User for `principal_id` (named `grantee`) on every scope of
    `key_vault_reader_scopes`, once the vault and imported secrets (`after`) exist."""
    scopes = key_vault_reader_scopes(config, subscription_id, certificates)
    return [
        authorization.RoleAssignment(
            f"{name}-secrets-user-{suffix}",
            **role_assignment_args(subscription_id, scope, "Key Vault Secrets User",
                                   principal_id, grantee),
            opts=pulumi.ResourceOptions(parent=parent, depends_on=after))
        for suffix, scope in sorted(scopes.items())
    ]
