"""Listeners: the ports, protocols, hosts and TLS settings the edge serves."""


import re
from collections.abc import Iterator, Sequence
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, WithJsonSchema, model_validator

from ingresslib.config.base import DnsLabel, Model
from ingresslib.config.hostnames import (
    HostPatterns,
    covered,
    host_covers,  # noqa: F401 (public name kept here)
)
from ingresslib.errors import Problem

_HOST = re.compile(
    r"^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
)


def _host(value: str) -> str:
    if value == "*":
        return value
    if len(value) > 253 or not _HOST.match(value):
        raise ValueError(
            "must be a lower-case DNS name, optionally with a leading '*.' wildcard "
            "(e.g. shop.example.com or *.example.com)"
        )
    return value


Host = Annotated[str, AfterValidator(_host), WithJsonSchema(
    {"type": "string", "x-type": "host", "maxLength": 253,
     "pattern": rf"^(\*|{_HOST.pattern[1:-1]})$"})]


class ListenerTls(Model):
    """TLS on an HTTPS or TLS listener; `certificate` names an entry of `certificates`."""

    mode: Literal["SIMPLE", "MUTUAL", "PASSTHROUGH"] = "SIMPLE"
    """`SIMPLE` terminates TLS with the certificate; `MUTUAL` also asks clients for a certificate
    signed by the certificate's CA (`ca.crt`); `PASSTHROUGH` forwards TLS untouched, by SNI
    (protocol TLS only)."""
    certificate: DnsLabel | None = None
    """Key of `certificates` to present; required unless PASSTHROUGH, refused with it."""
    min_protocol_version: Literal["TLSV1_2", "TLSV1_3"] = "TLSV1_2"
    """Oldest TLS version accepted: `TLSV1_2` or `TLSV1_3`."""
    cipher_suites: list[str] = []
    """Envoy cipher suite names for TLS 1.2, in preference order; empty keeps Envoy's defaults. Not
    with TLSV1_3, nor where a cloud load balancer terminates TLS."""

    @model_validator(mode="after")
    def _certificate_matches_mode(self) -> Self:
        if self.mode == "PASSTHROUGH" and self.certificate:
            raise ValueError("PASSTHROUGH forwards TLS untouched; remove certificate")
        if self.mode != "PASSTHROUGH" and not self.certificate:
            raise ValueError(f"mode {self.mode} terminates TLS and needs a certificate")
        if self.min_protocol_version == "TLSV1_3" and self.cipher_suites:
            raise ValueError("TLS 1.3 cipher suites are not configurable in Envoy; remove them")
        return self


class Listener(Model):
    """One server of the edge: a port, a protocol and the hosts it accepts."""

    name: DnsLabel
    """Unique listener name: the Istio Gateway server's port name."""
    port: int = Field(ge=1, le=65535)
    """Port clients connect to; with an Istio gateway 80 or 443, the ports its Service exposes."""
    protocol: Literal["HTTP", "HTTPS", "TLS"]
    """`HTTP`, `HTTPS` (TLS terminated, then HTTP routing) or `TLS` (PASSTHROUGH, routed by SNI)."""
    hosts: list[Host] = Field(min_length=1)
    """Host names served: lower-case DNS names, optionally with a leading `*.` wildcard (one label);
    `*` needs allowAnyHost. A host appears on one listener per port."""
    allow_any_host: bool = False
    """Allow `*` in hosts (every Host header is accepted)."""
    # None: redirect to HTTPS exactly when HTTPS listeners serve all of this listener's hosts.
    https_redirect: bool | None = None
    """On an HTTP listener, answer with a redirect to HTTPS. Unset: redirect exactly when HTTPS
    listeners serve all of this listener's hosts (never in chained, where the L7 load balancer
    redirects)."""
    tls: ListenerTls | None = None
    """TLS settings; required for HTTPS and TLS listeners, refused for HTTP."""

    def problems(self, path: str) -> Iterator[Problem]:
        if "*" in self.hosts and not self.allow_any_host:
            yield Problem(
                f"{path}.hosts",
                self.hosts,
                "'*' accepts every Host header; list the hosts, or set allowAnyHost: true",
            )
        if len(set(self.hosts)) != len(self.hosts):
            yield Problem(f"{path}.hosts", self.hosts, "lists a host twice; remove duplicates")
        if self.protocol == "HTTP" and self.tls is not None:
            yield Problem(f"{path}.tls", "set", "an HTTP listener takes no tls; use HTTPS")
        if self.protocol in ("HTTPS", "TLS") and self.tls is None:
            yield Problem(
                f"{path}.tls", None, f"a {self.protocol} listener needs tls with a certificate"
            )
        if self.protocol == "HTTPS" and self.tls and self.tls.mode == "PASSTHROUGH":
            yield Problem(
                f"{path}.tls.mode", "PASSTHROUGH", "use protocol TLS for PASSTHROUGH listeners"
            )
        if self.protocol == "TLS" and self.tls and self.tls.mode != "PASSTHROUGH":
            yield Problem(
                f"{path}.protocol",
                "TLS",
                "protocol TLS is for PASSTHROUGH; use HTTPS to terminate TLS at the gateway",
            )


class ListenerHosts:
    """Which listeners serve a host (`host_covers` of one of their hosts), by lookup instead of
    reading every listener's hosts for each host asked about."""

    def __init__(self, listeners: Sequence[Listener]) -> None:
        self._listeners = list(listeners)
        self._index = HostPatterns((h, k) for k, lst in enumerate(self._listeners)
                                   for h in lst.hosts)

    def serving(self, host: str) -> list[Listener]:
        """The listeners serving `host` (exactly or by wildcard), each once, in order."""
        return [self._listeners[k] for k in self._index.covering(host)]


def https_hosts(listeners: Sequence[Listener]) -> frozenset[str]:
    """Every host (or pattern) an HTTPS listener of `listeners` serves: where a redirect to
    HTTPS can land (`without_https`, `redirects`)."""
    return frozenset(h for o in listeners if o.protocol == "HTTPS" for h in o.hosts)


def without_https(lst: Listener, https: frozenset[str]) -> list[str]:
    """The hosts of `lst` that none of `https` (`https_hosts` of the stack's listeners)
    covers."""
    return [h for h in lst.hosts if not covered(https, h)]


def redirects(lst: Listener, https: frozenset[str]) -> bool:
    """Whether an HTTP listener answers with a redirect to HTTPS: as set, or by default
    whenever the HTTPS listeners serve all its hosts (`https`: `https_hosts` of the stack's
    listeners, gathered once for all of them)."""
    if lst.protocol != "HTTP":
        return False
    if lst.https_redirect is not None:
        return lst.https_redirect
    return not without_https(lst, https)


def redirect_names(listeners: Sequence[Listener]) -> set[str]:
    """The names of the listeners of `listeners` that redirect to HTTPS (`redirects`)."""
    https = https_hosts(listeners)
    return {lst.name for lst in listeners if redirects(lst, https)}
