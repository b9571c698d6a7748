"""Deterministic stand-ins for what Azure computes, for offline renders: full ARM IDs built
from each resource's inputs, identities' client and principal IDs, public IP addresses, and
the answers of the provider functions the AKS stack calls. Pure: no pulumi_azure_native."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from ingresslib.azure.ids import resource_id

SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000001"
TENANT_ID = "00000000-0000-4000-8000-0000000000aa"
_FAKES = uuid.UUID("0e4f3c2b-6a1d-4f8e-9b7c-5d3e2a1f0c9b")

# type token -> (ARM provider/type, the input holding the resource's name)
_ARM: dict[str, tuple[str, str]] = {
    "azure-native:network:PublicIPAddress": (
        "Microsoft.Network/publicIPAddresses", "publicIpAddressName"),
    "azure-native:network:ApplicationGateway": (
        "Microsoft.Network/applicationGateways", "applicationGatewayName"),
    "azure-native:network:WebApplicationFirewallPolicy": (
        "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies", "policyName"),
    "azure-native:managedidentity:UserAssignedIdentity": (
        "Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName"),
    "azure-native:keyvault:Vault": ("Microsoft.KeyVault/vaults", "vaultName"),
    "azure-native:servicenetworking:TrafficControllerInterface": (
        "Microsoft.ServiceNetworking/trafficControllers", "trafficControllerName"),
}
# Children of another resource: type token -> (parent's ARM type, the input naming the parent,
# the child collection, the input naming the child).
_CHILDREN: dict[str, tuple[str, str, str, str]] = {
    "azure-native:servicenetworking:FrontendsInterface": (
        "Microsoft.ServiceNetworking/trafficControllers", "trafficControllerName", "frontends",
        "frontendName"),
    "azure-native:servicenetworking:AssociationsInterface": (
        "Microsoft.ServiceNetworking/trafficControllers", "trafficControllerName",
        "associations", "associationName"),
    "azure-native:network:Subnet": (
        "Microsoft.Network/virtualNetworks", "virtualNetworkName", "subnets", "subnetName"),
}


def fake_uuid(*parts: str) -> str:
    return str(uuid.uuid5(_FAKES, "/".join(parts)))


def _address(key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()
    return f"20.{digest[0]}.{digest[1]}.{max(digest[2], 1)}"


def _arm_id(typ: str, inputs: dict[str, Any]) -> str | None:
    group = inputs.get("resourceGroupName", "")
    if typ in _ARM:
        kind, key = _ARM[typ]
        return resource_id(SUBSCRIPTION_ID, group, kind, inputs.get(key, ""))
    if typ in _CHILDREN:
        kind, parent, children, key = _CHILDREN[typ]
        return (f"{resource_id(SUBSCRIPTION_ID, group, kind, inputs.get(parent, ''))}/"
                f"{children}/{inputs.get(key, '')}")
    if typ == "azure-native:managedidentity:FederatedIdentityCredential":
        identity = resource_id(SUBSCRIPTION_ID, group,
                               "Microsoft.ManagedIdentity/userAssignedIdentities",
                               inputs.get("resourceName", ""))
        return (f"{identity}/federatedIdentityCredentials/"
                f"{inputs.get('federatedIdentityCredentialResourceName', '')}")
    if typ == "azure-native:keyvault:Secret":
        vault = resource_id(SUBSCRIPTION_ID, group, "Microsoft.KeyVault/vaults",
                            inputs.get("vaultName", ""))
        return f"{vault}/secrets/{inputs.get('secretName', '')}"
    if typ == "azure-native:authorization:RoleAssignment":
        return (f"{inputs.get('scope', '')}/providers/Microsoft.Authorization/roleAssignments/"
                f"{inputs.get('roleAssignmentName', '')}")
    return None


def computed(typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Outputs Azure computes for a resource of type `typ` (nothing for other providers)."""
    if not typ.startswith("azure-native:"):
        return {}
    arm_id = _arm_id(typ, inputs)
    out: dict[str, Any] = {"id": arm_id} if arm_id else {}
    if typ == "azure-native:network:PublicIPAddress":
        out["ipAddress"] = _address(arm_id or name)
    elif typ == "azure-native:managedidentity:UserAssignedIdentity":
        out |= {"clientId": fake_uuid("client", arm_id or name),
                "principalId": fake_uuid("principal", arm_id or name),
                "tenantId": TENANT_ID}
    elif typ == "azure-native:network:ApplicationGateway":
        # The input lists identity IDs; the output maps each to its details.
        identity = inputs.get("identity") or {}
        ids = identity.get("userAssignedIdentities") or []
        out["identity"] = {**identity, "userAssignedIdentities": {i: {} for i in ids}}
    elif typ == "azure-native:servicenetworking:FrontendsInterface":
        # AGC gives each frontend a generated name under alb.azure.com.
        digest = hashlib.sha256((arm_id or name).encode()).hexdigest()
        out["fqdn"] = f"{digest[:16]}.{digest[16:20]}.alb.azure.com"
    elif typ == "azure-native:keyvault:Vault":
        out["properties"] = {**(inputs.get("properties") or {}),
                             "vaultUri": f"https://{inputs.get('vaultName', '')}.vault.azure.net/"}
    return out


def _client_config(_args: dict[str, Any]) -> dict[str, Any]:
    return {"subscriptionId": SUBSCRIPTION_ID, "tenantId": TENANT_ID,
            "clientId": fake_uuid("deployer", "client"),
            "objectId": fake_uuid("deployer", "object")}


def _managed_cluster(args: dict[str, Any]) -> dict[str, Any]:
    group, name = args["resourceGroupName"], args["resourceName"]
    cluster_id = resource_id(SUBSCRIPTION_ID, group, "Microsoft.ContainerService/managedClusters",
                             name)
    return {
        "id": cluster_id,
        "name": name,
        "identity": {"type": "SystemAssigned", "tenantId": TENANT_ID,
                     "principalId": fake_uuid("principal", cluster_id)},
        "oidcIssuerProfile": {
            "enabled": True,
            "issuerURL": f"https://offline.oic.prod-aks.azure.com/{TENANT_ID}/"
                         f"{fake_uuid('issuer', cluster_id)}/",
        },
    }


CALLS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "azure-native:authorization:getClientConfig": _client_config,
    "azure-native:containerservice:getManagedCluster": _managed_cluster,
}
