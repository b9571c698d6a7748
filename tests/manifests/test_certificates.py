"""manifests/certificates.py: cert-manager issuers and Certificates, and the Secret names."""

from __future__ import annotations

from typing import Any

from ingresslib.config.cert_manager import CertManager
from ingresslib.config.certificates import CertManagerCertificate, ExistingSecret
from ingresslib.manifests.certificates import (
    cert_manager_secrets,
    certificate_objects,
    credentials,
    issuer,
)

LABELS = {"app.kubernetes.io/managed-by": "ingresslib"}
SUB = "00000000-0000-4000-8000-000000000001"


def _issuers(**issuers: Any) -> CertManager:
    return CertManager.model_validate({"issuers": issuers})


def _cert(issuer_name: str, **more: Any) -> CertManagerCertificate:
    return CertManagerCertificate.model_validate({
        "source": "certManager", "dnsNames": ["a.example.com", "b.example.com"],
        "issuer": issuer_name, **more})


def _issuer(spec: dict[str, Any], parent_refs: list[dict[str, Any]] | None = None
            ) -> dict[str, Any] | None:
    return issuer("le", _issuers(le=spec).issuers["le"], "edge", parent_refs)


def _acme(solver: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"type": "acme", "email": "ops@example.com", "solver": solver, **more}


def test_acme_http01_cluster_issuer() -> None:
    assert _issuer(_acme({"kind": "http01"})) == {
        "apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "le", "labels": LABELS},
        "spec": {"acme": {
            "server": "https://acme-staging-v02.api.letsencrypt.org/directory",
            "email": "ops@example.com",
            "privateKeySecretRef": {"name": "le-acme-account"},
            "solvers": [{"http01": {"ingress": {"class": "istio"}}}],
        }},
    }


def test_acme_http01_on_gateway_api_attaches_to_the_listeners() -> None:
    refs = [{"name": "gw", "namespace": "edge", "sectionName": "http"}]
    made = _issuer(_acme({"kind": "http01", "ingressClass": "edge"}, cluster=False), refs)
    assert made is not None
    assert made["kind"] == "Issuer"
    assert made["metadata"] == {"name": "le", "namespace": "edge", "labels": LABELS}
    assert made["spec"]["acme"]["solvers"] == [
        {"http01": {"gatewayHTTPRoute": {"parentRefs": refs}}}]
    no_refs = _issuer(_acme({"kind": "http01", "ingressClass": "edge"}), [])
    assert no_refs is not None
    assert no_refs["spec"]["acme"]["solvers"] == [{"http01": {"ingress": {"class": "edge"}}}]


def test_route53_solver() -> None:
    solver = {"kind": "route53", "region": "eu-west-1", "hostedZoneId": "Z123ABC"}
    made = _issuer(_acme(solver, server="letsencrypt-production"))
    assert made is not None
    assert made["spec"]["acme"]["server"] == "https://acme-v02.api.letsencrypt.org/directory"
    assert made["spec"]["acme"]["solvers"] == [{"dns01": {"route53": {
        "region": "eu-west-1", "hostedZoneID": "Z123ABC"}}}]
    role = "arn:aws:iam::111122223333:role/dns"
    made = _issuer(_acme({**solver, "role": role}))
    assert made is not None
    assert made["spec"]["acme"]["solvers"] == [{"dns01": {"route53": {
        "region": "eu-west-1", "hostedZoneID": "Z123ABC", "role": role}}}]


def test_azure_dns_solver() -> None:
    client = "11111111-1111-4111-8111-111111111111"
    made = _issuer(_acme({"kind": "azureDns", "subscriptionId": SUB, "resourceGroup": "dns",
                          "hostedZone": "example.com", "managedIdentityClientId": client},
                         server="https://acme.example.net/directory"))
    assert made is not None
    assert made["spec"]["acme"]["server"] == "https://acme.example.net/directory"
    assert made["spec"]["acme"]["solvers"] == [{"dns01": {"azureDNS": {
        "subscriptionID": SUB, "resourceGroupName": "dns", "hostedZoneName": "example.com",
        "environment": "AzurePublicCloud", "managedIdentity": {"clientID": client}}}}]


def test_ca_and_existing_issuers() -> None:
    assert _issuer({"type": "ca", "secretName": "root-ca", "cluster": False}) == {
        "apiVersion": "cert-manager.io/v1", "kind": "Issuer",
        "metadata": {"name": "le", "namespace": "edge", "labels": LABELS},
        "spec": {"ca": {"secretName": "root-ca"}},
    }
    assert _issuer({"type": "existing"}) is None


def test_certificate_objects_only_for_used_issuers_in_order() -> None:
    manager = _issuers(
        zca={"type": "ca", "secretName": "root-ca", "cluster": False},
        acme=_acme({"kind": "http01"}),
        unused={"type": "ca", "secretName": "other"},
        old={"type": "existing", "cluster": False})
    certs = {
        "web": _cert("zca", duration="720h", renewBefore="240h",
                     privateKey={"algorithm": "RSA", "size": 4096}),
        "api": _cert("acme"),
        "legacy": _cert("old"),
        "byo": ExistingSecret.model_validate({"source": "secret", "secretName": "byo-tls",
                                              "dnsNames": ["c.example.com"]}),
    }
    objs = certificate_objects(certs, manager, "edge")
    assert [(o["kind"], o["metadata"]["name"]) for o in objs] == [
        ("ClusterIssuer", "acme"), ("Issuer", "zca"),
        ("Certificate", "api"), ("Certificate", "legacy"), ("Certificate", "web")]
    assert objs[1]["metadata"] == {"name": "zca", "namespace": "edge", "labels": LABELS}
    api, legacy, web = objs[2:]
    assert api == {
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "api", "namespace": "edge", "labels": LABELS},
        "spec": {
            "secretName": "api", "dnsNames": ["a.example.com", "b.example.com"],
            "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "acme"},
            "duration": "2160h", "renewBefore": "720h",
            "privateKey": {"algorithm": "ECDSA", "rotationPolicy": "Always"},
        },
    }
    assert legacy["spec"]["issuerRef"] == {"group": "cert-manager.io", "kind": "Issuer",
                                           "name": "old"}
    assert web["spec"]["issuerRef"]["kind"] == "Issuer"
    assert (web["spec"]["duration"], web["spec"]["renewBefore"]) == ("720h", "240h")
    assert web["spec"]["privateKey"] == {"algorithm": "RSA", "rotationPolicy": "Always",
                                         "size": 4096}


def test_http01_parent_refs_reach_the_issuer() -> None:
    refs = [{"name": "gw", "sectionName": "http"}]
    objs = certificate_objects({"api": _cert("acme")}, _issuers(acme=_acme({"kind": "http01"})),
                               "edge", http01_parent_refs=refs)
    assert objs[0]["spec"]["acme"]["solvers"] == [
        {"http01": {"gatewayHTTPRoute": {"parentRefs": refs}}}]


def test_secret_names() -> None:
    certs = {
        "web": _cert("acme"),
        "byo": ExistingSecret.model_validate({"source": "secret", "secretName": "byo-tls",
                                              "dnsNames": ["c.example.com"]}),
        "api": _cert("acme"),
    }
    assert credentials(certs) == {"web": "web", "byo": "byo-tls", "api": "api"}
    assert cert_manager_secrets(certs, "edge") == [("edge", "api"), ("edge", "web")]
