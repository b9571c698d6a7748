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


def _solver(issuer: AcmeIssuer, parent_refs: list[dict[str, Any]] | None) -> dict[str, Any]:
    """`parent_refs`: the Gateway listeners HTTP-01 challenges attach to (Gateway API); else
    the solver is an Ingress with the class annotation, which Istio serves without an
    IngressClass object (ING-IX-ACME-INGRESS)."""
    s = issuer.solver
    if isinstance(s, Http01):
        if parent_refs:
            return {"http01": {"gatewayHTTPRoute": {"parentRefs": parent_refs}}}
        return {"http01": {"ingress": {"class": s.ingress_class}}}
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


def issuer(name: str, spec: Issuer, namespace: str,
           parent_refs: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """An Issuer in the gateway namespace, or a ClusterIssuer; None for an existing one.
    `parent_refs`: where an HTTP-01 solver's HTTPRoute attaches (Gateway API)."""
    if isinstance(spec, AcmeIssuer):
        body: dict[str, Any] = {"acme": {
            "server": spec.server_url,
            "email": spec.email,
            "privateKeySecretRef": {"name": f"{name}-acme-account"},
            "solvers": [_solver(spec, parent_refs)],
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
    certificates: Mapping[str, Certificate], cert_manager: CertManager, namespace: str,
    *, http01_parent_refs: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """cert-manager Issuers (the ones a certificate uses) and Certificates, writing their
    Secrets into the gateway `namespace` under each certificate's credential name.

    `http01_parent_refs`: with Gateway API, the Gateway listeners (port 80) an HTTP-01
    solver's HTTPRoute attaches to; unset, the solver is an Ingress of the issuer's class."""
    used = {c.issuer for c in certificates.values() if isinstance(c, CertManagerCertificate)}
    objs = [
        o for name, spec in sorted(cert_manager.issuers.items()) if name in used
        if (o := issuer(name, spec, namespace, http01_parent_refs)) is not None
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
