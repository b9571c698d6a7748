"""SelfSignedCertificate: a development CA and leaf from pulumi-tls, stored only in a Secret."""

from __future__ import annotations

import pulumi
import pulumi_tls as tls

from ingresslib.config.certificates import SelfSignedCertificate
from ingresslib.manifests.tls_secret import tls_secret
from ingresslib.register import register


def _key(name: str, algorithm: str, parent: pulumi.Resource) -> tls.PrivateKey:
    args = {"ecdsa_curve": "P256"} if algorithm == "ECDSA" else {"rsa_bits": 2048}
    return tls.PrivateKey(
        name, algorithm=algorithm, opts=pulumi.ResourceOptions(parent=parent), **args
    )


class SelfSignedTls(pulumi.ComponentResource):
    """A CA, a leaf for `spec.dns_names`, and the TLS Secret `secret_name` in `namespace`.

    Not for production: browsers do not trust the CA. The private keys are Pulumi secrets and
    are written nowhere but the Secret.
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
        subject = tls.SelfSignedCertSubjectArgs(
            common_name=f"{spec.organization} CA", organization=spec.organization
        )
        ca_key = _key(f"{name}-ca-key", spec.key_algorithm, self)
        ca = tls.SelfSignedCert(
            f"{name}-ca",
            private_key_pem=ca_key.private_key_pem,
            subject=subject,
            is_ca_certificate=True,
            validity_period_hours=spec.validity_hours,
            early_renewal_hours=spec.early_renewal_hours,
            allowed_uses=["cert_signing", "crl_signing"],
            opts=pulumi.ResourceOptions(parent=self),
        )
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
        self.secret = register(
            f"{name}-secret",
            tls_secret(
                secret_name,
                namespace,
                cert_pem=leaf.cert_pem,
                key_pem=pulumi.Output.secret(leaf_key.private_key_pem),
                ca_pem=ca.cert_pem,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"caCertPem": self.ca_cert_pem, "secretName": secret_name})
