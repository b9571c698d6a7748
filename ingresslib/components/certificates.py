"""Certificates: cert-manager issuers and Certificates, and self-signed development TLS from
pulumi-tls whose private keys are stored only in Kubernetes Secrets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_tls as tls

from ingresslib.components.base import ManifestComponent, refuse_alone
from ingresslib.components.register import register
from ingresslib.config.cert_manager import CertManager
from ingresslib.config.certificates import (
    Certificate,
    CertManagerCertificate,
    SelfSignedCertificate,
)
from ingresslib.config.stack import undeclared_issuer
from ingresslib.manifests.certificates import certificate_objects
from ingresslib.manifests.tls_secret import tls_secret


def _key(name: str, algorithm: str, parent: pulumi.Resource) -> tls.PrivateKey:
    args = {"ecdsa_curve": "P256"} if algorithm == "ECDSA" else {"rsa_bits": 2048}
    return tls.PrivateKey(
        name, algorithm=algorithm, opts=pulumi.ResourceOptions(parent=parent), **args
    )


def _ca(name: str, spec: SelfSignedCertificate, common_name: str, parent: pulumi.Resource
        ) -> tuple[tls.PrivateKey, tls.SelfSignedCert]:
    key = _key(f"{name}-key", spec.key_algorithm, parent)
    cert = tls.SelfSignedCert(
        name,
        private_key_pem=key.private_key_pem,
        subject=tls.SelfSignedCertSubjectArgs(
            common_name=common_name, organization=spec.organization
        ),
        is_ca_certificate=True,
        validity_period_hours=spec.validity_hours,
        early_renewal_hours=spec.early_renewal_hours,
        allowed_uses=["cert_signing", "crl_signing"],
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return key, cert


class SelfSignedTls(pulumi.ComponentResource):
    """A CA, a leaf for `spec.dns_names`, and the TLS Secret `secret_name` in `namespace`.

    Not for production: browsers do not trust the CA. The private keys are Pulumi secrets and
    are written nowhere but the Secret (and, for `clientCa`, the secret output
    `client_ca_private_key_pem`, to sign client certificates with).
    """

    def __init__(
        self,
        name: str,
        spec: SelfSignedCertificate,
        *,
        secret_name: str,
        namespace: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ingresslib:index:SelfSignedTls", name, None, opts)
        ca_key, ca = _ca(f"{name}-ca", spec, f"{spec.organization} CA", self)
        leaf_key = _key(f"{name}-key", spec.key_algorithm, self)
        request = tls.CertRequest(
            f"{name}-csr",
            private_key_pem=leaf_key.private_key_pem,
            dns_names=list(spec.dns_names),
            subject=tls.CertRequestSubjectArgs(
                common_name=spec.dns_names[0], organization=spec.organization
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        leaf = tls.LocallySignedCert(
            f"{name}-cert",
            cert_request_pem=request.cert_request_pem,
            ca_private_key_pem=ca_key.private_key_pem,
            ca_cert_pem=ca.cert_pem,
            validity_period_hours=spec.validity_hours,
            early_renewal_hours=spec.early_renewal_hours,
            allowed_uses=["digital_signature", "key_encipherment", "server_auth"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.ca_cert_pem = ca.cert_pem
        outputs: dict[str, pulumi.Input[str]] = {
            "caCertPem": self.ca_cert_pem, "secretName": secret_name}
        # Istio verifies MUTUAL clients against ca.crt: the client CA when there is one.
        trusted = ca.cert_pem
        if spec.client_ca:
            client_key, client_ca = _ca(f"{name}-client-ca", spec,
                                        f"{spec.organization} client CA", self)
            trusted = client_ca.cert_pem
            self.client_ca_cert_pem = client_ca.cert_pem
            self.client_ca_private_key_pem = pulumi.Output.secret(client_key.private_key_pem)
            outputs |= {"clientCaCertPem": self.client_ca_cert_pem,
                        "clientCaPrivateKeyPem": self.client_ca_private_key_pem}
        self.secret = register(
            f"{name}-secret",
            tls_secret(
                secret_name,
                namespace,
                cert_pem=leaf.cert_pem,
                key_pem=pulumi.Output.secret(leaf_key.private_key_pem),
                ca_pem=trusted,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs(outputs)


class Certificates(ManifestComponent):
    """Every in-cluster certificate source of a stack: cert-manager issuers and Certificates,
    and self-signed TLS, all landing as Secrets in the gateway namespace. A stack's
    `certificates` go in whole: a cloud's sources (acm, keyVault) are its edge's, which
    IngressStack registers, and make nothing here."""

    def __init__(
        self,
        name: str,
        certificates: Mapping[str, Certificate],
        namespace: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        cert_manager: CertManager | None = None,
        manifests: list[dict[str, Any]] | None = None,
        http01_parent_refs: list[dict[str, Any]] | None = None,
    ) -> None:
        """`certificates` by key; `namespace` is the gateway's, where every Secret lands;
        `cert_manager` declares the issuers the certManager sources name;
        `http01_parent_refs`: with Gateway API, the Gateway listeners an HTTP-01 solver's
        HTTPRoute attaches to (`ingresslib.stack.render.http01_parent_refs`)."""
        if manifests is None:
            cert_manager = cert_manager or CertManager.defaults()
            # Used alone: the stack's rules of each certificate and the issuer it names.
            refuse_alone(f"Certificates {name}", [
                p for key, cert in sorted(certificates.items())
                for p in (*cert.problems(f"certificates.{key}"),
                          *(undeclared_issuer(f"certificates.{key}", cert, cert_manager)
                            if isinstance(cert, CertManagerCertificate) else ()))],
                {"certificates": certificates, "certManager": cert_manager})
            manifests = certificate_objects(certificates, cert_manager, namespace,
                                            http01_parent_refs=http01_parent_refs)
        super().__init__("ingresslib:index:Certificates", name, None, opts)
        self.manifests = manifests
        self.resources = self._register_manifests(name, manifests)
        self.self_signed: dict[str, SelfSignedTls] = {}
        for key, cert in sorted(certificates.items()):
            if isinstance(cert, SelfSignedCertificate):
                self.self_signed[key] = SelfSignedTls(
                    f"{name}-{key}", cert, secret_name=cert.credential_name(key),
                    namespace=namespace, opts=pulumi.ResourceOptions(parent=self),
                )
        self.register_outputs({"objects": len(manifests), "selfSigned": sorted(self.self_signed)})
