"""The lab has one CA: the load balancer in front signs its certificates with the root
`edgelab ca` made for the gateway and the backend stand-ins, so one trust bundle verifies
every hop (`ingresslib.lab.runner` passes `LabCA.load` of that root to the front)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography import x509

from ingresslib.lab import tools
from ingresslib.lab.front import LabCA

pytestmark = pytest.mark.usefixtures("lab_tools")
GATEWAY = "spiffe://cluster.local/ns/istio-ingress/sa/istio-ingressgateway"


def _issued_by(leaf_pem: bytes, root_pem: bytes) -> bool:
    leaf = x509.load_pem_x509_certificate(leaf_pem)
    root = x509.load_pem_x509_certificate(root_pem)
    try:
        leaf.verify_directly_issued_by(root)
    except (ValueError, TypeError):
        return False
    return True


def test_the_front_and_the_gateway_chain_to_one_root(tmp_path: Path) -> None:
    subprocess.run([str(tools.edgelab()), "ca", "--out", str(tmp_path),
                    "--gateway-spiffe", GATEWAY], check=True, capture_output=True)
    root = (tmp_path / "root.pem").read_bytes()
    ca = LabCA.load(tmp_path)
    assert ca.pem.encode() == root
    front = ca.mint("arn:aws:acm:eu-west-1:111122223333:certificate/x",
                    ("shop.example.com", "*.example.org"), "test")
    leaf_pem = front.cert_pem.split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    assert _issued_by(leaf_pem.encode(), root)
    assert front.cert_pem.endswith(root.decode())
    assert _issued_by((tmp_path / "gateway.pem").read_bytes(), root)
    # A throwaway front CA (the front used alone) is another root: the check can fail.
    other = LabCA.throwaway().mint("x", ("shop.example.com",), "test")
    assert not _issued_by(other.cert_pem.encode(), root)
