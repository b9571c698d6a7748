"""The certificates the front mints for its listeners, signed by the lab's CA.

The product's certificates (ACM, Key Vault, Kubernetes Secrets) are not in the render; the lab
mints an ECDSA P-256 certificate for the DNS names the render gives (one day of validity),
signed by the root `edgelab ca` made for the gateway and the stand-ins (`LabCA.load`), so the
whole lab has one CA and clients trust `LabCA.pem`. The front used alone (its tests) makes a
throwaway root of its own (`LabCA.throwaway()`).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ingresslib.lab.front.model import Certificate


def _pem_key(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


class LabCA:
    """The certificate authority that signs the front's certificates: `key` and its root
    certificate `cert`; the lab's own (`load`), or a throwaway one (`throwaway`)."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
        self._key = key
        self._cert = cert
        self._name = cert.subject
        self.pem = cert.public_bytes(serialization.Encoding.PEM).decode()

    @classmethod
    def throwaway(cls, common_name: str = "ingresslib lab front CA") -> LabCA:
        """A fresh root, valid for a day: the front used alone (its tests)."""
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                         crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
        return cls(key, cert)

    @classmethod
    def load(cls, directory: Path) -> LabCA:
        """The root `edgelab ca --out DIRECTORY` wrote (root.pem, root-key.pem: PKCS#8 EC)."""
        key = serialization.load_pem_private_key((directory / "root-key.pem").read_bytes(),
                                                 password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError(f"{directory / 'root-key.pem'}: not an EC key")
        return cls(key, x509.load_pem_x509_certificate((directory / "root.pem").read_bytes()))

    def mint(self, ref: str, hostnames: tuple[str, ...], names_from: str) -> Certificate:
        """A leaf for `hostnames` (DNS names, wildcards allowed; IP literals become IP SANs)."""
        key = ec.generate_private_key(ec.SECP256R1())
        sans: list[x509.GeneralName] = []
        for h in hostnames:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(h)))
            except ValueError:
                sans.append(x509.DNSName(h))
        now = dt.datetime.now(dt.UTC)
        cn = hostnames[0] if hostnames else "lab-front"
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn[:64])]))
            .issuer_name(self._name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(self._key, hashes.SHA256()))
        chain = cert.public_bytes(serialization.Encoding.PEM).decode() + self.pem
        return Certificate(ref, tuple(hostnames), names_from, chain, _pem_key(key))
