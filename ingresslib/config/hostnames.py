"""Host name patterns, the three ways ingresslib matches them. Shared by the config rules, the
renderers and the analysis alike.

* Certificates and listener hosts (`host_covers`): RFC 6125, `*.example.com` covers exactly
  one extra label.
* Envoy's virtual hosts (`vhost_covers`) and Gateway API (`hostnames_intersect`) read
  `*.example.com` as a suffix match at any depth that does not cover `example.com` itself;
  they differ in the question: whether one pattern covers every name of another (a virtual
  host answering for a host), or whether two patterns share any name (a route attaching to a
  listener).
"""

from __future__ import annotations


def host_covers(pattern: str, host: str) -> bool:
    """Whether a certificate name or listener host `pattern` matches `host` (RFC 6125 wildcards:
    `*.example.com` covers exactly one extra label)."""
    if pattern == host:
        return True
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return host.endswith(suffix) and "." not in host[: -len(suffix)] and host != suffix[1:]
    return False


def vhost_covers(pattern: str, host: str) -> bool:
    """Whether Envoy's virtual host `pattern` matches every request `host` names, as Istio's
    `host.Name.SubsetOf` reads it: `*` covers all, `*.example.com` any name ending in
    `.example.com` at any depth (also the narrower wildcard `*.api.example.com`)."""
    if not pattern.startswith("*"):
        return host == pattern
    return host[1:].endswith(pattern[1:]) if host.startswith("*") else host.endswith(pattern[1:])


def hostnames_intersect(a: str | None, b: str | None) -> bool:
    """Gateway API's hostname intersection: unset or `*` matches all; `*.example.com` is a
    suffix match (it covers `a.example.com` and `a.b.example.com`, not `example.com`)."""
    if a in (None, "*") or b in (None, "*"):
        return True
    assert a is not None
    assert b is not None
    if a.startswith("*.") and b.startswith("*."):
        return a[1:].endswith(b[1:]) or b[1:].endswith(a[1:])
    if a.startswith("*."):
        return b.endswith(a[1:])
    if b.startswith("*."):
        return a.endswith(b[1:])
    return a == b
