"""A text field with a format says in words what it takes: every pattern is a `Pattern` (its
mismatch reads "must be <what>"), none is pydantic's own `Field(pattern=...)`, whose mismatch
shows the regular expression (a Key Vault name showed '^[a-zA-Z][a-zA-Z0-9-]{1,22}...')."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Annotated, Any, get_args, get_origin

import pytest

import ingresslib
from ingresslib.config.base import Model, Pattern
from ingresslib.errors import ConfigError
from ingresslib.reference import REFERENCE_FILE, SCHEMA_FILE, document
from ingresslib.stack.model import config_from
from tests.configs import aks_stack


def _models() -> list[type[Model]]:
    for info in pkgutil.walk_packages(ingresslib.__path__, "ingresslib."):
        if info.name.rsplit(".", 1)[-1] in ("config", "certificate", "value_types"):
            importlib.import_module(info.name)
    found, todo = [], [Model]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _metadata(tp: Any) -> Iterator[Any]:
    """Every Annotated metadata item inside the type `tp` (dict keys and list items too)."""
    if get_origin(tp) is Annotated:
        yield from tp.__metadata__
    for arg in get_args(tp):
        yield from _metadata(arg)


def _patterns() -> Iterator[tuple[str, Any]]:
    for model in _models():
        for name, field in model.model_fields.items():
            for item in [*field.metadata, *_metadata(field.annotation)]:
                if isinstance(item, Pattern) or getattr(item, "pattern", None):
                    yield f"{model.__name__}.{name}", item


def test_every_pattern_is_told_in_words() -> None:
    found = list(_patterns())
    assert len(found) >= 30  # the walk reaches the cloud sections
    bare = [where for where, item in found if not isinstance(item, Pattern)]
    assert bare == []
    for where, item in found:
        assert item.what, where
        assert not {"^", "$"} & set(item.what), where


@pytest.mark.parametrize(("change", "path", "words"), [
    ({"certificates": {"portal-tls": {"source": "keyVault", "dnsNames": ["portal.example.com"],
                                      "vault": "1bad_vault", "resourceGroup": "edge",
                                      "certificate": "portal"}}},
     "certificates.portal-tls.vault", "must be a Key Vault name: 3-24 letters"),
    ({"certManager": {"issuers": {"Bad_Issuer": {"type": "existing"}}}},
     "certManager.issuers.Bad_Issuer", "must be a DNS-1123 label: lower-case letters"),
    # As long as the certificates' `issuer` that names it may be (a fresh trial found 70
    # characters taken here and refused there).
    ({"certManager": {"issuers": {"a" * 64: {"type": "existing"}}}},
     f"certManager.issuers.{'a' * 64}", "must be a DNS-1123 label"),
])
def test_a_value_out_of_its_format_gets_the_format_in_words(change: dict[str, Any], path: str,
                                                            words: str) -> None:
    data = {**aks_stack("gateway"), **change}
    with pytest.raises(ConfigError) as info:
        config_from(data, "aks")
    [problem] = [p for p in info.value.problems if p.path == path]
    assert problem.message.startswith(words)
    assert "^" not in problem.message


def test_the_schema_carries_the_words_for_editors_and_the_reference() -> None:
    """`patternErrorMessage` is what VS Code's JSON language service (and the YAML language
    server the stack files name) shows for a mismatch; the config reference shows the words."""
    assert ('"patternErrorMessage": "must be a Key Vault name: 3-24 letters'
            in document(SCHEMA_FILE))
    assert "| a Key Vault name: 3-24 letters" in document(REFERENCE_FILE)
