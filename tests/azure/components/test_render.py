"""AKS stacks rendered offline: the Azure resources' inputs (names, SKUs, zones, role scopes),
how identities, roles, the gateway Service and the cluster objects refer to each other, the
add-on and Key Vault variants, and that no other cloud's stack loads the Azure SDK."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ingresslib import IngressStack, parse_config
from ingresslib.analysis import analyze
from ingresslib.azure.addon_gateway_plan import addon_service
from ingresslib.azure.application_gateway.plan import AGIC_MANAGED
from ingresslib.azure.fakes import SUBSCRIPTION_ID, TENANT_ID, fake_uuid
from ingresslib.azure.ids import ROLES, resource_group_id, resource_id
from ingresslib.errors import ConfigError
from ingresslib.offline.mocks import RecordingMocks, Registered
from ingresslib.offline.output import REDACTED, manifests, plan, write
from ingresslib.offline.runner import run_program
from tests.configs import HOST, aks_stack
from tests.conftest import ROOT

PIP = "azure-native:network:PublicIPAddress"
ROLE = "azure-native:authorization:RoleAssignment"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
FEDERATION = "azure-native:managedidentity:FederatedIdentityCredential"
APPGW = "azure-native:network:ApplicationGateway"
WAF = "azure-native:network:WebApplicationFirewallPolicy"
LB = "service.beta.kubernetes.io/"


def _plan(records: list[Registered]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in plan(records)}


def _of(records: list[Registered], typ: str) -> list[dict[str, Any]]:
    return [e for e in plan(records) if e["type"] == typ]


def _objects(records: list[Registered], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in manifests(records) if o["kind"] == kind}


def _identity(group: str, name: str) -> dict[str, str]:
    """The fakes' ARM ID, client ID and principal ID of a user-assigned identity."""
    arm = resource_id(SUBSCRIPTION_ID, group, "Microsoft.ManagedIdentity/userAssignedIdentities",
                      name)
    return {"id": arm, "clientId": fake_uuid("client", arm),
            "principalId": fake_uuid("principal", arm)}


def _cluster(group: str, name: str) -> dict[str, str]:
    arm = resource_id(SUBSCRIPTION_ID, group, "Microsoft.ContainerService/managedClusters", name)
    return {"principalId": fake_uuid("principal", arm),
            "issuer": f"https://offline.oic.prod-aks.azure.com/{TENANT_ID}/"
                      f"{fake_uuid('issuer', arm)}/"}


def _render(data: dict[str, Any], config: dict[str, str] | None = None) -> list[Registered]:
    return run_program(lambda: IngressStack("edge", parse_config(data)), config=config)


# ------------------------------------------------------------------ topology gateway


def test_gateway_public_ip_and_its_role(renders) -> None:
    records = renders[("stacks/aks", "gateway")]
    (pip,) = _of(records, PIP)
    assert pip["name"] == "ingress-azure-ip-address"
    inputs = pip["inputs"]
    assert inputs["publicIpAddressName"] == "ingress-gateway-ip"
    assert inputs["resourceGroupName"] == "portal-edge"
    assert inputs["sku"] == {"name": "Standard", "tier": "Regional"}
    assert inputs["publicIPAllocationMethod"] == "Static"
    assert inputs["zones"] == ["1", "2", "3"]
    assert inputs["dnsSettings"] == {"domainNameLabel": "portal-edge"}
    role = _plan(records)["ingress-azure-ip-network-contributor"]["inputs"]
    assert role["scope"] == resource_group_id(SUBSCRIPTION_ID, "portal-edge")
    assert role["roleDefinitionId"].endswith(ROLES["Network Contributor"])
    assert role["principalId"] == _cluster("portal-aks", "portal-aks")["principalId"]


