"""Which of Azure's products an AKS stack uses, as the cloud-agnostic code asks it: these read
the stack's fields only, so asking never loads the Azure config models
(`ingresslib.azure.config`, which re-exports them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingresslib.azure.config import AksStack


def uses_addon(cfg: AksStack) -> bool:
    """Whether the AKS Istio add-on's managed gateway is the gateway (topology gateway with
    `azure.istioAddon` set)."""
    return (cfg.cloud == "aks" and cfg.azure is not None and cfg.azure.istio_addon is not None
            and cfg.topology == "gateway")


def uses_agc(cfg: AksStack) -> bool:
    """Whether Application Gateway for Containers is the L7 load balancer (chained,
    standalone); its section is completed by `ingresslib.azure.agc.config`."""
    return (cfg.cloud == "aks" and cfg.azure is not None and cfg.topology != "gateway"
            and cfg.azure.application_gateway_for_containers is not None)
