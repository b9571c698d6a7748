"""The thin Pulumi layer: one manifest dict in, one pulumi_kubernetes resource out."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

_TYPED: dict[tuple[str, str], Any] = {
    ("v1", "Namespace"): k8s.core.v1.Namespace,
    ("v1", "ServiceAccount"): k8s.core.v1.ServiceAccount,
    ("v1", "Service"): k8s.core.v1.Service,
    ("v1", "Secret"): k8s.core.v1.Secret,
    ("v1", "ConfigMap"): k8s.core.v1.ConfigMap,
    ("apps/v1", "Deployment"): k8s.apps.v1.Deployment,
    ("autoscaling/v2", "HorizontalPodAutoscaler"): k8s.autoscaling.v2.HorizontalPodAutoscaler,
    ("policy/v1", "PodDisruptionBudget"): k8s.policy.v1.PodDisruptionBudget,
    ("networking.k8s.io/v1", "NetworkPolicy"): k8s.networking.v1.NetworkPolicy,
    ("networking.k8s.io/v1", "Ingress"): k8s.networking.v1.Ingress,
    ("rbac.authorization.k8s.io/v1", "Role"): k8s.rbac.v1.Role,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): k8s.rbac.v1.RoleBinding,
}


# Server-side-apply patches of objects another controller owns (the AKS add-on's Service).
_PATCHES: dict[tuple[str, str], Any] = {("v1", "Service"): k8s.core.v1.ServicePatch}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def register(
    name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions, *, patch: bool = False
) -> pulumi.CustomResource:
    """Register `manifest` as a typed resource, or a CustomResource for CRD kinds; with `patch`,
    as a patch of an existing object, owning only the fields the manifest sets.

    The manifest's top-level fields become the resource's inputs unchanged, so what Pulumi
    sends to the cluster is exactly what the pure core rendered.
    """
    api_version, kind = manifest["apiVersion"], manifest["kind"]
    body = {k: v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
    if patch:
        return _PATCHES[(api_version, kind)](
            name, opts=opts, **{_snake(k): v for k, v in body.items()})
    cls = _TYPED.get((api_version, kind))
    if cls is not None:
        return cls(name, opts=opts, **{_snake(k): v for k, v in body.items()})
    return k8s.apiextensions.CustomResource(
        name, api_version=api_version, kind=kind, opts=opts, **body
    )


def resource_name(prefix: str, manifest: dict[str, Any]) -> str:
    """`{component}-{namespace}-{name}` (cluster-scoped: `{component}-{name}`): unique per
    type, and stable whatever else the component renders, so URNs never shift."""
    meta = manifest["metadata"]
    scope = f"{meta['namespace']}-" if "namespace" in meta else ""
    return f"{prefix}-{scope}{meta['name']}"
