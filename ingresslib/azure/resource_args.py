"""Arguments of the stack's plain Azure resources, in pulumi-azure-native's shapes: the public
IPs, the WAF policy, user-assigned identities and their federated credentials, role
assignments, the Key Vault and imported certificates. Names derive from the stack name, so a
re-render gives the same resources."""

from __future__ import annotations

from typing import Any

from ingresslib.azure.agc.config import AgcWaf
from ingresslib.azure.config import (
    AksStack,
    KeyVault,
    KeyVaultCertificate,
    PublicIp,
    WafPolicy,
    key_vault_certificates,
)
from ingresslib.azure.ids import (
    Role,
    role_assignment_name,
    role_definition_id,
    vault_id,
    vault_secret_id,
)

# Workload identity's token audience for Microsoft Entra ID.
TOKEN_AUDIENCE = "api://AzureADTokenExchange"
CONTENT_TYPES = {"pfx": "application/x-pkcs12", "pem": "application/x-pem-file"}


def tags(cfg: AksStack) -> dict[str, str]:
    assert cfg.azure is not None
    return {"managed-by": "ingresslib", "ingresslib-stack": cfg.name, **cfg.azure.tags}


def public_ip_args(
    cfg: AksStack, name: str, resource_group: str, pip: PublicIp
) -> dict[str, Any]:
    """A static Standard IPv4 address; zone-redundant unless the zones say otherwise."""
    assert cfg.azure is not None
    args: dict[str, Any] = {
        "public_ip_address_name": name,
        "resource_group_name": resource_group,
        "location": cfg.azure.location,
        "sku": {"name": pip.sku, "tier": "Regional"},
        "public_ip_allocation_method": "Static",
        "public_ip_address_version": "IPv4",
        "zones": list(pip.zones),
        "tags": tags(cfg),
    }
    if pip.dns_label:
        args["dns_settings"] = {"domain_name_label": pip.dns_label}
    return args


def waf_policy_args(cfg: AksStack, name: str, waf: WafPolicy | AgcWaf,
                    rule_set: str = "OWASP") -> dict[str, Any]:
    """A WAF policy with the managed `rule_set` (the OWASP core rule set for Application
    Gateway; Microsoft_DefaultRuleSet for Application Gateway for Containers), in prevention
    mode unless configured to only detect."""
    assert cfg.azure is not None
    return {
        "policy_name": name,
        "resource_group_name": cfg.azure.resource_group,
        "location": cfg.azure.location,
        "managed_rules": {"managed_rule_sets": [
            {"rule_set_type": rule_set, "rule_set_version": waf.rule_set_version}]},
        "policy_settings": {
            "state": "Enabled",
            "mode": waf.mode,
            "request_body_check": waf.request_body_check,
            "max_request_body_size_in_kb": waf.max_request_body_size_kb,
            "file_upload_limit_in_mb": waf.file_upload_limit_mb,
        },
        "tags": tags(cfg),
    }


def identity_args(cfg: AksStack, name: str) -> dict[str, Any]:
    assert cfg.azure is not None
    return {"resource_name_": name, "resource_group_name": cfg.azure.resource_group,
            "location": cfg.azure.location, "tags": tags(cfg)}


def federated_credential_args(
    cfg: AksStack, identity: str, namespace: str, service_account: str, issuer: Any
) -> dict[str, Any]:
    """Lets pods running as `namespace/service_account` act as the identity `identity`."""
    assert cfg.azure is not None
    return {
        "resource_name_": identity,
        "federated_identity_credential_resource_name": f"{namespace}-{service_account}",
        "resource_group_name": cfg.azure.resource_group,
        "issuer": issuer,
        "subject": f"system:serviceaccount:{namespace}:{service_account}",
        "audiences": [TOKEN_AUDIENCE],
    }


def role_assignment_args(
    subscription: str, scope: str, role: Role, principal_id: Any, grantee: str
) -> dict[str, Any]:
    """`grantee` names the principal stably (its ID exists only once deployed)."""
    return {
        "role_assignment_name": role_assignment_name(scope, role, grantee),
        "scope": scope,
        "role_definition_id": role_definition_id(subscription, role),
        "principal_id": principal_id,
        "principal_type": "ServicePrincipal",
    }


def vault_args(cfg: AksStack, vault: KeyVault, tenant_id: str) -> dict[str, Any]:
    """RBAC mode (no access policies), soft delete and purge protection on."""
    assert cfg.azure is not None
    properties: dict[str, Any] = {
        "tenant_id": tenant_id,
        "sku": {"family": "A", "name": vault.sku},
        "enable_rbac_authorization": True,
        "enable_soft_delete": True,
        "soft_delete_retention_in_days": vault.soft_delete_retention_days,
        "enabled_for_deployment": False,
        "enabled_for_disk_encryption": False,
        "enabled_for_template_deployment": False,
        "public_network_access": "Enabled",
    }
    if vault.purge_protection:
        properties["enable_purge_protection"] = True
    if vault.allowed_subnet_ids or vault.allowed_ip_ranges:
        properties["network_acls"] = {
            "default_action": "Deny",
            # Application Gateway reads certificates as a trusted Azure service.
            "bypass": "AzureServices",
            "virtual_network_rules": [{"id": s} for s in vault.allowed_subnet_ids],
            "ip_rules": [{"value": r} for r in vault.allowed_ip_ranges],
        }
    return {
        "vault_name": vault.name,
        "resource_group_name": cfg.azure.resource_group,
        "location": cfg.azure.location,
        "properties": properties,
        "tags": tags(cfg),
    }


def imported_secret_args(cert: KeyVaultCertificate, value: Any) -> dict[str, Any]:
    """The certificate as a secret named like it, so its versionless URI is the one a Key
    Vault certificate object would have."""
    assert cert.import_from is not None
    return {
        "vault_name": cert.vault,
        "resource_group_name": cert.resource_group,
        "secret_name": cert.certificate,
        "properties": {"value": value,
                       "content_type": CONTENT_TYPES[cert.import_from.format]},
    }


def key_vault_reader_scopes(
    cfg: AksStack, subscription: str,
    certificates: dict[str, KeyVaultCertificate] | None = None,
) -> dict[str, str]:
    """Where an identity reading the certificates gets Key Vault Secrets User, by a name for
    each: every certificate's secret (a role there reaches no other secret), or every vault, as
    azure.keyVaultRoleScope says."""
    assert cfg.azure is not None
    certs = key_vault_certificates(cfg) if certificates is None else certificates
    if cfg.azure.key_vault_role_scope == "vault":
        return {c.vault.lower(): vault_id(subscription, c.resource_group, c.vault)
                for c in certs.values()}
    return {key: vault_secret_id(subscription, c.resource_group, c.vault, c.certificate)
            for key, c in certs.items()}
