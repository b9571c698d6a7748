"""A field of a Kubernetes object that Pulumi would update in place but the cluster will not
take as an update (EDGE-CH-IMMUTABLE): `ingresslib diff` names a change of it with the two
steps that apply it. Each cloud lists its own controllers' (`ingresslib.aws.replacements`);
`ingresslib.offline.replacements` adds the API server's."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Immutable:
    """`fields` of `kind` objects (each a path of keys, so annotation names with dots stay
    whole); `what` says who refuses the change or what it causes, `steps` what to do
    instead."""

    api_version: str
    kind: str
    fields: tuple[tuple[str, ...], ...]
    what: str
    steps: str
