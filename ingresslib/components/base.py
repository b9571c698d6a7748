"""What every ingresslib component shares: registering rendered manifests as its children."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
from pydantic import BaseModel, create_model

from ingresslib.components.register import register, resource_name
from ingresslib.config.base import Model
from ingresslib.errors import ConfigError, Problem, caller_location


class ManifestComponent(pulumi.ComponentResource):
    """A component whose children are the manifests its pure core rendered."""

    def _register_manifests(
        self, name: str, manifests: list[dict[str, Any]],
        after: list[pulumi.Resource] | None = None, *,
        after_each: Callable[[dict[str, Any]], list[pulumi.Resource]] | None = None,
    ) -> dict[str, pulumi.CustomResource]:
        """Register each manifest with `parent=self`, named `{name}-{object}`; Namespaces first,
        and everything else after them (and after `after`, and after what `after_each` gives
        for that manifest)."""
        children: dict[str, pulumi.CustomResource] = {}
        depends: list[pulumi.Resource] = list(after or [])
        for manifest in sorted(manifests, key=lambda m: m["kind"] != "Namespace"):
            meta = manifest["metadata"]
            own = after_each(manifest) if after_each else []
            child = register(
                resource_name(name, manifest),
                manifest,
                pulumi.ResourceOptions(parent=self, depends_on=[*depends, *own]),
            )
            key = f"{manifest['kind']}/{meta.get('namespace', '')}/{meta['name']}"
            children[key] = child
            if manifest["kind"] == "Namespace":
                depends = [*depends, child]
        return children


def renamed_type(opts: pulumi.ResourceOptions | None, *old_types: str) -> pulumi.ResourceOptions:
    """`opts` plus an alias from each type token the component had in earlier releases, so
    that `pulumi up` after an upgrade moves the component and its children instead of
    replacing them (children inherit their parent's aliases)."""
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=t) for t in old_types]))


def checked_arguments(component: str, **arguments: tuple[Any, Any]) -> dict[str, Any]:
    """A component's arguments, each given as `(declared type, value)`, validated as a config
    is: a section takes its model or a mapping of its keys (either spelling), a list its
    items, a `Literal` one of its values (with a did-you-mean), a `DnsLabel` that format.
    Returns the validated values by argument name. Raises ConfigError naming each bad
    argument, at the line of the user's program that created the component, before anything
    is registered (a misspelt `topology="chaned"` fell back to the default, a dict for a
    section ended in an AttributeError). The model of a signature is built once."""
    model = _arguments_model(component, tuple((name, tp) for name, (tp, _) in
                                              arguments.items()))
    values = model(**{name: value for name, (_, value) in arguments.items()})
    return {name: getattr(values, name) for name in arguments}


@functools.cache
def _arguments_model(component: str, fields: tuple[tuple[str, Any], ...]) -> type[Model]:
    return create_model(component, __base__=Model,  # type: ignore[call-overload, no-any-return]
                        **{name: (tp, ...) for name, tp in fields})


def refuse_alone(source: str, problems: list[Problem], sections: Mapping[str, Any]) -> None:
    """Raise the problems a component found in the sections it was given alone, as the
    stack would name them (paths from the section's key, list items by name), at the line of
    the user's program that created the component. `sections`: each section's key and its
    model, list of models, or mapping of models."""
    if problems:
        error = ConfigError(problems, source).named(
            {key: _dumped(value) for key, value in sections.items()})
        where = caller_location()
        raise error.located(lambda _: where) if where else error


def _dumped(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True)
    if isinstance(value, Mapping):
        return {k: _dumped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dumped(v) for v in value]
    return value
