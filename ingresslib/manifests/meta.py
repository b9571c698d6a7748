"""Names, labels and annotations every rendered object shares."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import GatewayWorkload

MANAGED_BY = {"app.kubernetes.io/managed-by": "ingresslib"}


def obj(
    api_version: str,
    kind: str,
    name: str,
    namespace: str | None = None,
    *,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    **body: Any,
) -> dict[str, Any]:
    """A manifest with keys in the conventional order: apiVersion, kind, metadata, body."""
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    if labels:
        metadata["labels"] = dict(sorted(labels.items()))
    if annotations:
        metadata["annotations"] = dict(sorted(annotations.items()))
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **body}


def selector_labels(wl: GatewayWorkload) -> dict[str, str]:
    """Labels that pick the gateway pods of every revision: for the Service, PDB, spread,
    NetworkPolicy and Istio Gateways, so a canary revision's pods share the Service."""
    return dict(wl.labels)


def deployment_labels(wl: GatewayWorkload, deployment: str) -> dict[str, str]:
    """One Deployment's own pod selector: its `app` label keeps revisions' ReplicaSets apart."""
    return {"app": deployment, **wl.labels}


def common_labels(wl: GatewayWorkload, stack: str) -> dict[str, str]:
    labels = {
        **deployment_labels(wl, wl.name),
        **MANAGED_BY,
        "app.kubernetes.io/name": wl.name,
        "app.kubernetes.io/part-of": stack,
    }
    # No istio.io/rev here: the Service, PDB and the rest serve every revision's pods, and a
    # revision change must not touch them.
    return labels


def container_security(uid: int) -> dict[str, Any]:
    """The restricted Pod Security profile for one container: non-root, nothing to escalate."""
    return {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "capabilities": {"drop": ["ALL"]},
    }


def pod_security(uid: int) -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": uid,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def skip_checks(reasons: dict[str, str]) -> dict[str, str]:
    """checkov suppressions as annotations on the object itself, each with its reason."""
    return {
        f"checkov.io/skip{i}": f"{check}={reason}"
        for i, (check, reason) in enumerate(sorted(reasons.items()), start=1)
    }
