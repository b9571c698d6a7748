"""Kubernetes resource quantities, parsed so requests can be compared with limits."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

_QUANTITY = re.compile(r"^(?P<num>[0-9]+(\.[0-9]+)?)(?P<suffix>m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_FACTORS = {
    None: Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}


def quantity_value(text: str) -> Decimal:
    """The quantity's value in base units (cores, bytes)."""
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(
            "must be a Kubernetes quantity such as '500m', '2', '512Mi' or '1Gi'"
        )
    return Decimal(match["num"]) * _FACTORS[match["suffix"]]


def _as_text(value: object) -> object:
    # YAML turns `cpu: 1` into an int; a quantity is always rendered as a string.
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _positive(text: str) -> str:
    if quantity_value(text) <= 0:
        raise ValueError("must be greater than zero")
    return text


Quantity = Annotated[str, BeforeValidator(_as_text), AfterValidator(_positive), WithJsonSchema(
    {"x-type": "quantity", "anyOf": [{"type": "string",  # JSON Schema has no named groups
                                      "pattern": re.sub(r"\?P<\w+>", "", _QUANTITY.pattern)},
               {"type": "number", "exclusiveMinimum": 0}]})]
