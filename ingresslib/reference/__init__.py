"""The published shape of `ingress:stack`, generated from the config models and kept in docs/:
its JSON Schema, the JSON Schema of a Pulumi stack file holding it, and the config reference.

`ingresslib schema --write docs` regenerates all three; a test fails while they differ from
what the models give.
"""

from __future__ import annotations

import sys
from pathlib import Path

SCHEMA_FILE = "ingress-stack.schema.json"
STACK_FILE_SCHEMA_FILE = "pulumi-stack.schema.json"
REFERENCE_FILE = "config-reference.md"


def document(name: str) -> str:
    """The text of one of the documents in docs/, by file name."""
    # Deferred: only these commands and their tests read the models' schemas.
    from ingresslib.reference.examples import configs  # noqa: PLC0415
    from ingresslib.reference.markdown import reference  # noqa: PLC0415
    from ingresslib.reference.schema import (  # noqa: PLC0415
        definitions,
        dumps,
        stack_file_schema,
        stack_schema,
    )

    if name == SCHEMA_FILE:
        return dumps(stack_schema())
    if name == STACK_FILE_SCHEMA_FILE:
        return dumps(stack_file_schema())
    if name == REFERENCE_FILE:
        return reference(definitions(), configs())
    raise KeyError(name)


def documents() -> dict[str, str]:
    """File name in docs/ -> its text, for all three."""
    return {name: document(name) for name in (SCHEMA_FILE, STACK_FILE_SCHEMA_FILE,
                                              REFERENCE_FILE)}


def schema_command(*, stack_file: bool, reference: bool, write: Path | None) -> int:
    """`ingresslib schema`: print the JSON Schema of `ingress:stack` (or, with `stack_file`,
    of a Pulumi stack file; with `reference`, the Markdown reference), or write all three
    into the directory `write`. Returns the exit code, 0."""
    if write is not None:
        write.mkdir(parents=True, exist_ok=True)
        docs = documents()
        for name, text in docs.items():
            (write / name).write_text(text)
        print(f"wrote {', '.join(docs)} to {write}")
        return 0
    name = STACK_FILE_SCHEMA_FILE if stack_file else REFERENCE_FILE if reference else SCHEMA_FILE
    sys.stdout.write(document(name))
    return 0
