"""Every shipped stack's render gives a front bootstrap that Envoy accepts
(`envoy --mode validate`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from ingresslib.lab.front import FrontError, front_bootstrap
from tests.lab import front_support as fs

STACKS = sorted((str(f.parent.relative_to(fs.ROOT)), f.name[len("Pulumi."):-len(".yaml")])
                for f in [*fs.ROOT.glob("stacks/*/Pulumi.*.yaml"),
                          *fs.ROOT.glob("examples/*/Pulumi.*.yaml")])
# The EKS chained stack names an imported ACM certificate: its names are not in the render.
EXTERNAL = {"arn:aws:acm:eu-west-1:111122223333:certificate/"
            "0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90": ["shop.example.com"]}
PRODUCTS = {("stacks/eks", "gateway"): "aws-nlb", ("stacks/eks", "chained"): "aws-alb",
            ("stacks/eks", "standalone"): "aws-alb", ("stacks/aks", "gateway"): "azure-lb",
            ("stacks/aks", "chained"): "azure-appgw",
            ("stacks/aks", "standalone"): "azure-appgw",
            ("stacks/aks", "agc-chained"): "azure-agc",
            ("stacks/aks", "agc-standalone"): "azure-agc",
            ("examples/echoserver-canary", "dev"): "aws-nlb",
            ("examples/echoserver-canary", "fifty"): "aws-nlb",
            ("examples/echoserver-canary", "gateway-api"): "aws-nlb",
            ("examples/comprehensive-guide", "dev"): "azure-lb"}


# Routes in front of an existing gateway: the render holds no load balancer, which the front
# says (it never guesses one).
NO_FRONT = {("examples/routing-only", "dev")}


class AnyBackend(Mapping[tuple[str, str], Sequence[str]]):
    """One pod address for whichever backend Service a render names."""

    def __getitem__(self, key: tuple[str, str]) -> Sequence[str]:
        return ["127.79.250.100"]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(())

    def __len__(self) -> int:
        return 0


def test_every_shipped_stack_is_covered() -> None:
    assert set(PRODUCTS) | NO_FRONT == set(STACKS)


@pytest.mark.parametrize(("project", "stack"), STACKS, ids=[f"{p}:{s}" for p, s in STACKS])
def test_front_bootstrap_validates(project: str, stack: str, tmp_path: Path) -> None:
    out = fs.render(project, stack, tmp_path / "render")
    if (project, stack) in NO_FRONT:
        with pytest.raises(FrontError, match="no load balancer"):
            front_bootstrap(out, fs.addresses(backends=AnyBackend()))
        return
    plan = front_bootstrap(out, fs.addresses(backends=AnyBackend()),
                           external_certificates=EXTERNAL)
    if (project, stack) in PRODUCTS:
        assert plan.product == PRODUCTS[(project, stack)]
    assert plan.listeners
    assert plan.not_modeled
    fs.validate(plan, tmp_path)
