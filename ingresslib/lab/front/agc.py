"""Not yet emulated."""

from ingresslib.lab.front.model import FrontError


def gateways(render):
    return []


def build(*args, **kwargs):
    raise FrontError("agc", "-", "not yet emulated")
