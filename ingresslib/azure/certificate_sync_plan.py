"""Key Vault certificates as TLS Secrets in the gateway namespace (topology gateway on AKS),
through the Secrets Store CSI driver and its Azure provider.

The driver writes a SecretProviderClass's `secretObjects` as Kubernetes Secrets only while a pod
mounts the class's volume, and refreshes them on rotation. The pods that mount it here are a
small Deployment of their own rather than the gateway pods: a Key Vault outage or a missing role
then cannot stop gateway pods from starting (a CSI mount failure blocks the pod), the add-on's
gateway (whose pods ingresslib cannot change) works the same way, and the internet-facing Envoy
holds no Azure identity. The pods run as a workload identity allowed to read only these
secrets; two of them, spread and under a PDB, keep the Secrets in place through node drains.
"""

from __future__ import annotations

from typing import Any

from ingresslib.azure.config import AksStack, KeyVaultCertificate, synced_certificates
from ingresslib.manifests.meta import MANAGED_BY, container_security, obj, pod_security, skip_checks

CSI_DRIVER = "secrets-store.csi.k8s.io"
SPC_API = "secrets-store.csi.x-k8s.io/v1"
CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id"
UID = 65532
# The values rendered (and analysed) before the identity exists; the stack renders the objects
# again with the deployed identity's client ID and the tenant.
PENDING = "pending-deploy"
INJECTED = skip_checks({
    "CKV_K8S_8": "the pause container has no endpoint to probe; the kubelet restarts it if it "
    "exits, and the CSI mount (the pod's only job) is checked before it starts",
    "CKV_K8S_9": "the pause container serves nothing; readiness would gate no traffic",
    "CKV_K8S_43": "pin the pause image by digest through azure.certificateSync.image; it runs "
    "no code beyond pause(2)",
})


def sync_name(cfg: AksStack) -> str:
    return f"{cfg.name}-certificate-sync"


def _by_vault(cfg: AksStack) -> dict[str, dict[str, KeyVaultCertificate]]:
    vaults: dict[str, dict[str, KeyVaultCertificate]] = {}
    for key, cert in synced_certificates(cfg).items():
        vaults.setdefault(cert.vault.lower(), {})[key] = cert
    return dict(sorted(vaults.items()))


def _objects_parameter(names: list[str]) -> str:
    """The provider's `objects` parameter: a YAML array of YAML documents, one per secret."""
    lines = ["array:"]
    for name in names:
        lines += ["  - |", f"    objectName: {name}", "    objectType: secret"]
    return "\n".join(lines) + "\n"


def secret_provider_class(cfg: AksStack, vault: str, certs: dict[str, KeyVaultCertificate],
                          *, namespace: str, client_id: Any, tenant_id: Any) -> dict[str, Any]:
    """One vault's certificates, each synced as the kubernetes.io/tls Secret its listener's
    credentialName names (the driver splits the PEM key and chain into tls.key and tls.crt)."""
    names = sorted({c.certificate for c in certs.values()})
    return obj(SPC_API, "SecretProviderClass", f"{cfg.name}-{vault}", namespace,
               labels=MANAGED_BY, spec={
                   "provider": "azure",
                   "parameters": {
                       "usePodIdentity": "false",
                       "clientID": client_id,
                       "keyvaultName": next(iter(certs.values())).vault,
                       "tenantId": tenant_id,
                       "cloudName": "AzurePublicCloud",
                       "objects": _objects_parameter(names),
                   },
                   "secretObjects": [{
                       "secretName": cfg.credential_name(key),
                       "type": "kubernetes.io/tls",
                       "labels": dict(MANAGED_BY),
                       "data": [{"objectName": cert.certificate, "key": "tls.key"},
                                {"objectName": cert.certificate, "key": "tls.crt"}],
                   } for key, cert in certs.items()],
               })


def certificate_sync_objects(cfg: AksStack, *, client_id: Any = PENDING,
                             tenant_id: Any = PENDING) -> list[dict[str, Any]]:
    """SecretProviderClasses (one per vault), and the ServiceAccount, Deployment, PDB and
    NetworkPolicy of the pods that mount them. `client_id` is the workload identity's."""
    vaults = _by_vault(cfg)
    wl = cfg.workload
    if not vaults or wl is None or cfg.azure is None:
        return []
    sync = cfg.azure.certificate_sync
    name = sync_name(cfg)
    select = {"app.kubernetes.io/name": "certificate-sync", "app.kubernetes.io/instance": cfg.name}
    labels = {**select, **MANAGED_BY, "app.kubernetes.io/part-of": cfg.name}
    ns = wl.namespace
    classes = [secret_provider_class(cfg, v, certs, namespace=ns, client_id=client_id,
                                     tenant_id=tenant_id) for v, certs in vaults.items()]
    volumes = [{"name": f"kv-{v}", "csi": {
        "driver": CSI_DRIVER, "readOnly": True,
        "volumeAttributes": {"secretProviderClass": spc["metadata"]["name"]}}}
        for v, spc in zip(vaults, classes, strict=True)]
    spread = [{"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway",
               "labelSelector": {"matchLabels": select}}
              for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")]
    pod = {
        "serviceAccountName": name,
        # The CSI driver requests the workload identity token itself.
        "automountServiceAccountToken": False,
        "securityContext": pod_security(UID),
        "topologySpreadConstraints": spread,
        "containers": [{
            "name": "pause",
            "image": sync.image,
            "imagePullPolicy": "Always",
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"},
                          "limits": {"cpu": "50m", "memory": "32Mi"}},
            "securityContext": container_security(UID),
            "volumeMounts": [{"name": v["name"], "mountPath": f"/mnt/key-vault/{v['name']}",
                              "readOnly": True} for v in volumes],
        }],
        "volumes": volumes,
    }
    return [
        *classes,
        obj("v1", "ServiceAccount", name, ns, labels=labels,
            annotations={CLIENT_ID_ANNOTATION: client_id}),
        obj("apps/v1", "Deployment", name, ns, labels=labels, annotations=INJECTED, spec={
            "replicas": sync.replicas,
            "selector": {"matchLabels": select},
            # A surge pod mounts before an old one goes: the Secrets never lose their last pod.
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {"metadata": {"labels": labels}, "spec": pod},
        }),
        obj("policy/v1", "PodDisruptionBudget", name, ns, labels=labels, spec={
            "maxUnavailable": 1, "selector": {"matchLabels": select},
            "unhealthyPodEvictionPolicy": "AlwaysAllow"}),
        obj("networking.k8s.io/v1", "NetworkPolicy", name, ns, labels=labels, spec={
            "podSelector": {"matchLabels": select}, "policyTypes": ["Ingress"]}),
    ]
