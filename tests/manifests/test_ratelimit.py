"""manifests/ratelimit.py: the global and local rate-limit EnvoyFilters."""
