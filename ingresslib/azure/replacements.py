"""Which input changes make Pulumi replace the Azure resources ingresslib creates (read by
`ingresslib diff`, which flags replacements first), and which of them move traffic."""

from __future__ import annotations

# Inputs, by their wire (camelCase) names, whose change replaces the resource.
REPLACE_ON: dict[str, tuple[str, ...]] = {
    # pulumi-azure-native replaces on the request path (resource name, resource group, parent
    # names) and on create-only properties (x-ms-mutability without update): location,
    # and a public IP's or gateway's zones and SKU.
    "azure-native:network:PublicIPAddress": (
        "publicIpAddressName", "resourceGroupName", "location", "sku", "zones",
        "publicIPAddressVersion"),
    "azure-native:network:ApplicationGateway": (
        "applicationGatewayName", "resourceGroupName", "location", "zones"),
    "azure-native:network:WebApplicationFirewallPolicy": (
        "policyName", "resourceGroupName", "location"),
    "azure-native:managedidentity:UserAssignedIdentity": (
        "resourceName", "resourceGroupName", "location"),
    "azure-native:managedidentity:FederatedIdentityCredential": (
        "federatedIdentityCredentialResourceName", "resourceName", "resourceGroupName"),
    "azure-native:authorization:RoleAssignment": (
        "roleAssignmentName", "scope", "principalId", "roleDefinitionId"),
    "azure-native:keyvault:Vault": ("vaultName", "resourceGroupName", "location"),
    "azure-native:keyvault:Secret": ("secretName", "vaultName", "resourceGroupName"),
    # Application Gateway for Containers: the traffic controller and its children (a new
    # frontend is a new generated FQDN, which clients' DNS names point at).
    "azure-native:servicenetworking:TrafficControllerInterface": (
        "trafficControllerName", "resourceGroupName", "location"),
    "azure-native:servicenetworking:FrontendsInterface": (
        "frontendName", "trafficControllerName", "resourceGroupName", "location"),
    "azure-native:servicenetworking:AssociationsInterface": (
        "associationName", "trafficControllerName", "resourceGroupName", "location"),
    "azure-native:network:Subnet": ("subnetName", "virtualNetworkName", "resourceGroupName"),
}
# A replacement of these moves traffic or addresses.
EDGE_TYPES = frozenset({
    "azure-native:network:PublicIPAddress", "azure-native:network:ApplicationGateway",
    "azure-native:servicenetworking:TrafficControllerInterface",
    "azure-native:servicenetworking:FrontendsInterface",
})
