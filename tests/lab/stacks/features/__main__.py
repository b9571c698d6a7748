"""The edge lab's feature stack: its config is the spec the probes are derived from."""

from ingresslib import IngressStack, load_config

config = load_config(cloud="eks")
IngressStack(config.name, config)
