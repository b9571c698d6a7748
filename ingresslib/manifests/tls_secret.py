"""The kubernetes.io/tls Secret Istio reads a listener's certificate from (by credentialName)."""

from __future__ import annotations

from typing import Any

from ingresslib.manifests.meta import MANAGED_BY, obj


def tls_secret(
    name: str, namespace: str, *, cert_pem: Any, key_pem: Any, ca_pem: Any | None = None
) -> dict[str, Any]:
    """PEM values may be Pulumi Outputs; the key stays a Pulumi secret end to end."""
    data = {"tls.crt": cert_pem, "tls.key": key_pem}
    if ca_pem is not None:
        data["ca.crt"] = ca_pem
    return obj(
        "v1", "Secret", name, namespace,
        labels=MANAGED_BY, type="kubernetes.io/tls", stringData=data,
    )
