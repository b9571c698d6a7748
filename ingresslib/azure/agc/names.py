"""What an AKS stack with Application Gateway for Containers uses: its section and the names of
the Azure and Kubernetes resources ingresslib gives it."""

from __future__ import annotations

from ingresslib.azure.agc.config import ApplicationGatewayForContainers
from ingresslib.azure.config import AksStack
from ingresslib.config.routing import Backend, Route

# Where the section sits in the config, for problems.
PATH = "azure.applicationGatewayForContainers"



def agc(cfg: AksStack) -> ApplicationGatewayForContainers | None:
    """The stack's AGC section when an AKS chained or standalone stack uses it."""
    az = cfg.azure if cfg.cloud == "aks" else None
    section = az.application_gateway_for_containers if az is not None else None
    return section if section is not None and cfg.topology in ("chained", "standalone") else None


def traffic_controller_name(cfg: AksStack) -> str:
    section = agc(cfg)
    assert section is not None
    return section.name or f"{cfg.name}-agc"


def frontend_name(cfg: AksStack) -> str:
    return f"{cfg.name}-frontend"


def association_name(cfg: AksStack) -> str:
    return f"{cfg.name}-association"


def waf_policy_name(cfg: AksStack) -> str:
    return f"{cfg.name}-agc-waf"


def gateway_namespace(cfg: AksStack) -> str:
    """Where the AGC Gateway lives: beside the Istio gateway (chained), or its own namespace."""
    section = agc(cfg)
    assert section is not None
    wl = cfg.workload
    return wl.namespace if cfg.topology == "chained" and wl is not None else section.namespace


def backend_protocol(backend: Backend) -> str:
    """`HTTP` or `GRPC`: what the backend speaks."""
    return backend.protocol


def grpc_hosts(cfg: AksStack) -> set[str]:
    """Hosts whose routes all send to gRPC backends: AGC forwards them with a GRPCRoute, the
    only way it speaks HTTP/2 to what it sends to."""
    out = set()
    for host in cfg.routing.hosts:
        kinds = {backend_protocol(cfg.routing.backends[d.backend])
                 for route in host.routes for d in route.to if d.backend in cfg.routing.backends}
        if kinds == {"GRPC"}:
            out.add(host.host)
    return out


def target_port(backend: Backend) -> int | str:
    """The pods' port AGC connects to: the backend's targetPort, else its Service port."""
    return backend.target_port if backend.target_port is not None else backend.port


def host_timeout(routes: list[Route], default: int) -> str:
    """The request timeout AGC applies to a host's HTTPRoute: its routes' (they agree, by the
    rules), or requestTimeoutSeconds."""
    return next((r.timeout for r in routes if r.timeout), f"{default}s")
