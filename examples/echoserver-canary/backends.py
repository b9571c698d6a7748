"""The seed's backends: echoserver v1 and v2 behind one Service, in a sidecar-injected namespace.

Plain manifests (pure), registered by the program; subsets v1/v2 select on the `version` label.
"""

from __future__ import annotations

from typing import Any

from ingresslib.manifests.meta import (
    MANAGED_BY,
    container_security,
    obj,
    pod_security,
    skip_checks,
)

NAMESPACE = "echo"
APP = "echoserver"
SERVICE = "echoserver-service"
IMAGE = "registry.k8s.io/echoserver:1.10"
PORT = 8080
UID = 10001
# nginx inside echoserver writes its pid, temp files and logs here.
WRITABLE = ("/tmp", "/var/run", "/var/log/nginx", "/var/lib/nginx")


def namespace() -> dict[str, Any]:
    labels = {**MANAGED_BY, "istio-injection": "enabled"}
    return obj("v1", "Namespace", NAMESPACE, labels=labels)


def deployment(version: str, replicas: int = 2) -> dict[str, Any]:
    labels = {"app": APP, "version": version}
    probe = {"httpGet": {"path": "/", "port": PORT}, "periodSeconds": 10}
    volumes = [f"scratch-{i}" for i in range(len(WRITABLE))]
    container = {
        "name": APP,
        "image": IMAGE,
        "imagePullPolicy": "Always",
        "ports": [{"name": "http", "containerPort": PORT, "protocol": "TCP"}],
        "readinessProbe": probe,
        "livenessProbe": probe,
        "resources": {
            "requests": {"cpu": "50m", "memory": "64Mi"},
            "limits": {"cpu": "250m", "memory": "128Mi"},
        },
        "securityContext": container_security(UID),
        "volumeMounts": [
            {"name": v, "mountPath": p} for v, p in zip(volumes, WRITABLE, strict=True)
        ],
    }
    return obj(
        "apps/v1",
        "Deployment",
        f"{APP}-{version}",
        NAMESPACE,
        labels={**MANAGED_BY, **labels},
        annotations=skip_checks(
            {
                "CKV_K8S_43": "demo image from the seed, pinned by tag; pin digests in your "
                "own backends",
                "CKV_K8S_38": "the Istio sidecar needs the pod's service account token",
            }
        ),
        spec={
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": APP,
                    "securityContext": pod_security(UID),
                    "containers": [container],
                    "volumes": [{"name": v, "emptyDir": {}} for v in volumes],
                },
            },
        },
    )


def service_account() -> dict[str, Any]:
    return obj("v1", "ServiceAccount", APP, NAMESPACE, labels={**MANAGED_BY, "app": APP})


def service() -> dict[str, Any]:
    """Port 80 in front of both versions; the DestinationRule's subsets split them."""
    return obj(
        "v1",
        "Service",
        SERVICE,
        NAMESPACE,
        labels={**MANAGED_BY, "app": APP},
        spec={
            "selector": {"app": APP},
            "ports": [{"name": "http", "port": 80, "targetPort": PORT, "protocol": "TCP"}],
        },
    )


def network_policy(gateway_namespace: str) -> dict[str, Any]:
    """Backends take traffic from the gateway namespace only, plus metrics scrapes."""
    return obj(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        APP,
        NAMESPACE,
        labels={**MANAGED_BY, "app": APP},
        spec={
            "podSelector": {"matchLabels": {"app": APP}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": gateway_namespace}
                            }
                        }
                    ],
                    "ports": [{"port": PORT, "protocol": "TCP"}],
                },
                {
                    "from": [{"namespaceSelector": {}}],
                    "ports": [
                        {"port": 15020, "protocol": "TCP"},
                        {"port": 15090, "protocol": "TCP"},
                    ],
                },
            ],
        },
    )


def objects(gateway_namespace: str) -> list[dict[str, Any]]:
    return [
        namespace(),
        service_account(),
        deployment("v1"),
        deployment("v2"),
        service(),
        network_policy(gateway_namespace),
    ]
