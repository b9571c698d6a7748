"""Offline rendering: a Pulumi program under the mock runtime, no cloud and no CLI."""
