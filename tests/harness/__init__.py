"""Test-only helpers: locating ../shared and validating rendered manifests."""
