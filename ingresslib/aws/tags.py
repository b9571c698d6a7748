"""Tags on every AWS resource ingresslib creates: who manages it, and for which stack."""

from __future__ import annotations


def resource_tags(stack: str) -> dict[str, str]:
    return {"app.kubernetes.io/managed-by": "ingresslib", "ingresslib.io/stack": stack}
