"""GatewayPublicIp: the static public IP of the gateway's Standard load balancer."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization, network

from ingresslib.azure.config import AksStack, public_ip_group, public_ip_name
from ingresslib.azure.ids import resource_group_id
from ingresslib.azure.resource_args import public_ip_args, role_assignment_args
from ingresslib.components.base import renamed_type


class GatewayPublicIp(pulumi.ComponentResource):
    """The address AKS's cloud provider puts on the load balancer (the gateway Service names it
    with `azure-pip-name`). Outside the node resource group, the cluster identity needs Network
    Contributor on its resource group to attach it: granted here."""

    def __init__(
        self,
        name: str,
        config: AksStack,
        *,
        subscription_id: str,
        cluster_principal_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ingresslib:index:GatewayPublicIp", name, None,
                         renamed_type(opts, "ingresslib:azure:GatewayPublicIp"))
        assert config.azure is not None
        pip = config.azure.public_ip
        group = public_ip_group(config)
        self.address = network.PublicIPAddress(
            f"{name}-address",
            **public_ip_args(config, public_ip_name(config), group, pip),
            opts=pulumi.ResourceOptions(parent=self, protect=pip.protect),
        )
        self.role_assignments: list[authorization.RoleAssignment] = []
        if group.lower() != config.azure.node_resource_group().lower():
            self.role_assignments.append(authorization.RoleAssignment(
                f"{name}-network-contributor",
                **role_assignment_args(subscription_id, resource_group_id(subscription_id, group),
                                       "Network Contributor", cluster_principal_id,
                                       f"cluster/{config.azure.cluster.name}"),
                opts=pulumi.ResourceOptions(parent=self),
            ))
        self.ip_address = self.address.ip_address
        self.register_outputs({"id": self.address.id, "ipAddress": self.ip_address})
