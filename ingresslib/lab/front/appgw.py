"""Not yet emulated."""

from ingresslib.lab.front.model import FrontError


def build(*args, **kwargs):
    raise FrontError("appgw", "-", "not yet emulated")
