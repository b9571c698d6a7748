"""Arguments of Application Gateway for Containers' Azure resources, in pulumi-azure-native's
shapes (`servicenetworking` and `network`), pure: the traffic controller, its frontend and its
association with the delegated subnet (created when asked), the WAF policy (Microsoft's Default
Rule Set, the only managed rule set AGC takes) and the ALB Controller's role assignments.

Names derive from the stack name, so a re-render gives the same resources.
"""

from __future__ import annotations

import uuid
from typing import Any

from ingresslib.azure.agc.config import DELEGATION, AgcSubnet
from ingresslib.azure.agc.names import (
    agc,
    association_name,
    frontend_name,
    traffic_controller_name,
    waf_policy_name,
)
from ingresslib.azure.config import AksStack
from ingresslib.azure.ids import ROLES, resource_id
from ingresslib.azure.resource_args import tags, waf_policy_args

TRAFFIC_CONTROLLERS = "Microsoft.ServiceNetworking/trafficControllers"
# Built-in roles the ALB Controller needs (their IDs are the same in every tenant): the
# configuration data actions on AGC, and joining the association's subnet (and the WAF policy).
AGC_ROLES = {
    "AppGw for Containers Configuration Manager": "fbc52c3f-28ad-4303-a892-8a056630b8f1",
    "Network Contributor": ROLES["Network Contributor"],
}
_ASSIGNMENTS = uuid.UUID("3c8f0f5e-5a43-4b8e-9d0a-6c1f2e7b9d24")


def traffic_controller_args(cfg: AksStack) -> dict[str, Any]:
    assert cfg.azure is not None
    return {
        "traffic_controller_name": traffic_controller_name(cfg),
        "resource_group_name": cfg.azure.resource_group,
        "location": cfg.azure.location,
        "tags": tags(cfg),
    }


def frontend_args(cfg: AksStack) -> dict[str, Any]:
    """The frontend the AGC Gateway names as its address (one per Gateway)."""
    assert cfg.azure is not None
    return {
        "frontend_name": frontend_name(cfg),
        "traffic_controller_name": traffic_controller_name(cfg),
        "resource_group_name": cfg.azure.resource_group,
        "location": cfg.azure.location,
        "tags": tags(cfg),
    }


def association_args(cfg: AksStack, subnet_id: Any) -> dict[str, Any]:
    """AGC's data plane joins `subnet_id` (delegated to trafficControllers)."""
    assert cfg.azure is not None
    return {
        "association_name": association_name(cfg),
        "traffic_controller_name": traffic_controller_name(cfg),
        "resource_group_name": cfg.azure.resource_group,
        "location": cfg.azure.location,
        "association_type": "subnets",
        "subnet": {"id": subnet_id},
        "tags": tags(cfg),
    }


def subnet_parts(subnet: AgcSubnet) -> tuple[str, str, str]:
    """(resource group, virtual network, subnet name) of the subnet's ID."""
    parts = subnet.id.split("/")
    lower = [p.lower() for p in parts]
    group = parts[lower.index("resourcegroups") + 1]
    vnet = parts[lower.index("virtualnetworks") + 1]
    return group, vnet, parts[-1]


def subnet_args(subnet: AgcSubnet) -> dict[str, Any]:
    """A subnet of its own, delegated to AGC (created with `subnet.create`)."""
    group, vnet, name = subnet_parts(subnet)
    return {
        "subnet_name": name,
        "virtual_network_name": vnet,
        "resource_group_name": group,
        "address_prefix": subnet.address_prefix,
        "delegations": [{"name": "application-gateway-for-containers",
                         "service_name": DELEGATION}],
    }


def agc_waf_policy_args(cfg: AksStack) -> dict[str, Any]:
    """A WAF policy AGC accepts: Microsoft_DefaultRuleSet (AGC takes no OWASP CRS and no DRS
    2.2), in the AGC's region and subscription."""
    section = agc(cfg)
    assert section is not None
    assert cfg.azure is not None
    return waf_policy_args(cfg, waf_policy_name(cfg), section.waf, "Microsoft_DefaultRuleSet")


def agc_role_assignment_args(subscription: str, scope: str, role: str, principal_id: Any,
                             grantee: str) -> dict[str, Any]:
    """A role of AGC_ROLES on `scope`; its name a GUID fixed by scope, role and grantee."""
    definition = AGC_ROLES[role]
    return {
        "role_assignment_name": str(uuid.uuid5(
            _ASSIGNMENTS, f"{scope.lower()}|{definition}|{grantee}")),
        "scope": scope,
        "role_definition_id": (f"/subscriptions/{subscription}/providers/"
                               f"Microsoft.Authorization/roleDefinitions/{definition}"),
        "principal_id": principal_id,
        "principal_type": "ServicePrincipal",
    }


def controller_scopes(cfg: AksStack, subscription: str) -> dict[str, tuple[str, str]]:
    """What the ALB Controller's identity needs, by a name for each: (role, scope). The
    configuration manager role on the traffic controller only (not its resource group: the
    controller creates nothing there in the bring-your-own deployment), join on the subnet, and
    join on the WAF policy when one is attached."""
    section = agc(cfg)
    assert section is not None
    assert cfg.azure is not None
    out = {
        "configuration-manager": (
            "AppGw for Containers Configuration Manager",
            resource_id(subscription, cfg.azure.resource_group, TRAFFIC_CONTROLLERS,
                        traffic_controller_name(cfg))),
        "subnet-join": ("Network Contributor", section.subnet.id),
    }
    if section.waf.enabled:
        out["waf-join"] = ("Network Contributor", section.waf.policy_id or resource_id(
            subscription, cfg.azure.resource_group,
            "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
            waf_policy_name(cfg)))
    return out