def test_gateway_service_names_the_public_ip_and_probes_readiness(renders) -> None:
    records = renders[("stacks/aks", "gateway")]
    svc = _objects(records, "Service")["istio-ingressgateway"]
    notes = svc["metadata"]["annotations"]
    (pip,) = _of(records, PIP)
    assert notes[f"{LB}azure-pip-name"] == pip["inputs"]["publicIpAddressName"]
    assert notes[f"{LB}azure-load-balancer-resource-group"] == pip["inputs"]["resourceGroupName"]
    assert notes[f"{LB}azure-dns-label-name"] == "portal-edge"
    assert notes[f"{LB}azure-load-balancer-tcp-idle-timeout"] == "30"
    assert notes[f"{LB}port_15021_no_lb_rule"] == "true"
    for port in (80, 443):
        assert notes[f"{LB}port_{port}_health-probe_protocol"] == "http"
        assert notes[f"{LB}port_{port}_health-probe_port"] == "15021"
        assert notes[f"{LB}port_{port}_health-probe_request-path"] == "/healthz/ready"
    assert f"{LB}azure-load-balancer-internal" not in notes
    assert svc["spec"]["externalTrafficPolicy"] == "Local"
    assert svc["spec"]["loadBalancerSourceRanges"] == ["0.0.0.0/0"]
    # Local policy sends only to nodes with a pod: the pods spread over nodes.
    deployment = _objects(records, "Deployment")["istio-ingressgateway"]
    keys = [c["topologyKey"] for c in deployment["spec"]["template"]["spec"][
        "topologySpreadConstraints"]]
    assert "kubernetes.io/hostname" in keys


def test_gateway_service_waits_for_the_public_ip(renders) -> None:
    """The Service is the gateway component's child; the component depends on the address, so
    the cloud provider never looks for an address that is not there yet."""
    records = renders[("stacks/aks", "gateway")]
    by_urn = {r.urn: r for r in records}
    svc = next(r for r in records if r.type == "kubernetes:core/v1:Service")
    assert by_urn[svc.parent].type == "ingresslib:index:IngressGateway"
    pip = next(r for r in records if r.type == PIP)
    assert by_urn[pip.parent].type == "ingresslib:index:GatewayPublicIp"
    assert pip.urn in by_urn[svc.parent].dependencies


def test_key_vault_certificate_syncs_with_a_federated_identity(renders) -> None:
    records = renders[("stacks/aks", "gateway")]
    entries = _plan(records)
    identity = _identity("portal-edge", "ingress-certificate-sync")
    assert entries["ingress-certificate-sync-identity"]["inputs"]["resourceName"] == (
        "ingress-certificate-sync")
    federation = entries["ingress-certificate-sync-federation"]["inputs"]
    assert federation["subject"] == (
        "system:serviceaccount:istio-ingress:ingress-certificate-sync")
    assert federation["issuer"] == _cluster("portal-aks", "portal-aks")["issuer"]
    assert federation["audiences"] == ["api://AzureADTokenExchange"]
    role = entries["ingress-certificate-sync-secrets-user-status-tls"]["inputs"]
    assert role["principalId"] == identity["principalId"]
    assert role["roleDefinitionId"].endswith(ROLES["Key Vault Secrets User"])
    assert role["scope"] == (f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/portal-edge/"
                             "providers/Microsoft.KeyVault/vaults/kv-portal-edge/secrets/status")
    account = _objects(records, "ServiceAccount")["ingress-certificate-sync"]
    assert account["metadata"]["annotations"] == {
        "azure.workload.identity/client-id": identity["clientId"]}
    spc = _objects(records, "SecretProviderClass")["ingress-kv-portal-edge"]
    params = spc["spec"]["parameters"]
    assert params["clientID"] == identity["clientId"]
    assert params["tenantId"] == TENANT_ID
    assert params["keyvaultName"] == "kv-portal-edge"
    assert "objectName: status" in params["objects"]
    (synced,) = spc["spec"]["secretObjects"]
    # The Secret the gateway's HTTPS server reads (credentialName), split into key and chain.
    gateway = _objects(records, "Gateway")["ingress"]
    server = next(s for s in gateway["spec"]["servers"] if s["hosts"] == ["status.example.com"]
                  and s["port"]["number"] == 443)
    assert synced["secretName"] == server["tls"]["credentialName"] == "status-tls"
    assert synced["type"] == "kubernetes.io/tls"
    assert {d["key"] for d in synced["data"]} == {"tls.key", "tls.crt"}


