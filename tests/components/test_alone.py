"""Each component used alone, from a user's own program, renders exactly the objects
IngressStack renders for its section: one path from a value to its objects.

For every shipped stack file, each component is built alone in a Pulumi program (fresh mocks)
from the stack's sections and the gateway as the edge plan deploys it, with `manifests` left
for the component to render; its objects must equal the stack's section object for object.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingresslib import (
    Certificates,
    IngressGateway,
    IngressRouting,
    MeshSecurity,
    Monitoring,
    RateLimiting,
)
from ingresslib.config.acme import acme_listeners, http01_hosts
from ingresslib.manifests.certificates import cert_manager_secrets, credentials
from ingresslib.manifests.routing import gateway_listeners
from ingresslib.offline.runner import Project, run_program
from ingresslib.offline.validate import stack_config
from ingresslib.stack.model import StackConfig, parse_config
from ingresslib.stack.render import (
    StackManifests,
    gateway_deployment,
    http01_parent_refs,
    stack_manifests,
)
from tests.configs import HTTP01

ROOT = Path(__file__).resolve().parents[2]
STACK_FILES = sorted(ROOT.glob("stacks/*/Pulumi.*.yaml"))
Manifest = dict[str, Any]


def _alone(cfg: StackConfig) -> dict[str, list[Manifest]]:
    """Each component's own render, by the StackManifests field of its section."""
    plan = cfg.edge
    wl = plan.workload
    built: dict[str, Any] = {}

    def program() -> None:
        if cfg.security is not None:
            built["security"] = MeshSecurity(
                "security", cfg.security, wl, topology=cfg.topology, stack=cfg.name,
                proxy_protocol=plan.gateway.proxy_protocol if plan.gateway else False)
        if wl is None:
            return
        if plan.deploys_gateway:
            assert plan.gateway is not None
            built["gateway"] = IngressGateway("gw", wl, plan.gateway)
        built["certificates"] = Certificates(
            "tls", cfg.certificates, wl.namespace, cert_manager=cfg.cert_manager,
            http01_parent_refs=http01_parent_refs(cfg, wl))
        # The servers as the gateway serves them say which redirect: no `redirecting`.
        built["routing"] = IngressRouting(
            "routing", cfg.routing,
            gateway_listeners(cfg.listeners, cfg.topology, plan.tls_listeners), wl,
            stack=cfg.name, credentials=credentials(cfg.certificates), api=cfg.api,
            experimental=cfg.gateway_api.channel == "experimental",
            challenge_listeners=acme_listeners(cfg), challenge_hosts=http01_hosts(cfg),
            paths={lst.name: f"listeners[{i}]" for i, lst in enumerate(cfg.listeners)})
        built["rate_limits"] = RateLimiting("limits", cfg.rate_limits, wl, stack=cfg.name)
        built["monitoring"] = Monitoring(
            "monitoring", cfg.observability, wl, stack=cfg.name,
            deployment=gateway_deployment(cfg, wl),
            cert_manager_certificates=cert_manager_secrets(cfg.certificates, wl.namespace))

    run_program(program, project="user", stack="alone")
    return {section: component.manifests for section, component in built.items()}


def _config(stack_file: Path) -> StackConfig:
    return stack_config(Project.load(stack_file.parent), stack_file.name[7:-5])


def _stack_file_configs() -> list[Any]:
    return [pytest.param(_config(f), id=f"{f.parent.name}-{f.name[7:-5]}")
            for f in STACK_FILES]


def _with_rate_limits_and_gateway_api() -> StackConfig:
    """The EKS gateway stack with local and global rate limits, a gateway canary revision
    and `api: gatewayApi`: sections no shipped stack file has."""
    data = json.loads(Project.load(ROOT / "stacks" / "eks").stack_config("gateway")
                      ["ingress:stack"])
    data["api"] = "gatewayApi"
    data["gateway"] = {**data.get("gateway", {}), "revision": "1-26"}
    data["rateLimits"] = {
        "local": [{"scope": "gateway", "maxTokens": 1000, "tokensPerFill": 1000,
                   "fillInterval": "1s"}],
        "global": {"service": {"host": "ratelimit.ratelimit.svc.cluster.local", "port": 8081},
                   "descriptors": [{"actions": [{"remoteAddress": {}}],
                                    "limit": {"unit": "minute", "requestsPerUnit": 600}}],
                   "deploy": {"namespace": "ratelimit", "replicas": 2}},
    }
    return parse_config(data)


CONFIGS = [*_stack_file_configs(),
           pytest.param(_with_rate_limits_and_gateway_api(), id="eks-gateway-ratelimits-gwapi"),
           # ACME HTTP-01 (issue 18, input a): the challenge Gateway, or the solver's route.
           pytest.param(parse_config(HTTP01), id="http01-istio"),
           pytest.param(parse_config({**HTTP01, "api": "gatewayApi"}), id="http01-gwapi")]


@pytest.mark.parametrize("cfg", CONFIGS)
def test_each_component_alone_renders_what_the_stack_renders(cfg: StackConfig) -> None:
    stack: StackManifests = stack_manifests(cfg)
    alone = _alone(cfg)
    assert alone, "no component was built"
    for section, objects in alone.items():
        assert objects == getattr(stack, section), section
    # Nothing of the Istio core is left out of the comparison.
    core = ("gateway", "routing", "security", "rate_limits", "certificates", "monitoring")
    assert {s for s in core if getattr(stack, s)} <= set(alone)


def test_the_comparison_reaches_every_section() -> None:
    """Some compared config renders objects in each section of the Istio core, in each
    topology."""
    configs = [p.values[0] for p in CONFIGS]
    sections = {name for c in configs for name, objs in vars(stack_manifests(c)).items()
                if objs}
    assert {"gateway", "routing", "security", "rate_limits", "certificates",
            "monitoring"} <= sections
    assert {c.topology for c in configs} == {"gateway", "chained", "standalone"}
    assert {c.api for c in configs} == {"istio", "gatewayApi"}
