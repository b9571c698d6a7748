"""Checks of a cloud account before `pulumi up`: what the config names must exist and fit.

Each check reports `Problem`s with the config path they concern, like config validation does.
"""