def test_sync_pods_mount_the_csi_volume_and_survive_drains(renders) -> None:
    records = renders[("stacks/aks", "gateway")]
    deployment = _objects(records, "Deployment")["ingress-certificate-sync"]
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    assert pod["serviceAccountName"] == "ingress-certificate-sync"
    (volume,) = pod["volumes"]
    assert volume["csi"] == {"driver": "secrets-store.csi.k8s.io", "readOnly": True,
                             "volumeAttributes": {"secretProviderClass": "ingress-kv-portal-edge"}}
    assert pod["containers"][0]["volumeMounts"][0]["name"] == volume["name"]
    assert spec["replicas"] == 2
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pdb = _objects(records, "PodDisruptionBudget")["ingress-certificate-sync"]
    assert pdb["spec"]["maxUnavailable"] == 1
    assert pdb["spec"]["selector"] == spec["selector"]


def test_analysis_knows_the_synced_secret(renders) -> None:
    """ING0002 refused a Key Vault listener before the sync existed; now its Secret counts."""
    records = renders[("stacks/aks", "gateway")]
    objs = manifests(records)
    credentials = {("istio-ingress", "status-tls"), ("istio-ingress", "edge-tls")}
    assert [str(f) for f in analyze(objs, credentials=credentials)] == []
    missing = [f for f in analyze(objs, credentials={("istio-ingress", "edge-tls")})
               if f.code == "ING0002"]
    assert missing


# ------------------------------------------------------------------ topology chained


def test_chained_internal_load_balancer_is_application_gateways_backend(renders) -> None:
    records = renders[("stacks/aks", "chained")]
    notes = _objects(records, "Service")["istio-ingressgateway"]["metadata"]["annotations"]
    assert notes[f"{LB}azure-load-balancer-internal"] == "true"
    assert notes[f"{LB}azure-load-balancer-internal-subnet"] == "ingress"
    gateway = _of(records, APPGW)[0]["inputs"]
    (pool,) = gateway["backendAddressPools"]
    assert pool["backendAddresses"] == [{"ipAddress": notes[f"{LB}azure-load-balancer-ipv4"]}]
    assert f"{LB}azure-pip-name" not in notes
    assert not [e for e in _of(records, PIP) if e["name"] == "ingress-azure-ip-address"]


def test_chained_application_gateway_resources(renders) -> None:
    records = renders[("stacks/aks", "chained")]
    entries = _plan(records)
    pip = entries["ingress-azure-appgw-ip"]["inputs"]
    assert (pip["sku"]["name"], pip["zones"]) == ("Standard", ["1", "2", "3"])
    waf = entries["ingress-azure-appgw-waf"]["inputs"]
    assert waf["policySettings"]["mode"] == "Prevention"
    gateway = entries["ingress-azure-appgw-gateway"]["inputs"]
    assert gateway["applicationGatewayName"] == "ingress-appgw"
    assert gateway["sku"] == {"name": "WAF_v2", "tier": "WAF_v2"}
    assert gateway["zones"] == ["1", "2", "3"]
    assert gateway["autoscaleConfiguration"] == {"minCapacity": 2, "maxCapacity": 10}
    # Neighbours by the IDs Azure gives them.
    assert gateway["frontendIPConfigurations"][0]["publicIPAddress"]["id"] == resource_id(
        SUBSCRIPTION_ID, "portal-edge", "Microsoft.Network/publicIPAddresses", "ingress-appgw-ip")
    assert gateway["firewallPolicy"]["id"].endswith(
        "/ApplicationGatewayWebApplicationFirewallPolicies/ingress-waf")
    identity = _identity("portal-edge", "ingress-appgw")
    assert gateway["identity"] == {"type": "UserAssigned",
                                   "userAssignedIdentities": [identity["id"]]}
    role = entries["ingress-azure-appgw-secrets-user-portal-tls"]["inputs"]
    assert role["principalId"] == identity["principalId"]
    assert role["scope"].endswith("/vaults/kv-portal-edge/secrets/portal")
    assert gateway["sslCertificates"] == [
        {"name": "portal-tls",
         "keyVaultSecretId": "https://kv-portal-edge.vault.azure.net/secrets/portal"}]


