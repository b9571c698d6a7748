"""boto3 clients, one per session, service and region: creating a client costs more than most
calls made with it (it loads the service's model)."""

from __future__ import annotations

import weakref
from typing import Any

_CLIENTS: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], Any]] = (
    weakref.WeakKeyDictionary())


def client(session: Any, service: str, region: str) -> Any:
    """`session.client(service, region_name=region)`, made once per session."""
    cache = _CLIENTS.setdefault(session, {})
    if (service, region) not in cache:
        cache[service, region] = session.client(service, region_name=region)
    return cache[service, region]
