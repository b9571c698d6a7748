"""The pure Azure plan: ARM IDs, the Application Gateway's arguments and the other resources'
arguments, without Pulumi."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.azure.application_gateway.plan import (
    AGIC_MANAGED,
    POOL,
    PROBE,
    SETTINGS,
    appgw_public_ip_zones,
    application_gateway_args,
    listeners,
)
from ingresslib.azure.config import ApplicationGateway, KeyVault, PublicIp, WafPolicy
from ingresslib.azure.ids import (
    ROLES,
    AppGwIds,
    resource_group_id,
    role_assignment_name,
    role_definition_id,
    secret_uri,
    vault_secret_id,
)
from ingresslib.azure.resource_args import (
    federated_credential_args,
    imported_secret_args,
    key_vault_reader_scopes,
    public_ip_args,
    role_assignment_args,
    vault_args,
    waf_policy_args,
)
from tests.configs import APPGW_SUBNET, HOST, SUBSCRIPTION, aks_stack, azure

IDS = AppGwIds(SUBSCRIPTION, "edge", "shop-appgw")
GATEWAY_ID = (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/edge/providers/"
              "Microsoft.Network/applicationGateways/shop-appgw")
# Which argument holds the children each reference kind points at.
COLLECTIONS = {
    "gatewayIPConfigurations": "gateway_ip_configurations",
    "frontendIPConfigurations": "frontend_ip_configurations",
    "frontendPorts": "frontend_ports",
    "backendAddressPools": "backend_address_pools",
    "backendHttpSettingsCollection": "backend_http_settings_collection",
    "httpListeners": "http_listeners",
    "probes": "probes",
    "sslCertificates": "ssl_certificates",
    "requestRoutingRules": "request_routing_rules",
    "redirectConfigurations": "redirect_configurations",
    "rewriteRuleSets": "rewrite_rule_sets",
}


def _args(data: dict[str, Any]) -> dict[str, Any]:
    return application_gateway_args(parse_config(data), IDS, public_ip_id="PIP",
                                    identity_id="IDENTITY", waf_policy_id="WAF")


def _references(value: Any) -> list[str]:
    """Every `{"id": ...}` reference anywhere in the arguments."""
    if isinstance(value, dict):
        own = [value["id"]] if set(value) == {"id"} and isinstance(value["id"], str) else []
        return own + [r for v in value.values() for r in _references(v)]
    if isinstance(value, list):
        return [r for v in value for r in _references(v)]
    return []


# ------------------------------------------------------------------ IDs


def test_child_ids_hang_under_the_gateway() -> None:
    assert IDS.id == GATEWAY_ID
    for kind in COLLECTIONS:
        assert IDS.child(kind, "x") == f"{GATEWAY_ID}/{kind}/x"  # type: ignore[arg-type]
    assert IDS.ref("probes", "ready") == {"id": f"{GATEWAY_ID}/probes/ready"}


def test_role_ids_and_names() -> None:
    scope = resource_group_id(SUBSCRIPTION, "edge")
    assert scope == f"/subscriptions/{SUBSCRIPTION}/resourceGroups/edge"
    assert role_definition_id(SUBSCRIPTION, "Network Contributor") == (
        f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/"
        "4d97b98b-1d4f-4787-a291-c67834d212e7")
    assert ROLES["Key Vault Secrets User"] == "4633458b-17de-408a-b874-0445c86b69e6"
    name = role_assignment_name(scope, "Reader", "agic")
    uuid.UUID(name)  # a GUID, as ARM requires
    assert name == role_assignment_name(scope.upper(), "Reader", "agic")  # scopes ignore case
    assert name != role_assignment_name(scope, "Contributor", "agic")
    assert name != role_assignment_name(scope, "Reader", "cluster/x")


def test_versionless_secret_uri_and_scope() -> None:
    assert secret_uri("kv-edge", "shop") == "https://kv-edge.vault.azure.net/secrets/shop"
    assert vault_secret_id(SUBSCRIPTION, "edge", "kv-edge", "shop").endswith(
        "/providers/Microsoft.KeyVault/vaults/kv-edge/secrets/shop")


# ------------------------------------------------------------------ Application Gateway


def test_chained_gateway_references_only_its_own_children() -> None:
    args = _args(aks_stack("chained"))
    refs = [r for r in _references(args) if r.startswith(GATEWAY_ID)]
    assert refs, "the gateway references its children"
    for ref in refs:
        kind, name = ref[len(GATEWAY_ID) + 1:].split("/")
        names = [c["name"] for c in args[COLLECTIONS[kind]]]
        assert name in names, ref
    others = {r for r in _references(args) if not r.startswith(GATEWAY_ID)}
    assert others == {"PIP", "WAF", APPGW_SUBNET}


def test_chained_gateway_sends_to_the_internal_load_balancer() -> None:
    args = _args(aks_stack("chained"))
    assert args["application_gateway_name"] == "shop-appgw"
    assert args["sku"] == {"name": "WAF_v2", "tier": "WAF_v2"}
    assert args["autoscale_configuration"] == {"min_capacity": 2, "max_capacity": 10}
    assert args["zones"] == ["1", "2", "3"]
    assert args["identity"] == {"type": "UserAssigned", "user_assigned_identities": ["IDENTITY"]}
    assert args["firewall_policy"] == {"id": "WAF"}
    assert args["gateway_ip_configurations"][0]["subnet"] == {"id": APPGW_SUBNET}
    assert args["backend_address_pools"] == [
        {"name": POOL, "backend_addresses": [{"ip_address": "10.240.4.10"}]}]
    (probe,) = args["probes"]
    assert (probe["protocol"], probe["port"], probe["path"]) == ("Http", 15021, "/healthz/ready")
    (settings,) = args["backend_http_settings_collection"]
    assert settings["probe"] == IDS.ref("probes", PROBE)
    assert settings["pick_host_name_from_backend_address"] is False  # Host reaches Istio
    assert settings["request_timeout"] == 30
    assert settings["connection_draining"] == {"enabled": True, "drain_timeout_in_sec": 30}
    assert args["ssl_certificates"] == [
        {"name": "edge", "key_vault_secret_id": "https://kv-edge.vault.azure.net/secrets/shop"}]
    assert args["ssl_policy"] == {"policy_type": "Predefined",
                                  "policy_name": "AppGwSslPolicy20220101S"}


def test_https_listener_per_host_and_redirect_from_http() -> None:
    data = aks_stack("chained")
    data["listeners"][0]["hosts"] = [HOST, "api.example.com"]
    data["listeners"][1]["hosts"] = [HOST, "api.example.com"]
    data["certificates"]["edge"]["dnsNames"] = [HOST, "api.example.com"]
    args = _args(data)
    by_name = {x["name"]: x for x in args["http_listeners"]}
    assert set(by_name) == {"https-shop-example-com", "https-api-example-com",
                            "http-shop-example-com", "http-api-example-com"}
    https = by_name["https-api-example-com"]
    assert https["host_names"] == ["api.example.com"]
    assert https["require_server_name_indication"] is True
    assert https["ssl_certificate"] == IDS.ref("sslCertificates", "edge")
    assert https["frontend_port"] == IDS.ref("frontendPorts", "port-443")
    rules = {r["name"]: r for r in args["request_routing_rules"]}
    assert rules["http-api-example-com"]["redirect_configuration"] == IDS.ref(
        "redirectConfigurations", "redirect-api-example-com")
    assert "backend_address_pool" not in rules["http-api-example-com"]
    assert rules["https-api-example-com"]["backend_http_settings"] == IDS.ref(
        "backendHttpSettingsCollection", SETTINGS)
    redirects = {r["name"]: r for r in args["redirect_configurations"]}
    assert redirects["redirect-api-example-com"]["target_listener"] == IDS.ref(
        "httpListeners", "https-api-example-com")
    assert redirects["redirect-api-example-com"]["redirect_type"] == "Permanent"
    priorities = [r["priority"] for r in args["request_routing_rules"]]
    assert len(set(priorities)) == len(priorities)


def test_listener_priority_puts_exact_hosts_before_wildcards() -> None:
    data = aks_stack("chained")
    data["listeners"][0]["hosts"] = ["*.example.com", HOST]
    data["listeners"][1]["hosts"] = ["*.example.com", HOST]
    data["certificates"]["edge"]["dnsNames"] = ["*.example.com"]
    plan = listeners(parse_config(data))
    assert [x.name for x in plan] == ["https-shop-example-com", "http-shop-example-com",
                                      "https-wildcard-example-com", "http-wildcard-example-com"]
    assert [x.priority for x in plan] == [100, 110, 120, 130]
    assert plan[1].redirect_to == "https-shop-example-com"


def test_http_only_host_is_forwarded_not_redirected() -> None:
    data = aks_stack("chained")
    data["listeners"][0]["hosts"] = [HOST, "plain.example.com"]
    args = _args(data)
    rule = next(r for r in args["request_routing_rules"]
                if r["name"] == "http-plain-example-com")
    assert rule["backend_address_pool"] == IDS.ref("backendAddressPools", POOL)
    assert "redirect_configuration" not in rule


def test_tls13_listeners_get_a_tls13_policy() -> None:
    data = aks_stack("chained")
    data["listeners"][1]["tls"]["minProtocolVersion"] = "TLSV1_3"
    assert _args(data)["ssl_policy"] == {"policy_type": "CustomV2",
                                         "min_protocol_version": "TLSv1_3"}


def test_no_draining_without_a_deregistration_delay() -> None:
    data = aks_stack("chained", loadBalancer={"deregistrationDelaySeconds": 0},
                      gateway={"drain": {"terminationDrainSeconds": 15}})
    settings = _args(data)["backend_http_settings_collection"][0]
    assert settings["connection_draining"] == {"enabled": False, "drain_timeout_in_sec": 1}


def test_standalone_gateway_holds_placeholders_agic_replaces() -> None:
    args = _args(aks_stack("standalone"))
    assert "probes" not in args
    assert "redirect_configurations" not in args
    assert [p["name"] for p in args["backend_address_pools"]] == ["defaultaddresspool"]
    refs = [r for r in _references(args) if r.startswith(GATEWAY_ID)]
    for ref in refs:
        kind, name = ref[len(GATEWAY_ID) + 1:].split("/")
        assert name in [c["name"] for c in args[COLLECTIONS[kind]]], ref
    # Pulumi leaves what AGIC writes alone; certificates, WAF and scale stay Pulumi's.
    assert "httpListeners" in AGIC_MANAGED
    assert "sslCertificates" not in AGIC_MANAGED
    assert args["ssl_certificates"][0]["name"] == "edge"


# ------------------------------------------------------------------ other resources


def test_public_ip_is_static_standard_and_zone_redundant() -> None:
    cfg = parse_config(aks_stack())
    args = public_ip_args(cfg, "shop-gateway-ip", "edge", PublicIp(dns_label="shop-edge"))
    assert args["sku"] == {"name": "Standard", "tier": "Regional"}
    assert args["public_ip_allocation_method"] == "Static"
    assert args["zones"] == ["1", "2", "3"]
    assert args["dns_settings"] == {"domain_name_label": "shop-edge"}
    assert args["tags"] == {"managed-by": "ingresslib", "ingresslib-stack": "ingress"}


def test_waf_policy_uses_owasp_in_prevention_mode() -> None:
    cfg = parse_config(aks_stack("chained"))
    args = waf_policy_args(cfg, "shop-waf", WafPolicy())
    assert args["managed_rules"] == {"managed_rule_sets": [
        {"rule_set_type": "OWASP", "rule_set_version": "3.2"}]}
    assert args["policy_settings"]["mode"] == "Prevention"
    assert args["policy_settings"]["state"] == "Enabled"
    detect = waf_policy_args(cfg, "shop-waf", WafPolicy(mode="Detection"))
    assert detect["policy_settings"]["mode"] == "Detection"


def test_federated_credential_names_the_service_account() -> None:
    cfg = parse_config(aks_stack())
    args = federated_credential_args(cfg, "sync", "istio-ingress", "ingress-certificate-sync",
                                     "https://issuer/")
    assert args["subject"] == "system:serviceaccount:istio-ingress:ingress-certificate-sync"
    assert args["audiences"] == ["api://AzureADTokenExchange"]
    assert args["issuer"] == "https://issuer/"


def test_role_assignment_arguments() -> None:
    args = role_assignment_args(SUBSCRIPTION, "/scope", "Key Vault Secrets User", "P", "id/x")
    assert args["principal_type"] == "ServicePrincipal"
    assert args["role_definition_id"].endswith("4633458b-17de-408a-b874-0445c86b69e6")
    assert args["role_assignment_name"] == role_assignment_name("/scope",
                                                                "Key Vault Secrets User", "id/x")


@pytest.mark.parametrize(("scope", "expected"), [
    ("secret", {"edge": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/edge/providers/"
                        "Microsoft.KeyVault/vaults/kv-edge/secrets/shop"}),
    ("vault", {"kv-edge": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/edge/providers/"
                          "Microsoft.KeyVault/vaults/kv-edge"}),
])
def test_key_vault_reader_scopes(scope: str, expected: dict[str, str]) -> None:
    cfg = parse_config(aks_stack("chained", azure=azure("chained", keyVaultRoleScope=scope)))
    assert key_vault_reader_scopes(cfg, SUBSCRIPTION) == expected


def test_vault_is_rbac_mode_with_purge_protection() -> None:
    cfg = parse_config(aks_stack())
    props = vault_args(cfg, KeyVault(name="kv-edge"), "tenant")["properties"]
    assert props["enable_rbac_authorization"] is True
    assert props["enable_purge_protection"] is True
    assert props["tenant_id"] == "tenant"
    assert "network_acls" not in props
    closed = vault_args(cfg, KeyVault(name="kv-edge", allowed_ip_ranges=["203.0.113.0/24"]),
                        "tenant")["properties"]["network_acls"]
    assert closed["default_action"] == "Deny"
    assert closed["bypass"] == "AzureServices"
    assert closed["ip_rules"] == [{"value": "203.0.113.0/24"}]


def test_imported_secret_carries_the_content_type_of_its_format() -> None:
    data = aks_stack("chained")
    data["certificates"]["edge"]["importFrom"] = {"secretConfig": "edgePfx", "format": "pfx"}
    cert = parse_config(data).certificates["edge"]
    args = imported_secret_args(cert, "VALUE")  # type: ignore[arg-type]
    assert args["secret_name"] == "shop"
    assert args["properties"] == {"value": "VALUE", "content_type": "application/x-pkcs12"}


@pytest.mark.parametrize(("zones", "expected"), [
    (["1", "2"], ["1", "2", "3"]), (["2"], ["1", "2", "3"]), ([], []),
])
def test_application_gateway_public_ip_is_zone_redundant_or_unzoned(
    zones: list[str], expected: list[str]
) -> None:
    assert appgw_public_ip_zones(ApplicationGateway(subnet_id=APPGW_SUBNET, zones=zones)) == (
        expected)


def test_frontend_ports_follow_the_listeners() -> None:
    https_only = aks_stack("chained")
    https_only["listeners"] = https_only["listeners"][1:]
    assert [p["port"] for p in _args(https_only)["frontend_ports"]] == [443]
    assert [p["port"] for p in _args(aks_stack("chained"))["frontend_ports"]] == [80, 443]
    assert [p["port"] for p in _args(aks_stack("standalone"))["frontend_ports"]] == [80, 443]
