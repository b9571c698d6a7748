"""Pulumi components: each usable alone, all composed by IngressStack."""
