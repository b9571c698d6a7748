"""Pulumi mocks that record every registration and answer with deterministic outputs."""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.rpc import deserialize_properties_unwrap_secrets

from ingresslib.aws import fakes as aws
from ingresslib.offline.project import OfflineError

__all__ = ["OfflineError", "RecordingMocks", "RecordingMonitor", "Registered"]


@dataclass(frozen=True)
class Registered:
    """One resource the program registered, with the inputs Pulumi would send to its provider."""

    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    urn: str = ""
    parent: str = ""
    # What Pulumi matches a changed URN with (`urn` or `name`/`type`/`parentUrn`/`noParent`),
    # and the inputs whose change the program asks to replace on.
    aliases: tuple[Mapping[str, Any], ...] = ()
    replace_on_changes: tuple[str, ...] = ()
    # URNs of the resources it was registered to depend on (`depends_on`).
    dependencies: tuple[str, ...] = ()
    # Options that render nothing into the inputs: `protect` (Pulumi refuses to delete it) and
    # `ignore_changes` (the inputs another controller owns, left out of every update).
    protect: bool = False
    ignore_changes: tuple[str, ...] = ()

    @property
    def alias_types(self) -> tuple[str, ...]:
        """Earlier type tokens the resource answers to (its Pulumi type aliases)."""
        return tuple(a["type"] for a in self.aliases if a.get("type"))

    @property
    def is_kubernetes(self) -> bool:
        return self.type.startswith("kubernetes:")


# Azure's fakes (and the ARM ID builders under them) load with the first Azure resource or
# function call: an EKS stack's render never imports them.
_AZURE = "azure-native:"


def _azure() -> ModuleType:
    from ingresslib.azure import fakes  # noqa: PLC0415

    return fakes


def _fake_pem(label: str, name: str) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()
    return f"-----BEGIN {label}-----\nMOCK{digest}\n-----END {label}-----\n"


# Outputs a provider computes that programs read (the rest echo the inputs).
_COMPUTED: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
    "tls:index/privateKey:PrivateKey": lambda n, _: {
        "privateKeyPem": _fake_pem("PRIVATE KEY", n),
        "publicKeyPem": _fake_pem("PUBLIC KEY", n),
    },
    "tls:index/selfSignedCert:SelfSignedCert": lambda n, _: {
        "certPem": _fake_pem("CERTIFICATE", n)
    },
    "tls:index/locallySignedCert:LocallySignedCert": lambda n, _: {
        "certPem": _fake_pem("CERTIFICATE", n)
    },
    "tls:index/certRequest:CertRequest": lambda n, _: {
        "certRequestPem": _fake_pem("CERTIFICATE REQUEST", n)
    },
}


class RecordingMocks(pulumi.runtime.Mocks):
    """Echo inputs back as outputs (plus computed ones), keep every registration in order.

    `config` is the stack's config; its `aws:region` goes into the fake AWS identifiers.
    """

    def __init__(self, config: Mapping[str, str] | None = None) -> None:
        self.registered: list[Registered] = []
        # URN -> the outputs a component (or the stack, its exports) registered at its end.
        self.outputs: dict[str, dict[str, Any]] = {}
        self.region = (config or {}).get("aws:region", aws.DEFAULT_REGION)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered.append(Registered(args.typ, args.name, bool(args.custom), args.inputs))
        computed = _COMPUTED.get(args.typ)
        outputs = {
            **args.inputs,
            **(computed(args.name, args.inputs) if computed else {}),
            **(_azure().computed(args.typ, args.name, args.inputs)
               if args.typ.startswith(_AZURE) else {}),
            # The AWS fakes answer for the controller's NLB on a gateway Service too.
            **aws.computed(args.typ, args.name, args.inputs, self.region),
        }
        return str(outputs.get("id") or f"{args.name}-id"), outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        # A plain dict: the SDK's mock monitor cannot take a (dict, None) tuple.
        answer = _azure().CALLS.get(args.token) if args.token.startswith(_AZURE) else None
        if answer is not None:
            return answer(dict(args.args))
        answer = aws.CALLS.get(args.token)
        if answer is not None:
            try:
                return answer(dict(args.args), self.region)
            except LookupError as e:
                raise OfflineError(f"offline render cannot answer {args.token}: {e}") from None
        raise OfflineError(
            f"offline render cannot answer the provider function {args.token}; "
            "compute the value in the program or pass it in through config"
        )


class RecordingMonitor(MockMonitor):
    """Adds each resource's URN and parent URN to its record, for tree and naming checks."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.recording = mocks
        self._lock = threading.Lock()
        self._urns: set[str] = set()
        self.duplicates: list[str] = []
        # (type, name) -> positions of the records still without a URN, oldest first; records
        # up to `_seen` are in it (a dict lookup per registration, not a scan of all records).
        self._pending: dict[tuple[str, str], deque[int]] = {}
        self._seen = 0

    def RegisterResource(self, request: Any) -> Any:
        # As the engine refuses a second resource of one URN, the runner refuses the render
        # that registered one (`duplicates`; two IngressStacks of one name rendered, and
        # `validate` said valid). Raising here, in the SDK's worker thread, would leave the
        # program's outputs pending.
        urn = self.make_urn(request.parent, request.type, request.name)
        with self._lock:
            if urn in self._urns:
                self.duplicates.append(urn)
            self._urns.add(urn)
        # The SDK calls this from worker threads, so registrations interleave: find the record
        # by type and name rather than by position.
        response = super().RegisterResource(request)
        with self._lock:
            records = self.recording.registered
            for i in range(self._seen, len(records)):
                if not records[i].urn:
                    self._pending.setdefault((records[i].type, records[i].name), deque()).append(i)
                self._seen = i + 1
            waiting = self._pending.get((request.type, request.name))
            if waiting:
                i = waiting.popleft()
                records[i] = replace(
                    records[i], urn=response.urn, parent=request.parent,
                    aliases=tuple(_alias(a) for a in request.aliases),
                    replace_on_changes=tuple(request.replaceOnChanges),
                    dependencies=tuple(request.dependencies),
                    protect=request.protect, ignore_changes=tuple(request.ignoreChanges))
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        outputs, _ = deserialize_properties_unwrap_secrets(request.outputs)
        with self._lock:
            self.recording.outputs[request.urn] = outputs
        return super().RegisterResourceOutputs(request)


def _alias(alias: Any) -> Mapping[str, Any]:
    if alias.HasField("urn") or not alias.HasField("spec"):
        return {"urn": alias.urn}
    spec = alias.spec
    fields = {"name": spec.name, "type": spec.type, "parentUrn": spec.parentUrn}
    return {k: v for k, v in fields.items() if v} | ({"noParent": True} if spec.noParent else {})
