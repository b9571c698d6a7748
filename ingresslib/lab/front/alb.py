"""Not yet emulated."""

from ingresslib.lab.front.model import FrontError


def build(*args, **kwargs):
    raise FrontError("alb", "-", "not yet emulated")
