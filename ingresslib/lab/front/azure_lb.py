"""Not yet emulated."""

from ingresslib.lab.front.model import FrontError


def build(*args, **kwargs):
    raise FrontError("azure_lb", "-", "not yet emulated")
