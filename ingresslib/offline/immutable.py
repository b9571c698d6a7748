"""Moved: `Immutable` lives with the rules of changes, `ingresslib.update_rules` (a cloud's
replacements and the offline diff both read it, and a cloud imports nothing from offline).
This name stays importable."""

from ingresslib.update_rules import Immutable

__all__ = ["Immutable"]
