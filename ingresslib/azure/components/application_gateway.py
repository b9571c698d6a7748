"""ApplicationGatewayEdge: the WAF_v2 Application Gateway of topologies chained and standalone,
with its public IP, WAF policy, identity and role assignments."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization, managedidentity, network

from ingresslib.azure.application_gateway.edge_contract import application_gateway_problems
from ingresslib.azure.application_gateway.plan import (
    AGIC_MANAGED,
    appgw_public_ip_zones,
    application_gateway_args,
)
from ingresslib.azure.components.roles import key_vault_reader_roles
from ingresslib.azure.config import AksStack, PublicIp
from ingresslib.azure.ids import AppGwIds, Role, resource_group_id, resource_id
from ingresslib.azure.resource_args import (
    identity_args,
    public_ip_args,
    role_assignment_args,
    waf_policy_args,
)
from ingresslib.components.base import renamed_type
from ingresslib.errors import RENDERED, ConfigError


class ApplicationGatewayEdge(pulumi.ComponentResource):
    """The gateway reads its certificates from Key Vault as a user-assigned identity holding
    Key Vault Secrets User (created before the gateway, which fails to provision without it).

    In standalone AGIC rewrites listeners, pools, settings, probes and rules: Pulumi ignores
    changes to those, and with `controllerPrincipalId` grants AGIC's identity what it needs to
    write the gateway (Contributor on it, Reader on its group, Managed Identity Operator on its
    identity, Network Contributor on its subnet).
    """

    def __init__(
        self,
        name: str,
        config: AksStack,
        *,
        subscription_id: str,
        key_vault: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ingresslib:index:ApplicationGatewayEdge", name, None,
                         renamed_type(opts, "ingresslib:azure:ApplicationGateway"))
        az = config.azure
        assert az is not None
        agw = az.application_gateway
        assert agw is not None
        child = pulumi.ResourceOptions(parent=self)
        group = az.resource_group
        ids = AppGwIds(subscription_id, group, f"{config.name}-appgw")
        self.public_ip = network.PublicIPAddress(
            f"{name}-ip",
            **public_ip_args(config, f"{config.name}-appgw-ip", group,
                             PublicIp(zones=appgw_public_ip_zones(agw))),
            opts=child)
        self.waf_policy = network.WebApplicationFirewallPolicy(
            f"{name}-waf", **waf_policy_args(config, f"{config.name}-waf", agw.waf), opts=child)
        identity_name = f"{config.name}-appgw"
        self.identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity", **identity_args(config, identity_name), opts=child)
        readers = key_vault_reader_roles(
            name, config, subscription_id=subscription_id,
            principal_id=self.identity.principal_id, grantee=f"identity/{identity_name}",
            parent=self, after=key_vault)
        standalone = config.topology == "standalone"
        args = application_gateway_args(config, ids, public_ip_id=self.public_ip.id,
                                        identity_id=self.identity.id,
                                        waf_policy_id=self.waf_policy.id)
        broken = list(application_gateway_problems(config, args))
        if broken:
            raise ConfigError(broken, RENDERED)
        self.gateway = network.ApplicationGateway(
            f"{name}-gateway",
            **args,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=readers,
                ignore_changes=list(AGIC_MANAGED) if standalone else None))
        self.controller_roles: list[authorization.RoleAssignment] = []
        if standalone and agw.controller_principal_id:
            identity_id = resource_id(subscription_id, group,
                                      "Microsoft.ManagedIdentity/userAssignedIdentities",
                                      identity_name)
            grants: list[tuple[str, str, Role]] = [
                ("contributor", ids.id, "Contributor"),
                ("reader", resource_group_id(subscription_id, group), "Reader"),
                ("identity-operator", identity_id, "Managed Identity Operator"),
                ("subnet", agw.subnet_id, "Network Contributor"),
            ]
            for suffix, scope, role in grants:
                self.controller_roles.append(authorization.RoleAssignment(
                    f"{name}-agic-{suffix}",
                    **role_assignment_args(subscription_id, scope, role,
                                           agw.controller_principal_id, "agic"),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[self.gateway])))
        self.id = self.gateway.id
        self.ip_address = self.public_ip.ip_address
        self.register_outputs({"id": self.id, "ipAddress": self.ip_address})
