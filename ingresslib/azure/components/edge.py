"""AzureEdge: every Azure resource of an AKS stack, in the order they need each other."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization, containerservice

from ingresslib.azure.components.agc import ApplicationGatewayForContainers
from ingresslib.azure.components.application_gateway import ApplicationGatewayEdge
from ingresslib.azure.components.certificate_sync import CertificateSync
from ingresslib.azure.components.key_vault import KeyVaultCertificates
from ingresslib.azure.components.public_ip import GatewayPublicIp
from ingresslib.azure.config import (
    AksStack,
    key_vault_certificates,
    synced_certificates,
    uses_agc,
    uses_application_gateway,
    uses_public_ip,
)
from ingresslib.components.base import renamed_type


def _principal(identity: containerservice.outputs.ManagedClusterIdentityResponse | None) -> str:
    """The identity AKS's cloud provider acts as: system-assigned, or the user-assigned one."""
    if identity is not None and identity.principal_id:
        return identity.principal_id
    assigned = (identity.user_assigned_identities or {}) if identity is not None else {}
    for details in assigned.values():
        if details.principal_id:
            return details.principal_id
    raise ValueError("the AKS cluster has no managed identity (a service principal cluster): "
                     "grant its principal Network Contributor on azure.publicIp's resource "
                     "group yourself, or move the cluster to a managed identity")


class AzureEdge(pulumi.ComponentResource):
    """Key Vault (when created or imported into), the gateway's public IP (topology gateway) and
    the Application Gateway (chained, standalone). The cluster is looked up for its identity
    and OIDC issuer; the subscription and tenant come from the provider's credentials."""

    def __init__(
        self, name: str, config: AksStack, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ingresslib:index:AzureEdge", name, None,
                         renamed_type(opts, "ingresslib:azure:AzureEdge"))
        az = config.azure
        assert az is not None
        client = authorization.get_client_config(opts=pulumi.InvokeOptions(parent=self))
        self.subscription_id: str = client.subscription_id
        self.tenant_id: str = client.tenant_id
        self._cluster: pulumi.Output[containerservice.GetManagedClusterResult] | None = None
        self.config = config
        self.key_vault: list[pulumi.Resource] = []
        if az.key_vault is not None or any(
                c.import_from for c in key_vault_certificates(config).values()):
            self.key_vault = KeyVaultCertificates(
                f"{name}-keyvault", config, tenant_id=self.tenant_id,
                opts=pulumi.ResourceOptions(parent=self)).resources
        # What the gateway Service must wait for: its public IP, and the right to attach it.
        self.service_dependencies: list[pulumi.Resource] = []
        self.public_ip: GatewayPublicIp | None = None
        if uses_public_ip(config):
            cluster = self._cluster_output()
            self.public_ip = GatewayPublicIp(
                f"{name}-ip", config, subscription_id=self.subscription_id,
                cluster_principal_id=cluster.identity.apply(_principal),
                opts=pulumi.ResourceOptions(parent=self))
            self.service_dependencies = [self.public_ip.address,
                                         *self.public_ip.role_assignments]
        self.application_gateway: ApplicationGatewayEdge | None = None
        if uses_application_gateway(config):
            self.application_gateway = ApplicationGatewayEdge(
                f"{name}-appgw", config, subscription_id=self.subscription_id,
                key_vault=self.key_vault, opts=pulumi.ResourceOptions(parent=self))
        self.agc: ApplicationGatewayForContainers | None = None
        if uses_agc(config):
            self.agc = ApplicationGatewayForContainers(
                f"{name}-agc", config, subscription_id=self.subscription_id,
                opts=pulumi.ResourceOptions(parent=self))
        outputs: dict[str, object] = {"subscriptionId": self.subscription_id}
        if self.public_ip is not None:
            outputs["publicIpAddress"] = self.public_ip.ip_address
        if self.application_gateway is not None:
            outputs |= {"applicationGatewayId": self.application_gateway.id,
                        "applicationGatewayIpAddress": self.application_gateway.ip_address}
        if self.agc is not None:
            outputs |= {"agcId": self.agc.id, "agcFrontendFqdn": self.agc.frontend_fqdn}
        self.register_outputs(outputs)

    def _cluster_output(self) -> pulumi.Output[containerservice.GetManagedClusterResult]:
        """The cluster, looked up once: its identity and OIDC issuer are read at deploy."""
        assert self.config.azure is not None
        if self._cluster is None:
            cluster = self.config.azure.cluster
            self._cluster = containerservice.get_managed_cluster_output(
                resource_group_name=cluster.resource_group, resource_name=cluster.name,
                opts=pulumi.InvokeOutputOptions(parent=self))
        return self._cluster

    def certificate_sync(
        self, name: str, opts: pulumi.ResourceOptions
    ) -> CertificateSync | None:
        """The Key Vault certificate sync into the gateway namespace, when the gateway
        terminates TLS with Key Vault certificates."""
        if not synced_certificates(self.config):
            return None
        issuer = self._cluster_output().oidc_issuer_profile.apply(
            lambda p: p.issuer_url if p is not None and p.issuer_url else _no_issuer())
        return CertificateSync(
            name, self.config, subscription_id=self.subscription_id, tenant_id=self.tenant_id,
            oidc_issuer=issuer, key_vault=self.key_vault, opts=opts)


def _no_issuer() -> str:
    raise ValueError("the AKS cluster has no OIDC issuer, which workload identity needs: enable "
                     "it (az aks update --enable-oidc-issuer --enable-workload-identity)")
