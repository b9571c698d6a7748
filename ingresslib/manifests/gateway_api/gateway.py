"""The Gateway API `Gateway` of an Istio gateway stack, bound to ingresslib's own gateway.

Istio's *manual deployment*: `spec.addresses` names the gateway Service by its cluster host
name, so Istio programs the pods that Service selects (ingresslib's hardened Deployment, or
the AKS add-on's) and deploys nothing itself. The Service, its cloud load balancer and every
production default of the workload stay exactly as with the classic API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ingresslib.config.listeners import Listener
from ingresslib.errors import ConfigError, Problem
from ingresslib.manifests.gateway_api.routes import GATEWAY_API, ParentRef, listener_sections
from ingresslib.manifests.meta import MANAGED_BY, obj

GATEWAY_CLASS = "istio"
MAX_LISTENERS = 64
# Istio's listener TLS options (pilot/pkg/config/kube/gateway): MUTUAL reads the client CA
# from the certificate Secret's ca.crt, as the classic Gateway's credentialName does.
TLS_TERMINATE_MODE = "gateway.istio.io/tls-terminate-mode"
TLS_CIPHER_SUITES = "gateway.istio.io/tls-cipher-suites"


def service_host(name: str, namespace: str) -> str:
    return f"{name}.{namespace}.svc.cluster.local"


def _tls(lst: Listener, credential: str | None, path: str, problems: list[Problem]
         ) -> dict[str, Any]:
    assert lst.tls is not None
    if lst.tls.mode == "PASSTHROUGH":
        return {"mode": "Passthrough"}
    tls: dict[str, Any] = {"mode": "Terminate"}
    if credential:
        tls["certificateRefs"] = [{"group": "", "kind": "Secret", "name": credential}]
    options: dict[str, str] = {}
    if lst.tls.mode == "MUTUAL":
        options[TLS_TERMINATE_MODE] = "MUTUAL"
    if lst.tls.cipher_suites:
        options[TLS_CIPHER_SUITES] = ",".join(lst.tls.cipher_suites)
    if lst.tls.min_protocol_version != "TLSV1_2":
        problems.append(Problem(
            f"{path}.tls.minProtocolVersion", lst.tls.min_protocol_version,
            "a Gateway API listener has no minimum TLS version (Istio applies the mesh's "
            "tlsDefaults, TLS 1.2 unless set); set meshConfig.tlsDefaults.minProtocolVersion: "
            "TLSV1_3 for the whole mesh, or keep api: istio"))
    if options:
        tls["options"] = dict(sorted(options.items()))
    return tls


def gateway_api_gateway(
    parent: ParentRef,
    listeners: list[Listener],
    *,
    service: str,
    credentials: Mapping[str, str],
    paths: Mapping[str, str] | None = None,
    class_name: str = GATEWAY_CLASS,
) -> dict[str, Any]:
    """The Gateway `parent` with one listener per listener and host (`listener_sections`),
    bound to the Service `service` (in the Gateway's namespace) by `spec.addresses`.

    `credentials` maps certificate keys to the Secrets in the Gateway's namespace; `paths`
    maps listener names to their config paths for the problems raised (ConfigError) when a
    listener cannot be said in Gateway API.
    """
    problems: list[Problem] = []
    out = []
    for i, lst in enumerate(listeners):
        path = (paths or {}).get(lst.name, f"listeners[{i}]")
        tls = None
        if lst.tls is not None:
            cert = lst.tls.certificate
            tls = _tls(lst, credentials.get(cert) if cert else None, path, problems)
        for hostname, section in listener_sections(lst, parent.base(lst)):
            listener: dict[str, Any] = {"name": section}
            if hostname is not None:
                listener["hostname"] = hostname
            listener["port"] = lst.port
            listener["protocol"] = lst.protocol
            if tls is not None:
                listener["tls"] = tls
            listener["allowedRoutes"] = {"namespaces": {"from": "Same"}}
            out.append(listener)
    if len(out) > MAX_LISTENERS:
        problems.append(Problem("listeners", f"{len(out)} Gateway listeners",
                                f"a Gateway holds at most {MAX_LISTENERS} listeners (one per "
                                "listener and host); serve fewer hosts or use wildcard hosts"))
    if problems:
        raise ConfigError(problems, "api gatewayApi")
    return obj(
        GATEWAY_API, "Gateway", parent.name, parent.namespace, labels=MANAGED_BY,
        spec={
            "gatewayClassName": class_name,
            "addresses": [{"type": "Hostname",
                           "value": service_host(service, parent.namespace)}],
            "listeners": out,
        },
    )
