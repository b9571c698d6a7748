"""IstioAddonGateway: the AKS Istio add-on's gateway Service, patched, not deployed."""

from __future__ import annotations

from typing import Any

import pulumi

from ingresslib.components.base import renamed_type
from ingresslib.components.register import register, resource_name


class IstioAddonGateway(pulumi.ComponentResource):
    """Server-side-apply patch of the add-on's Service: the annotations AKS allows there and
    externalTrafficPolicy, and nothing the add-on manages besides."""

    def __init__(
        self, name: str, patch: dict[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ingresslib:index:IstioAddonGateway", name, None,
                         renamed_type(opts, "ingresslib:azure:IstioAddonGateway"))
        meta = patch["metadata"]
        self.service = register(resource_name(name, patch), patch,
                                pulumi.ResourceOptions(parent=self), patch=True)
        self.namespace = meta["namespace"]
        self.service_name = meta["name"]
        self.register_outputs({"namespace": self.namespace, "serviceName": self.service_name})