def test_chained_istio_gateway_serves_plain_http_from_the_load_balancer(renders) -> None:
    records = renders[("stacks/aks", "chained")]
    gateway = _objects(records, "Gateway")["ingress"]
    assert [s["port"]["number"] for s in gateway["spec"]["servers"]] == [80]
    assert "tls" not in gateway["spec"]["servers"][0]
    proxy = _objects(records, "Deployment")["istio-ingressgateway"]["spec"]["template"][
        "metadata"]["annotations"]["proxy.istio.io/config"]
    assert json.loads(proxy)["gatewayTopology"] == {"numTrustedProxies": 1}


def test_network_policy_admits_azure_probes(renders) -> None:
    records = renders[("stacks/aks", "chained")]
    policy = _objects(records, "NetworkPolicy")["istio-ingressgateway"]
    rules = policy["spec"]["ingress"]
    probes = [r for r in rules if r.get("from") == [{"ipBlock": {"cidr": "168.63.129.16/32"}}]]
    assert probes == [{"from": [{"ipBlock": {"cidr": "168.63.129.16/32"}}],
                       "ports": [{"port": 15021, "protocol": "TCP"}]}]


# ------------------------------------------------------------------ topology standalone


def test_standalone_application_gateway_and_agic_roles(renders) -> None:
    records = renders[("stacks/aks", "standalone")]
    entries = _plan(records)
    principal = "22222222-2222-4222-8222-222222222222"
    gateway_id = resource_id(SUBSCRIPTION_ID, "portal-edge",
                             "Microsoft.Network/applicationGateways", "ingress-appgw")
    expected = {
        "contributor": (gateway_id, "Contributor"),
        "reader": (resource_group_id(SUBSCRIPTION_ID, "portal-edge"), "Reader"),
        "identity-operator": (_identity("portal-edge", "ingress-appgw")["id"],
                              "Managed Identity Operator"),
        "subnet": (entries["ingress-azure-appgw-gateway"]["inputs"][
            "gatewayIPConfigurations"][0]["subnet"]["id"], "Network Contributor"),
    }
    for suffix, (scope, role) in expected.items():
        inputs = entries[f"ingress-azure-appgw-agic-{suffix}"]["inputs"]
        assert inputs["scope"] == scope
        assert inputs["roleDefinitionId"].endswith(ROLES[role])  # type: ignore[index]
        assert inputs["principalId"] == principal


def test_only_standalone_leaves_agics_fields_of_the_gateway_alone(renders) -> None:
    """AGIC writes the routing into the gateway it manages: Pulumi must not write its own
    back on every update. In chained ingresslib owns the whole gateway."""
    (standalone,) = [r for r in renders[("stacks/aks", "standalone")] if r.type == APPGW]
    assert standalone.ignore_changes == AGIC_MANAGED
    (chained,) = [r for r in renders[("stacks/aks", "chained")] if r.type == APPGW]
    assert chained.ignore_changes == ()


def test_standalone_ingresses_route_to_sidecar_backends(renders) -> None:
    records = renders[("stacks/aks", "standalone")]
    ingresses = _objects(records, "Ingress")
    assert sorted(ingresses) == ["ingress-portal-example-com-api", "ingress-portal-example-com-web"]
    api = ingresses["ingress-portal-example-com-api"]
    notes = api["metadata"]["annotations"]
    assert api["metadata"]["namespace"] == "portal"
    assert api["spec"]["ingressClassName"] == "azure-application-gateway"
    assert api["spec"]["rules"] == [{"host": "portal.example.com", "http": {"paths": [
        {"path": "/api/", "pathType": "Prefix", "backend": {"service": {
            "name": "portal-api", "port": {"number": 8080}}}}]}}]
    assert notes["appgw.ingress.kubernetes.io/health-probe-path"] == "/healthz/ready"
    assert notes["appgw.ingress.kubernetes.io/health-probe-port"] == "8080"
    # AGIC reads health-probe-status-codes (plural; pkg/annotations/ingress_annotations.go,
    # HealthProbeStatusCodesKey): a singular key is ignored and the probe keeps 200-399.
    assert notes["appgw.ingress.kubernetes.io/health-probe-status-codes"] == "200-399"
    assert "appgw.ingress.kubernetes.io/health-probe-status-code" not in notes
    assert notes["appgw.ingress.kubernetes.io/request-timeout"] == "10"  # route timeout 10s
    assert notes["appgw.ingress.kubernetes.io/appgw-ssl-certificate"] == "portal-tls"
    assert notes["appgw.ingress.kubernetes.io/ssl-redirect"] == "true"
    assert notes["appgw.ingress.kubernetes.io/connection-draining-timeout"] == "30"
    web = ingresses["ingress-portal-example-com-web"]
    assert web["spec"]["rules"][0]["http"]["paths"][0]["path"] == "/"
    assert web["metadata"]["annotations"]["appgw.ingress.kubernetes.io/request-timeout"] == "30"
    # The certificate AGIC names is one Pulumi installed on the gateway.
    certs = _of(records, APPGW)[0]["inputs"]["sslCertificates"]
    assert [c["name"] for c in certs] == ["portal-tls"]
    permissive = [o for o in manifests(records) if o["kind"] == "PeerAuthentication"
                  and "portLevelMtls" in o["spec"]]
    assert {(o["metadata"]["namespace"], p) for o in permissive
            for p in o["spec"]["portLevelMtls"]} == {("portal", "8080")}


