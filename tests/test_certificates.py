"""Certificate sources: which can serve what, cert-manager objects, self-signed TLS, and no
key material or secret value anywhere in a render."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ingresslib import IngressStack, parse_config
from ingresslib.errors import ConfigError
from ingresslib.offline.mocks import RecordingMocks
from ingresslib.offline.output import REDACTED, manifests, write
from ingresslib.offline.runner import run_program
from ingresslib.stack.render import stack_manifests
from tests.configs import ALB, azure

HOST = "shop.example.com"
ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0b8d9a3e-5c4f-4f39-9d0e-6a1f2b3c4d5e"
LE_HTTP = {"type": "acme", "email": "ops@example.com", "solver": {"kind": "http01"}}
ROUTE53 = {"kind": "route53", "region": "eu-west-1", "hostedZoneId": "Z0123456789ABC"}
AZURE_DNS = {"kind": "azureDns", "subscriptionId": "00000000-0000-0000-0000-000000000000",
             "resourceGroup": "dns", "hostedZone": "example.com",
             "managedIdentityClientId": "11111111-1111-1111-1111-111111111111"}


def _stack(cert: dict[str, Any], *, cloud: str = "eks", topology: str = "gateway",
           mode: str = "SIMPLE", hosts: list[str] | None = None,
           issuers: dict[str, Any] | None = None) -> dict[str, Any]:
    hosts = hosts or [HOST]
    data: dict[str, Any] = {
        "cloud": cloud, "topology": topology,
        "listeners": [
            {"name": "http", "port": 80, "protocol": "HTTP", "hosts": hosts},
            {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": hosts,
             "tls": {"certificate": "edge", "mode": mode}},
        ],
        "certificates": {"edge": {"dnsNames": hosts, **cert}},
    }
    if issuers is not None:
        data["certManager"] = {"issuers": issuers}
    if cloud == "aks":
        data["azure"] = azure(topology)
    return data


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    return {p.path: p.message for p in err.value.problems}


# ------------------------------------------------------------------ which source serves what


@pytest.mark.parametrize(("cert", "cloud", "topology"), [
    ({"source": "selfSigned"}, "eks", "gateway"),
    ({"source": "secret", "secretName": "edge-tls"}, "aks", "gateway"),
    ({"source": "certManager", "issuer": "le"}, "eks", "gateway"),
    ({"source": "acm", "arn": ARN}, "eks", "chained"),
    ({"source": "acm", "validationZone": "example.com"}, "eks", "standalone"),
    ({"source": "keyVault", "vault": "kv-edge", "resourceGroup": "edge",
      "certificate": "portal"}, "aks", "chained"),
])
def test_sources_that_can_serve(cert, cloud, topology) -> None:
    data = _stack(cert, cloud=cloud, topology=topology, issuers={"le": LE_HTTP})
    if cloud == "eks" and topology != "gateway":
        data["aws"] = {"alb": ALB}  # the ALB these topologies need
    if cloud == "aks":
        data["azure"] = azure(topology)
    parse_config(data)


@pytest.mark.parametrize(("cert", "cloud"), [
    ({"source": "acm", "arn": ARN}, "aks"),
    ({"source": "keyVault", "vault": "kv-edge", "resourceGroup": "g", "certificate": "c"}, "eks"),
])
def test_sources_of_the_other_cloud(cert, cloud) -> None:
    problems = _problems(_stack(cert, cloud=cloud))
    assert "exist only on" in problems["certificates.edge.source"]
    assert "listeners[https].tls.certificate" not in problems  # said once, where it is declared


@pytest.mark.parametrize(("cert", "cloud", "topology", "words"), [
    ({"source": "selfSigned"}, "eks", "chained", "the ALB terminates TLS"),
    ({"source": "certManager", "issuer": "le"}, "aks", "standalone",
     "Application Gateway terminates TLS"),
])
def test_sources_that_cannot_serve(cert, cloud, topology, words) -> None:
    problems = _problems(_stack(cert, cloud=cloud, topology=topology, issuers={"le": LE_HTTP}))
    assert words in problems["listeners[https].tls.certificate"]


def test_mutual_tls_needs_a_client_ca() -> None:
    problems = _problems(_stack({"source": "selfSigned"}, mode="MUTUAL"))
    assert "clientCa: true" in problems["listeners[https].tls.certificate"]
    parse_config(_stack({"source": "selfSigned", "clientCa": True}, mode="MUTUAL"))


def test_certificate_must_cover_every_host() -> None:
    data = _stack({"source": "selfSigned"})
    data["certificates"]["edge"]["dnsNames"] = ["*.example.com"]
    data["listeners"][1]["hosts"] = [HOST, "a.b.example.com"]
    data["listeners"][0]["hosts"] = [HOST, "a.b.example.com"]
    assert "listeners[https].hosts" in _problems(data)


@pytest.mark.parametrize(("change", "path"), [
    ({"source": "acm"}, "certificates.edge"),
    ({"source": "acm", "arn": ARN, "validationZone": "example.com"}, "certificates.edge"),
    ({"source": "acm", "arn": "arn:aws:acm:eu-west-1:1:certificate/x"}, "certificates.edge.arn"),
    ({"source": "certManager", "issuer": "le", "renewBefore": "2160h"},
     "certificates.edge.renewBefore"),
    ({"source": "certManager", "issuer": "le", "privateKey": {"algorithm": "RSA", "size": 256}},
     "certificates.edge.privateKey"),
    ({"source": "certManager", "issuer": "nobody"}, "certificates.edge.issuer"),
    ({"source": "keyVault", "vault": "no_underscores", "resourceGroup": "g",
      "certificate": "c"}, "certificates.edge.vault"),
])
def test_bad_certificate_sources(change, path) -> None:
    assert path in _problems(_stack(change, issuers={"le": LE_HTTP}))


# ------------------------------------------------------------------ ACME rules


def test_http01_cannot_issue_wildcards() -> None:
    data = _stack({"source": "certManager", "issuer": "le"}, hosts=["*.example.com"],
                  issuers={"le": LE_HTTP})
    assert "wildcard" in _problems(data)["certificates.edge.dnsNames"]


def test_http01_needs_port_80_for_the_hosts() -> None:
    data = _stack({"source": "certManager", "issuer": "le"}, issuers={"le": LE_HTTP})
    data["listeners"][0]["hosts"] = ["other.example.com"]
    data["certificates"]["edge"]["dnsNames"] = [HOST]
    problems = _problems(data)
    assert "port 80" in problems["certificates.edge.dnsNames"]


@pytest.mark.parametrize(("cloud", "solver", "bad"), [
    ("eks", ROUTE53, False), ("aks", AZURE_DNS, False),
    ("eks", AZURE_DNS, True), ("aks", ROUTE53, True),
])
def test_dns01_uses_the_clusters_cloud_identity(cloud, solver, bad) -> None:
    issuers = {"le": {**LE_HTTP, "solver": solver}}
    data = _stack({"source": "certManager", "issuer": "le"}, cloud=cloud,
                  hosts=["*.example.com"], issuers=issuers)
    if bad:
        assert "certManager.issuers.le.solver.kind" in _problems(data)
    else:
        parse_config(data)


# ------------------------------------------------------------------ rendered objects


def test_cert_manager_objects_validate(validator) -> None:
    issuers = {
        "le": {**LE_HTTP, "server": "letsencrypt-production"},
        "dns": {**LE_HTTP, "solver": {**ROUTE53, "role": "arn:aws:iam::123456789012:role/cm"},
                "cluster": False},
        "private": {"type": "ca", "secretName": "root-ca"},
        "theirs": {"type": "existing"},
    }
    data = _stack({"source": "certManager", "issuer": "le"}, issuers=issuers)
    for name, issuer in (("b", "dns"), ("c", "private"), ("d", "theirs")):
        data["certificates"][name] = {"source": "certManager", "issuer": issuer,
                                      "dnsNames": [HOST]}
    objs = stack_manifests(parse_config(data)).certificates
    validator.assert_valid(objs)
    kinds = [(o["kind"], o["metadata"]["name"]) for o in objs]
    assert kinds == [("Issuer", "dns"), ("ClusterIssuer", "le"), ("ClusterIssuer", "private"),
                     ("Certificate", "b"), ("Certificate", "c"), ("Certificate", "d"),
                     ("Certificate", "edge")]
    issuer = {o["metadata"]["name"]: o for o in objs}["dns"]
    assert issuer["metadata"]["namespace"] == "istio-ingress"  # where the Certificate lives
    solver = issuer["spec"]["acme"]["solvers"][0]
    assert solver == {"dns01": {"route53": {"hostedZoneID": "Z0123456789ABC",
                                            "region": "eu-west-1",
                                            "role": "arn:aws:iam::123456789012:role/cm"}}}
    cert = objs[-1]
    assert cert["spec"]["secretName"] == "edge"
    assert cert["spec"]["issuerRef"] == {"group": "cert-manager.io", "kind": "ClusterIssuer",
                                         "name": "le"}
    assert cert["spec"]["privateKey"]["rotationPolicy"] == "Always"


def test_self_signed_client_ca_is_what_istio_trusts() -> None:
    data = _stack({"source": "selfSigned", "clientCa": True}, mode="MUTUAL")
    records = run_program(lambda: IngressStack("edge", parse_config(data)))
    names = sorted(r.name for r in records if r.type == "tls:index/selfSignedCert:SelfSignedCert")
    assert names == ["edge-tls-edge-ca", "edge-tls-edge-client-ca"]
    secret = next(r for r in records if r.type == "kubernetes:core/v1:Secret")
    assert secret.inputs["type"] == "kubernetes.io/tls"


def test_no_secret_value_reaches_any_output(tmp_path: Path) -> None:
    """Every value Pulumi marks secret, anywhere in any input, stays out of the files."""
    data = _stack({"source": "selfSigned", "clientCa": True}, mode="MUTUAL")
    mocks = RecordingMocks()
    records = run_program(lambda: IngressStack("edge", parse_config(data)), mocks=mocks)
    secrets: list[str] = []

    def collect(value: Any, inside: bool = False) -> None:
        if isinstance(value, dict):
            is_secret = value.get("4dabf18193072939515e22adb298388d") == (
                "1b47061264138c4ac30d75fd1eb44270")
            for v in value.values():
                collect(v, inside or is_secret)
        elif isinstance(value, list):
            for v in value:
                collect(v, inside)
        elif inside and isinstance(value, str) and len(value) > 8:
            secrets.append(value)

    for record in records:
        collect(record.inputs)
    assert secrets, "the self-signed keys are marked secret"
    write(tmp_path, records)
    text = "\n".join(p.read_text() for p in sorted(tmp_path.rglob("*")) if p.is_file())
    assert REDACTED in text
    for value in secrets:
        assert value not in text
    assert "PRIVATE KEY" not in text
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert all(e["inputs"].get("privateKeyPem", REDACTED) == REDACTED for e in plan)


def test_stack_renders_cert_manager_into_the_gateway_namespace(renders) -> None:
    objs = manifests(renders[("stacks/aks", "gateway")])
    cert = next(o for o in objs if o["kind"] == "Certificate")
    gateway = next(o for o in objs if o["kind"] == "Gateway")
    assert cert["metadata"]["namespace"] == gateway["metadata"]["namespace"]
    https = next(s for s in gateway["spec"]["servers"] if s["port"]["number"] == 443)
    assert https["tls"]["credentialName"] == cert["spec"]["secretName"]


def test_copy_is_unchanged_by_parsing() -> None:
    data = _stack({"source": "selfSigned"})
    before = copy.deepcopy(data)
    parse_config(data)
    assert data == before
