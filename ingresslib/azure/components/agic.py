"""AgicIngresses: the Ingress objects AGIC turns into Application Gateway routing."""

from __future__ import annotations

import pulumi

from ingresslib.azure.agic.ingresses import ingress_objects
from ingresslib.azure.application_gateway.edge_contract import ingress_problems
from ingresslib.azure.config import AksStack
from ingresslib.components.base import renamed_type
from ingresslib.components.policies import Manifest, StackPart
from ingresslib.errors import RENDERED, ConfigError


class AgicIngresses(StackPart):
    """One Ingress per standalone route, in its backend's namespace (topology standalone)."""

    def __init__(
        self,
        name: str,
        config: AksStack,
        opts: pulumi.ResourceOptions | None = None,
        *,
        manifests: list[Manifest] | None = None,
    ) -> None:
        manifests = ingress_objects(config) if manifests is None else manifests
        broken = list(ingress_problems(manifests))
        if broken:
            raise ConfigError(broken, RENDERED)
        super().__init__("ingresslib:index:AgicIngresses", name, None,
                         renamed_type(opts, "ingresslib:azure:AgicIngresses"))
        self._register(name, manifests)