# ------------------------------------------------------------------ variants


def test_addon_gateway_is_patched_not_deployed(validator) -> None:
    data = aks_stack(gateway={"service": {"annotations": {
        "external-dns.alpha.kubernetes.io/hostname": HOST}}})
    data["azure"]["istioAddon"] = {"revision": "asm-1-25"}
    records = _render(data)
    objs = manifests(records)
    validator.assert_valid(objs)
    assert not [o for o in objs if o["kind"] in ("Deployment", "HorizontalPodAutoscaler")
                and o["metadata"]["name"].startswith("istio-ingressgateway")]
    (patch,) = [r for r in records if r.type == "kubernetes:core/v1:ServicePatch"]
    meta = patch.inputs["metadata"]
    assert (meta["name"], meta["namespace"]) == ("aks-istio-ingressgateway-external",
                                                 "aks-istio-ingress")
    assert patch.inputs["spec"] == {"externalTrafficPolicy": "Local"}
    notes = meta["annotations"]
    assert notes[f"{LB}azure-pip-name"] == "ingress-gateway-ip"
    assert notes["external-dns.alpha.kubernetes.io/hostname"] == HOST
    assert f"{LB}port_15021_no_lb_rule" not in notes  # not on the add-on's allowlist
    gateway = _objects(records, "Gateway")["ingress"]
    assert gateway["metadata"]["namespace"] == "aks-istio-ingress"
    assert gateway["spec"]["selector"] == {"istio": "aks-istio-ingressgateway-external"}
    spc = _objects(records, "SecretProviderClass")["ingress-kv-edge"]
    assert spc["metadata"]["namespace"] == "aks-istio-ingress"
    cfg = parse_config(data)
    assert [str(f) for f in analyze([*objs, addon_service(cfg)],
                                    credentials={("aks-istio-ingress", "edge")})] == []


def test_addon_alerts_watch_the_addons_deployment() -> None:
    data = aks_stack()
    data["azure"]["istioAddon"] = {"revision": "asm-1-25"}
    rules = [o for o in manifests(_render(data)) if o["kind"] == "PrometheusRule"]
    text = json.dumps(rules)
    assert 'deployment=\\"aks-istio-ingressgateway-external-asm-1-25\\"' in text


def test_created_vault_and_imported_certificate(tmp_path: Path, validator) -> None:
    pfx = "MIIKbASE64PFXVALUEFORTESTS"
    data = aks_stack("chained")
    data["azure"]["keyVault"] = {"name": "kv-edge"}
    data["certificates"]["edge"]["importFrom"] = {"secretConfig": "edgePfx", "format": "pfx"}
    records = _render(data, config={"ingress:edgePfx": pfx})
    validator.assert_valid(manifests(records))
    entries = _plan(records)
    vault = entries["edge-azure-keyvault-kv-edge"]["inputs"]
    assert vault["vaultName"] == "kv-edge"
    assert vault["properties"]["enableRbacAuthorization"] is True
    assert vault["properties"]["tenantId"] == TENANT_ID
    assert entries["edge-azure-keyvault-edge"]["inputs"]["properties"] == REDACTED
    secret = next(r for r in records if r.name == "edge-azure-keyvault-edge")
    assert secret.inputs["secretName"] == "shop"
    write(tmp_path, records)
    text = "\n".join(p.read_text() for p in tmp_path.rglob("*") if p.is_file())
    assert pfx not in text
    # Application Gateway reads the imported secret by the same versionless URI.
    gateway = entries["edge-azure-appgw-gateway"]["inputs"]
    assert gateway["sslCertificates"][0]["keyVaultSecretId"] == (
        "https://kv-edge.vault.azure.net/secrets/shop")


