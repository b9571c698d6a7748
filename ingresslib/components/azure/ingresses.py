"""AgicIngresses: the Ingress objects AGIC turns into Application Gateway routing."""

from __future__ import annotations

from ingresslib.components.policies import StackPart
from ingresslib.manifests.agic_ingress import ingress_objects


class AgicIngresses(StackPart):
    """One Ingress per standalone route, in its backend's namespace (topology standalone)."""

    TYPE = "ingresslib:azure:AgicIngresses"
    render = staticmethod(ingress_objects)
