"""ARM resource IDs, built from names: what Azure resources use to reference each other, and
what an Application Gateway uses to reference its own children (it cannot read its own ID
before it exists, so the IDs are spelled out from the subscription, group and name)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

# Built-in role definitions (their IDs are the same in every tenant).
ROLES = {
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
}
Role = Literal[
    "Network Contributor", "Key Vault Secrets User", "Contributor", "Reader",
    "Managed Identity Operator",
]
# Role assignment names are GUIDs; deriving them from what they grant keeps them stable.
_ASSIGNMENTS = uuid.UUID("6f1c3a52-8d0e-4b7a-9c61-2f4e5d8b7a10")

AppGwChild = Literal[
    "gatewayIPConfigurations",
    "frontendIPConfigurations",
    "frontendPorts",
    "backendAddressPools",
    "backendHttpSettingsCollection",
    "httpListeners",
    "probes",
    "sslCertificates",
    "requestRoutingRules",
    "redirectConfigurations",
    "rewriteRuleSets",
]


def resource_group_id(subscription: str, group: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}"


def resource_id(subscription: str, group: str, kind: str, name: str) -> str:
    """`kind` is the provider and type, e.g. Microsoft.Network/publicIPAddresses."""
    return f"{resource_group_id(subscription, group)}/providers/{kind}/{name}"


def vault_id(subscription: str, group: str, vault: str) -> str:
    return resource_id(subscription, group, "Microsoft.KeyVault/vaults", vault)


def vault_secret_id(subscription: str, group: str, vault: str, secret: str) -> str:
    """The secret as an RBAC scope (a role on it reaches no other secret of the vault)."""
    return f"{vault_id(subscription, group, vault)}/secrets/{secret}"


def secret_uri(vault: str, secret: str) -> str:
    """The versionless secret URI: readers always get the current version, so renewals and
    re-imports reach Application Gateway and the CSI driver without a config change."""
    return f"https://{vault}.vault.azure.net/secrets/{secret}"


def role_definition_id(subscription: str, role: Role) -> str:
    return (f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/"
            f"{ROLES[role]}")


def role_assignment_name(scope: str, role: Role, grantee: str) -> str:
    """A GUID fixed by scope, role and grantee (a stable name for the identity, not its
    principal ID, which exists only after deploy)."""
    return str(uuid.uuid5(_ASSIGNMENTS, f"{scope.lower()}|{ROLES[role]}|{grantee}"))


@dataclass(frozen=True)
class AppGwIds:
    """IDs of one Application Gateway and of its children."""

    subscription: str
    resource_group: str
    name: str

    @property
    def id(self) -> str:
        return resource_id(self.subscription, self.resource_group,
                           "Microsoft.Network/applicationGateways", self.name)

    def child(self, kind: AppGwChild, name: str) -> str:
        return f"{self.id}/{kind}/{name}"

    def ref(self, kind: AppGwChild, name: str) -> dict[str, str]:
        """A sub-resource reference, as the gateway's properties take it."""
        return {"id": self.child(kind, name)}