@pytest.mark.parametrize("protect", [True, False])
def test_protected_unless_told(protect: bool) -> None:
    """`pulumi destroy` keeps the gateway's address and a purge-protected vault (whose name
    stays taken for the retention days) until the config says otherwise."""
    data = aks_stack("chained")
    data["azure"]["keyVault"] = {"name": "kv-edge", "purgeProtection": protect}
    (vault,) = [r for r in _render(data) if r.type == "azure-native:keyvault:Vault"]
    assert vault.protect is protect
    data = aks_stack()
    data["azure"]["publicIp"] = {"protect": protect}
    (pip,) = [r for r in _render(data) if r.type == PIP]
    assert pip.protect is protect


def test_vault_scope_grants_the_whole_vault() -> None:
    data = aks_stack("chained")
    data["azure"]["keyVaultRoleScope"] = "vault"
    entries = _plan(_render(data))
    role = entries["edge-azure-appgw-secrets-user-kv-edge"]["inputs"]
    assert role["scope"].endswith("/providers/Microsoft.KeyVault/vaults/kv-edge")


def test_public_ip_in_the_node_group_needs_no_role() -> None:
    data = aks_stack()
    data["azure"]["cluster"]["nodeResourceGroup"] = "edge"
    roles = [e["inputs"]["roleDefinitionId"] for e in _of(_render(data), ROLE)]
    assert roles
    assert not [r for r in roles if r.endswith(ROLES["Network Contributor"])]


def test_internal_gateway_topology_has_no_public_ip() -> None:
    data = aks_stack(loadBalancer={"scheme": "internal"},
                      gateway={"service": {"loadBalancerSourceRanges": ["10.0.0.0/8"]}})
    data["azure"]["loadBalancer"] = {"subnet": "ingress"}
    records = _render(data)
    assert not _of(records, PIP)
    notes = _objects(records, "Service")["istio-ingressgateway"]["metadata"]["annotations"]
    assert notes[f"{LB}azure-load-balancer-internal"] == "true"
    assert notes[f"{LB}azure-deny-all-except-load-balancer-source-ranges"] == "true"
    assert f"{LB}azure-load-balancer-ipv4" not in notes


def test_invalid_aks_config_registers_nothing() -> None:
    mocks = RecordingMocks()
    bad = aks_stack("chained")
    del bad["azure"]["loadBalancer"]["subnet"]

    with pytest.raises(ConfigError):
        run_program(lambda: IngressStack("edge", parse_config(bad)), mocks=mocks)
    assert mocks.registered == []


def test_azure_children_are_parented_and_prefixed(renders) -> None:
    for topology in ("gateway", "chained", "standalone"):
        records = renders[("stacks/aks", topology)]
        by_urn = {r.urn: r for r in records}
        for r in records:
            if r.type.startswith("azure-native:") or any(
                    t.startswith("ingresslib:azure:") for t in r.alias_types):
                parent = by_urn[r.parent]
                assert r.name.startswith(f"{parent.name}-"), r.name


def test_eks_never_loads_the_azure_sdk() -> None:
    code = (
        "import sys\n"
        "import ingresslib\n"
        "assert not [m for m in sys.modules if m.startswith('pulumi_azure_native')]\n"
        "from ingresslib.offline.runner import run_project\n"
        "for stack in ('gateway', 'chained', 'standalone'):\n"
        "    run_project('stacks/eks', stack)\n"
        "assert not [m for m in sys.modules if m.startswith('pulumi_azure_native')]\n"
        "run_project('stacks/aks', 'gateway')\n"
        "assert [m for m in sys.modules if m.startswith('pulumi_azure_native')]\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
