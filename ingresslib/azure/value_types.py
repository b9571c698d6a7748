"""Value types of Azure settings that several sections share: resource names, subnet IDs,
object IDs, each with the pattern Azure accepts (published in the JSON Schema)."""

from __future__ import annotations

import re
from typing import Annotated

from ingresslib.config.base import Pattern


def _pattern(regex: str, what: str, flags: int = 0) -> Pattern:
    return Pattern(regex, what, flags)


ResourceName = Annotated[str, _pattern(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$",
                                       "an Azure resource name: letters, digits, '_', '.' and "
                                       "'-', starting alphanumeric, at most 80")]
SubnetId = Annotated[str, _pattern(
    r"^/subscriptions/[0-9a-f-]{36}/resourceGroups/[^/]+/providers/Microsoft\.Network/"
    r"virtualNetworks/[^/]+/subnets/[^/]+$",
    "a subnet resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/"
    "Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>", re.IGNORECASE)]
Uuid = Annotated[str, _pattern(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                               "an object ID (a lower-case GUID)")]
