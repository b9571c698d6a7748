"""Application Gateway for Containers: its Azure resources (ApplicationGatewayForContainers)
and the Kubernetes objects that program it (AgcGateway)."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization, network, servicenetworking

from ingresslib.azure.agc.manifests import agc_objects
from ingresslib.azure.agc.names import agc
from ingresslib.azure.agc.resource_args import (
    agc_role_assignment_args,
    agc_waf_policy_args,
    association_args,
    controller_scopes,
    frontend_args,
    subnet_args,
    traffic_controller_args,
)
from ingresslib.azure.config import AksStack
from ingresslib.components.base import ManifestComponent


class ApplicationGatewayForContainers(pulumi.ComponentResource):
    """The bring-your-own deployment: the traffic controller, the frontend the Gateway names,
    the association with the delegated subnet (created first with `subnet.create`), the WAF
    policy (unless one is given) and, with `controllerPrincipalId`, the ALB Controller's roles:
    AppGw for Containers Configuration Manager on the traffic controller, Network Contributor
    (join) on the subnet and on the WAF policy."""

    def __init__(
        self,
        name: str,
        config: AksStack,
        *,
        subscription_id: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ingresslib:index:ApplicationGatewayForContainers", name, None, opts)
        section = agc(config)
        assert section is not None
        child = pulumi.ResourceOptions(parent=self)
        subnet_id: pulumi.Input[str] = section.subnet.id
        joined: list[pulumi.Resource] = []
        if section.subnet.create:
            subnet = network.Subnet(f"{name}-subnet", **subnet_args(section.subnet), opts=child)
            subnet_id = subnet.id
            joined = [subnet]
        self.traffic_controller = servicenetworking.TrafficControllerInterface(
            f"{name}-traffic-controller", **traffic_controller_args(config), opts=child)
        after_controller = pulumi.ResourceOptions(parent=self,
                                                  depends_on=[self.traffic_controller])
        self.frontend = servicenetworking.FrontendsInterface(
            f"{name}-frontend", **frontend_args(config), opts=after_controller)
        self.association = servicenetworking.AssociationsInterface(
            f"{name}-association", **association_args(config, subnet_id),
            opts=pulumi.ResourceOptions(parent=self,
                                        depends_on=[self.traffic_controller, *joined]))
        self.waf_policy: network.WebApplicationFirewallPolicy | None = None
        if section.waf.enabled and section.waf.policy_id is None:
            self.waf_policy = network.WebApplicationFirewallPolicy(
                f"{name}-waf", **agc_waf_policy_args(config), opts=child)
        self.controller_roles: list[authorization.RoleAssignment] = []
        if section.controller_principal_id:
            scoped = [self.traffic_controller, *joined,
                      *([self.waf_policy] if self.waf_policy else [])]
            for suffix, (role, scope) in sorted(controller_scopes(config,
                                                                  subscription_id).items()):
                self.controller_roles.append(authorization.RoleAssignment(
                    f"{name}-alb-controller-{suffix}",
                    **agc_role_assignment_args(subscription_id, scope, role,
                                               section.controller_principal_id,
                                               "alb-controller"),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=scoped)))
        self.id = self.traffic_controller.id
        self.frontend_fqdn = self.frontend.fqdn
        self.register_outputs({"id": self.id, "frontendFqdn": self.frontend_fqdn})


class AgcGateway(ManifestComponent):
    """The Gateway (class azure-alb-external), routes and AGC policies of
    `agc_objects`, rendered with the deploying subscription's ID (the Gateway names the
    traffic controller by ARM ID), after the Azure resources they name."""

    def __init__(
        self,
        name: str,
        config: AksStack,
        *,
        subscription_id: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ingresslib:index:AgcGateway", name, None, opts)
        self.manifests = agc_objects(config, subscription_id=subscription_id)
        self.resources = self._register_manifests(name, self.manifests)
        self.register_outputs({"objects": len(self.manifests)})
