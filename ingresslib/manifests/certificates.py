"""cert-manager objects: the declared issuers, and a Certificate per certManager source whose
Secret lands in the gateway namespace under the listener's credentialName."""

from __future__ import annotations

from typing import Any

from ingresslib.config.cert_manager import AcmeIssuer, AzureDns, CaIssuer, Http01, Issuer, Route53
from ingresslib.config.certificates import CertManagerCertificate
from ingresslib.config.stack import StackConfig
from ingresslib.manifests.meta import MANAGED_BY, obj

API = "cert-manager.io/v1"


def _solver(issuer: AcmeIssuer) -> dict[str, Any]:
    s = issuer.solver
    if isinstance(s, Http01):
        return {"http01": {"ingress": {"ingressClassName": s.ingress_class}}}
    if isinstance(s, Route53):
        route53: dict[str, Any] = {"region": s.region, "hostedZoneID": s.hosted_zone_id}
        if s.role:
            route53["role"] = s.role
        return {"dns01": {"route53": route53}}
    assert isinstance(s, AzureDns)
    return {"dns01": {"azureDNS": {
        "subscriptionID": s.subscription_id,
        "resourceGroupName": s.resource_group,
        "hostedZoneName": s.hosted_zone,
        "environment": "AzurePublicCloud",
        "managedIdentity": {"clientID": s.managed_identity_client_id},
    }}}


def issuer(name: str, spec: Issuer, namespace: str) -> dict[str, Any] | None:
    """An Issuer in the gateway namespace, or a ClusterIssuer; None for an existing one."""
    if isinstance(spec, AcmeIssuer):
        body: dict[str, Any] = {"acme": {
            "server": spec.server_url,
            "email": spec.email,
            "privateKeySecretRef": {"name": f"{name}-acme-account"},
            "solvers": [_solver(spec)],
        }}
    elif isinstance(spec, CaIssuer):
        body = {"ca": {"secretName": spec.secret_name}}
    else:
        return None
    kind = "ClusterIssuer" if spec.cluster else "Issuer"
    return obj(API, kind, name, None if spec.cluster else namespace,
               labels=MANAGED_BY, spec=body)


def certificate(
    name: str, namespace: str, secret_name: str, cert: CertManagerCertificate, issuer_kind: str
) -> dict[str, Any]:
    key: dict[str, Any] = {"algorithm": cert.private_key.algorithm, "rotationPolicy": "Always"}
    if cert.private_key.size:
        key["size"] = cert.private_key.size
    return obj(API, "Certificate", name, namespace, labels=MANAGED_BY, spec={
        "secretName": secret_name,
        "dnsNames": list(cert.dns_names),
        "issuerRef": {"group": "cert-manager.io", "kind": issuer_kind, "name": cert.issuer},
        "duration": cert.duration,
        "renewBefore": cert.renew_before,
        "privateKey": key,
    })


def certificate_objects(cfg: StackConfig) -> list[dict[str, Any]]:
    wl = cfg.workload
    if wl is None:
        return []
    used = {c.issuer for c in cfg.certificates.values() if isinstance(c, CertManagerCertificate)}
    objs = [
        o for name, spec in sorted(cfg.cert_manager.issuers.items()) if name in used
        if (o := issuer(name, spec, wl.namespace)) is not None
    ]
    for key, cert in sorted(cfg.certificates.items()):
        if isinstance(cert, CertManagerCertificate):
            kind = "ClusterIssuer" if cfg.cert_manager.issuers[cert.issuer].cluster else "Issuer"
            objs.append(certificate(key, wl.namespace, cfg.credential_name(key), cert, kind))
    return objs
