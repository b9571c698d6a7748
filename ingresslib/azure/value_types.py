"""Value types of Azure settings that several sections share: resource names, subnet IDs,
object IDs, each with the pattern Azure accepts (published in the JSON Schema)."""

from __future__ import annotations

import re
from typing import Annotated

from ingresslib.config.base import Pattern

ResourceName = Annotated[str, Pattern(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$",
                                      "an Azure resource name: letters, digits, '_', '.' and "
                                      "'-', starting alphanumeric, at most 80")]
SubnetId = Annotated[str, Pattern(
    r"^/subscriptions/[0-9a-f-]{36}/resourceGroups/[^/]+/providers/Microsoft\.Network/"
    r"virtualNetworks/[^/]+/subnets/[^/]+$",
    "a subnet resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/"
    "Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>", re.IGNORECASE)]
Uuid = Annotated[str, Pattern(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                              "an object ID (a lower-case GUID)")]
KeyVaultName = Annotated[str, Pattern(r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$",
                                      "a Key Vault name: 3-24 letters, digits and '-', starting "
                                      "with a letter and ending with a letter or digit")]
StatusCodes = Annotated[str, Pattern(r"^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$",
                                     "HTTP status codes or ranges from 100 to 599, separated by "
                                     "commas without spaces: 200-399, or 200,302")]
