"""The Istio Gateway: one server per listener, bound to the gateway pods by their labels."""

from __future__ import annotations

from typing import Any

from ingresslib.config.listeners import Listener
from ingresslib.manifests.meta import MANAGED_BY, obj


def _server(lst: Listener, credential: str | None, redirect: bool) -> dict[str, Any]:
    server: dict[str, Any] = {
        "port": {"number": lst.port, "name": lst.name, "protocol": lst.protocol},
        "hosts": list(lst.hosts),
    }
    if lst.protocol == "HTTP":
        if redirect:
            server["tls"] = {"httpsRedirect": True}
        return server
    assert lst.tls is not None
    tls: dict[str, Any] = {"mode": lst.tls.mode}
    if credential:
        # MUTUAL reads the client CA from the same secret's ca.crt (or <name>-cacert).
        tls["credentialName"] = credential
    if lst.tls.mode != "PASSTHROUGH":
        tls["minProtocolVersion"] = lst.tls.min_protocol_version
        if lst.tls.cipher_suites:
            tls["cipherSuites"] = list(lst.tls.cipher_suites)
    server["tls"] = tls
    return server


def istio_gateway(
    name: str,
    namespace: str,
    selector: dict[str, str],
    listeners: list[Listener],
    *,
    credentials: dict[str, str],
    redirects: set[str],
) -> dict[str, Any]:
    """`credentials` maps a listener's certificate name to the Secret Istio reads it from;
    `redirects` names the HTTP listeners that answer with a redirect to HTTPS."""
    servers = [
        _server(
            lst,
            credentials.get(lst.tls.certificate) if lst.tls and lst.tls.certificate else None,
            lst.name in redirects,
        )
        for lst in listeners
    ]
    return obj(
        "networking.istio.io/v1", "Gateway", name, namespace,
        labels=MANAGED_BY,
        spec={"selector": dict(sorted(selector.items())), "servers": servers},
    )
