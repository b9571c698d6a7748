"""`ConfigError` in a Pulumi program: also a `pulumi.RunError`, so that `pulumi up` shows a
user's mistake as its message alone.

Pulumi's Python host logs a `pulumi.RunError` by its text and every other exception with its
traceback (`except pulumi.RunError as e: pulumi.log.error(str(e))` in
pulumi/pulumi sdk/python/cmd/pulumi-language-python-exec). `ConfigError(...)` builds this
class by itself whenever `pulumi` is imported (`ingresslib.errors.ConfigError.__new__`), so
every refusal raised in a program, by `load_config`, `parse_config`, `IngressStack`, a
component or a section's constructor (`StackConfig(...)`), reads under `pulumi up` as it does
in `ingresslib validate`: every problem with its path, value, fix and file:line.
"""

from __future__ import annotations

import pulumi

from ingresslib.errors import ConfigError


class PulumiConfigError(ConfigError, pulumi.RunError):
    """A `ConfigError` that Pulumi's Python host prints without a traceback. Catch it as
    `ConfigError` (or `pulumi.RunError`); its problems, source and text are ConfigError's."""
