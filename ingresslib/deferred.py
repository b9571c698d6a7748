"""A section model named by its module, loaded the first time it is needed.

Each cloud's section of `StackConfig` (`azure`, `aws`) is one: a stack of the other cloud never
imports the cloud's config models (their classes are a good part of a cold render's import).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Optional


class DeferredModel:
    """Stands in for the model `module.name` in a section's annotation,
    `Annotated[DeferredModel(...) | None, Section()]`, where only the section reads it: the
    model's module loads when a config sets the field, when its JSON Schema is asked for,
    when an error under the field is explained, or on `isinstance` against the stand-in. The
    module that declares the field imports the model itself for type checkers (under
    `TYPE_CHECKING`), so they see the real type.

    Where a program could meet it (`ingresslib.stack.model.Azure`), calling it builds the
    model, as calling the class does (typing takes only callables as types), and `isinstance`
    and `issubclass` answer for the model (each loads the module). Anything else of the class
    (`model_validate`, its fields) is the model's own: import it from its module, or resolve
    the stand-in with `resolved`, as code that walks a model's annotations does."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def model(self) -> Any:
        """The model class (its module imported on the first call)."""
        return getattr(import_module(self.module), self.name)

    def __call__(self, /, **data: Any) -> Any:
        return self.model()(**data)

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self.model())

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, self.model())

    def __or__(self, other: Any) -> Any:
        return Optional[self] if other is None else NotImplemented  # noqa: UP045 - a stand-in is no type

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"


def resolved(tp: Any) -> Any:
    """`tp`, or the model a DeferredModel stands in for."""
    return tp.model() if isinstance(tp, DeferredModel) else tp
