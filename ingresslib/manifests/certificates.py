"""cert-manager objects: the declared issuers, and a Certificate per certManager source whose
Secret lands in the gateway namespace under the listener's credentialName."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ingresslib.config.cert_manager import (
    AcmeIssuer,
    AzureDns,
    CaIssuer,
    CertManager,
    Http01,
    Issuer,
    Route53,
)
from ingresslib.config.certificates import Certificate, CertManagerCertificate
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


def certificate_objects(
    certificates: Mapping[str, Certificate], cert_manager: CertManager, namespace: str
) -> list[dict[str, Any]]:
    """cert-manager Issuers (the ones a certificate uses) and Certificates, writing their
    Secrets into the gateway `namespace` under each certificate's credential name."""
    used = {c.issuer for c in certificates.values() if isinstance(c, CertManagerCertificate)}
    objs = [
        o for name, spec in sorted(cert_manager.issuers.items()) if name in used
        if (o := issuer(name, spec, namespace)) is not None
    ]
    for key, cert in sorted(certificates.items()):
        if isinstance(cert, CertManagerCertificate):
            kind = "ClusterIssuer" if cert_manager.issuers[cert.issuer].cluster else "Issuer"
            objs.append(certificate(key, namespace, cert.credential_name(key), cert, kind))
    return objs


def credentials(certificates: Mapping[str, Certificate]) -> dict[str, str]:
    """Each certificate key -> the Secret in the gateway namespace Istio reads it from."""
    return {key: cert.credential_name(key) for key, cert in certificates.items()}


def cert_manager_secrets(certificates: Mapping[str, Certificate], namespace: str
                         ) -> list[tuple[str, str]]:
    """(namespace, Secret) of every cert-manager certificate, for the expiry alerts."""
    return [(namespace, cert.credential_name(key)) for key, cert in sorted(certificates.items())
            if isinstance(cert, CertManagerCertificate)]
