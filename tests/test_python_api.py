"""Issue 19: the Python API as good as the YAML one, and the messages that misled. Each test
is the exact case the issue reports."""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml

import ingresslib.config
from ingresslib import (
    Certificates,
    IngressGateway,
    IngressRouting,
    MeshSecurity,
    Monitoring,
    RateLimiting,
    StackConfig,
    parse_config,
)
from ingresslib.cli import main
from ingresslib.config import GatewayWorkload, Listener, Routing
from ingresslib.errors import ConfigError
from ingresslib.offline.edge_table import edge_table
from ingresslib.offline.output import manifests
from ingresslib.offline.runner import run_program, run_project
from tests.configs import HOST, aks_stack, eks_stack, http_listener
from tests.conftest import ROOT

ROUTING: dict[str, Any] = {
    "backends": {"web": {"service": "web", "namespace": "shop", "port": 8080}},
    "hosts": [{"host": HOST, "routes": [{"name": "api", "to": [{"backend": "web"}]}]}],
}


def _project(tmp_path: Path, program: str, stack_file: str = "config: {}\n") -> Path:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    (project / "__main__.py").write_text(program)
    (project / "Pulumi.dev.yaml").write_text(stack_file)
    return project


# Item 3: the Python API.

def test_every_model_a_component_takes_is_exported_from_config() -> None:
    """Each component's config parameters are annotated with models `ingresslib.config`
    exports (Routing among them), so a program needs no private module."""
    exported = {getattr(ingresslib.config, n) for n in ingresslib.config.__all__}
    for component in (IngressGateway, Certificates, IngressRouting, MeshSecurity,
                      RateLimiting, Monitoring):
        hints = typing.get_type_hints(component.__init__)
        for name, hint in hints.items():
            models = [t for t in (hint, *typing.get_args(hint),
                                  *(a for t in typing.get_args(hint) for a in typing.get_args(t)))
                      if inspect.isclass(t) and t.__module__.startswith("ingresslib.config")]
            for model in models:
                assert model in exported, f"{component.__name__}({name}=...): {model.__name__}"
    assert ingresslib.config.Routing is Routing


def test_a_typo_in_a_python_built_config_reads_like_the_yaml_one() -> None:
    """The issue's case: `retires` for `retries` gave pydantic's raw text (positional path
    `hosts.0.routes.0.retires`, `[type=extra_forbidden...]`, a pydantic URL)."""
    with pytest.raises(ConfigError) as info:
        Routing(backends=ROUTING["backends"], hosts=[{"host": HOST, "routes": [
            {"name": "api", "to": [{"backend": "web"}], "retires": {"attempts": 2}}]}])
    (problem,) = info.value.problems
    assert problem.path == f"hosts[{HOST}].routes[api].retires"
    assert problem.message == "unknown key; did you mean retries?"
    # Where the program built it: this file, the line of the call.
    assert problem.location is not None
    assert problem.location.file == __file__
    text = str(info.value)
    assert "pydantic" not in text
    assert "extra_forbidden" not in text
    assert "hosts.0" not in text


@pytest.mark.parametrize(("policy", "pool", "typo", "meant"), [
    ("traffic_policy", "connection_pool", "use_client_protocl", "use_client_protocol"),
    ("trafficPolicy", "connectionPool", "useClientProtocl", "useClientProtocol"),
])
def test_a_suggestion_from_python_is_spelt_as_the_misspelt_key(policy: str, pool: str,
                                                               typo: str, meant: str) -> None:
    """Python takes both spellings; the suggestion is spelt as the misspelt key is."""
    with pytest.raises(ConfigError) as info:
        Routing(backends={"web": {"service": "web", "namespace": "shop", "port": 8080,
                                  policy: {pool: {"http": {typo: True}}}}})
    (problem,) = info.value.problems
    assert problem.path == f"backends.web.{policy}.{pool}.http.{typo}"
    assert problem.message == f"unknown key; did you mean {meant}?"


@pytest.mark.parametrize(("typo", "meant"), [("resource_groupp", "resource_group"),
                                             ("resourceGroupp", "resourceGroup")])
def test_a_misspelt_required_key_from_python_is_suggested_in_its_spelling(typo: str,
                                                                          meant: str) -> None:
    data = aks_stack("gateway")
    data["azure"][typo] = data["azure"].pop("resourceGroup")
    with pytest.raises(ConfigError) as info:
        StackConfig(**data)
    (problem,) = info.value.problems
    assert problem.message == f"unknown key; did you mean {meant} (required here)?"


# Pulumi's Python host (pulumi/pulumi sdk/python/cmd/pulumi-language-python-exec) logs a
# `pulumi.RunError` as `str(e)` and any other exception as its traceback.
@pytest.mark.parametrize("refuse", [
    lambda: parse_config({**eks_stack(), "listeners": []}),
    lambda: StackConfig(**{**eks_stack(), "listeners": []}),
    lambda: Routing(backends={"web": {"service": "web", "namespace": "shop", "port": 0}}),
], ids=["parse_config", "StackConfig", "a section"])
def test_a_refusal_under_pulumi_up_prints_as_its_message_alone(refuse: Any) -> None:
    import pulumi  # noqa: PLC0415 - a Pulumi program has imported it

    with pytest.raises(pulumi.RunError) as info:
        refuse()
    assert isinstance(info.value, ConfigError)
    assert str(info.value).startswith("invalid ")
    assert "Traceback" not in str(info.value)


def test_replace_validates_the_changed_copy() -> None:
    """docs/api.md's way to derive a changed model; pydantic's `model_copy(update=...)`
    dropped a misspelt key and rendered `port: eighty` (found by a fresh trial)."""
    cfg = parse_config(eks_stack())
    listener = cfg.listeners[0]
    with pytest.raises(ConfigError) as info:
        listener.replace(prot=1)
    (problem,) = info.value.problems
    assert problem.message == "unknown key; did you mean port?"
    assert problem.location is not None
    assert problem.location.file == __file__
    with pytest.raises(ConfigError, match="port: Input should be a valid integer"):
        listener.replace(port="eighty")
    with pytest.raises(ConfigError, match="did you mean 'chained'"):
        cfg.replace(topology="chainned")
    assert listener.replace(hosts=["b.example.com"]).hosts == ["b.example.com"]
    assert listener.replace(tls=None) == listener
    # Either spelling; the fields left at their defaults stay unset.
    routing = Routing(backends={"web": {"service": "web", "namespace": "shop", "port": 8080}})
    changed = routing.replace(backends={"web": {"service": "web", "namespace": "shop",
                                                "port": 8080, "trafficPolicy": None}})
    assert changed.model_fields_set == routing.model_fields_set
    # A StackConfig's copy plans its own edge and runs the whole pipeline again: chained on
    # EKS needs an ALB.
    gateway = parse_config(eks_stack("gateway"))
    assert gateway.replace(name="edge").edge.gateway.stack == "edge"
    with pytest.raises(ConfigError, match=r"aws\.alb: topology chained on EKS needs an ALB"):
        gateway.replace(topology="chained")


def test_model_validate_stays_pydantic() -> None:
    """`model_validate` keeps pydantic's contract (ValidationError); the constructors and
    parse_config are the user-facing entry points."""
    from pydantic import ValidationError  # noqa: PLC0415

    with pytest.raises(ValidationError):
        Routing.model_validate({"hots": []})


def test_routing_alone_refuses_an_unserved_host_as_the_stack_does() -> None:
    """The issue's case: a host no listener serves was an error in YAML (IST0132) and only a
    warning through IngressRouting; both now give the same problem."""
    routing = {**ROUTING, "hosts": [*ROUTING["hosts"], {
        "host": "api.example.com", "routes": [{"name": "api", "to": [{"backend": "web"}]}]}]}
    listener = http_listener()
    with pytest.raises(ConfigError) as yaml_error:
        parse_config(eks_stack(listeners=[listener], routing=routing))
    with pytest.raises(ConfigError) as alone:
        run_program(lambda: IngressRouting(
            "routes", Routing(**routing), [Listener(**listener)],
            GatewayWorkload(name="gw", namespace="edge", create_namespace=False),
            service="gw"))
    (expected,) = yaml_error.value.problems
    (problem,) = alone.value.problems
    assert expected.path == problem.path == "routing.hosts[api.example.com].host"
    assert problem.message == expected.message
    assert "IST0132" in problem.message


def test_the_users_own_exception_is_their_traceback(tmp_path, capsys) -> None:
    """The issue's case: a NameError in the program came back as 20 frames through
    ingresslib/offline/runner.py; now as the program's frames alone."""
    project = _project(tmp_path, "import pulumi\n\n\ndef build():\n    return undefined_name\n"
                       "\n\nbuild()\n")
    assert main(["render", str(project), "--stack", "dev", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "NameError: name 'undefined_name' is not defined" in err
    assert f'File "{project / "__main__.py"}", line 8, in <module>' in err
    assert f'File "{project / "__main__.py"}", line 5, in build' in err
    assert "runner.py" not in err
    assert "pulumi" not in err.replace("import pulumi", "")


def test_ingresslibs_own_failure_keeps_its_traceback(tmp_path) -> None:
    """An exception raised outside the program is not the user's: it propagates whole."""
    from ingresslib.offline.runner import program_error  # noqa: PLC0415

    with pytest.raises(KeyError) as info:
        _ = {}["missing"]
    assert program_error(info.value, tmp_path) is None


def test_the_routing_only_example_renders() -> None:
    """examples/routing-only, written from the API reference: routes in front of an existing
    gateway, its Service named, so nothing warns and nothing but routing is registered."""
    records = run_project(ROOT / "examples/routing-only", "dev")
    kinds = sorted(o["kind"] for o in manifests(records))
    assert kinds == ["DestinationRule", "DestinationRule", "Gateway", "VirtualService"]
    (vs,) = [o for o in manifests(records) if o["kind"] == "VirtualService"]
    assert [r["name"] for r in vs["spec"]["http"]] == ["api", "web"]


# Item 4: messages.

INDENTED = """\
config:
  ingress:stack:
    cloud: eks
    listeners:
      - {name: http, port: 80, protocol: HTTP, hosts: [shop.example.com]}
    routing:
      backends:
        web:
         service: web
          namespace: shop
          port: 8080
      hosts:
        - host: shop.example.com
          routes: [{name: web, to: [{backend: web}]}]
"""


def test_indentation_error_points_at_the_line_out_of_pattern(tmp_path, capsys) -> None:
    """The issue's case: `service: web` at 9 spaces among siblings at 10 under
    routing.backends.web; the error pointed at the next, correct line."""
    project = _project(tmp_path, "from ingresslib import load_config\nload_config()\n",
                       INDENTED)
    assert main(["validate", str(project), "--stack", "dev"]) == 2
    err = capsys.readouterr().err
    assert "Pulumi.dev.yaml:9:10: this line is indented 9 spaces and the keys beside it 10 " \
           "(lines 10 and 11): indent it 10 spaces like them" in err
    assert "Pulumi.dev.yaml:10:" not in err


def _chained() -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / "stacks/eks/Pulumi.chained.yaml").read_text())
    return doc["config"]["ingress:stack"]


def test_a_mistyped_certificate_is_one_problem() -> None:
    """The issue's case: a mistyped certificate name added "needs an HTTPS listener with an
    ACM certificate" though both exist."""
    data = _chained()
    data["listeners"][1]["tls"]["certificate"] = "edge-tsl"
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    (problem,) = info.value.problems
    assert problem.path == "listeners[https].tls.certificate"
    assert "did you mean edge-tls?" in problem.message
    assert "ACM" not in str(info.value)


def test_ing0001_names_the_service_argument() -> None:
    from ingresslib.analysis import analyze  # noqa: PLC0415
    from ingresslib.manifests.routing import routing_objects  # noqa: PLC0415

    objects = routing_objects(Routing(**ROUTING), [Listener(
        name="http", port=80, protocol="HTTP", hosts=[HOST])], GatewayWorkload())
    (finding,) = [f for f in analyze(objects) if f.code == "ING0001"]
    assert 'IngressRouting(..., service="<its Service>")' in finding.message


def _codes(data: dict[str, Any]) -> list[str]:
    table = edge_table(parse_config(data).summary())
    return re.findall(r"^\| (EDGE-[A-Z0-9-]+) \|", table, re.M)


def test_edge_md_lists_only_the_rules_of_the_stack() -> None:
    """The issue's case: gRPC rules on an HTTP/1 stack."""
    http1 = _codes(_chained())
    assert "EDGE-HC-ALB-GRPC" not in http1
    assert "EDGE-PR-ALB-UPSTREAM" not in http1
    assert {"EDGE-TO-ALB", "EDGE-PR-ALB", "EDGE-DR-ALB"} <= set(http1)
    grpc = _chained()
    grpc["aws"]["alb"]["protocolVersion"] = "GRPC"
    grpc["listeners"][0]["httpsRedirect"] = True
    for backend in grpc["routing"]["backends"].values():
        backend.setdefault("trafficPolicy", {}).setdefault("connectionPool", {}).setdefault(
            "http", {})["useClientProtocol"] = True
    assert {"EDGE-HC-ALB-GRPC", "EDGE-PR-ALB-UPSTREAM"} <= set(_codes(grpc))


def test_a_whole_stack_built_in_python_names_its_list_items() -> None:
    """The stack's own rules, from a StackConfig built in Python: paths name list items and
    the problem says where the program built it."""
    with pytest.raises(ConfigError) as info:
        StackConfig(cloud="eks", listeners=[
            Listener(name="http", port=8080, protocol="HTTP", hosts=[HOST])])
    (problem,) = info.value.problems
    assert problem.path == "listeners[http].port"
    assert problem.location is not None
    assert problem.location.file == __file__


def test_a_programs_own_model_validate_reads_like_the_yaml_path(tmp_path, capsys) -> None:
    """A program validating its config with pydantic's `model_validate` (as
    examples/echoserver-canary did) gets the same report when run offline: the key's path,
    the did-you-mean, the program's line, no pydantic text."""
    project = _project(tmp_path, """\
from ingresslib import IngressStack, StackConfig

config = StackConfig.model_validate({
    "cloud": "eks",
    "listeners": [{"name": "http", "port": 80, "protocol": "HTTP", "hosts": ["a.example.com"]}],
    "routing": {"backends": {"web": {"service": "web", "namespace": "a", "port": 80}},
                "hosts": [{"host": "a.example.com", "routes": [
                    {"name": "x", "to": [{"backend": "web"}], "retires": 1}]}]},
})
IngressStack("edge", config)
""")
    assert main(["render", str(project), "--stack", "dev", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert (f"{project / '__main__.py'}:3:10: routing.hosts[0].routes[0].retires: unknown key; "
            "did you mean retries? (got 1)") in err
    assert "pydantic" not in err


@pytest.mark.parametrize(("component", "expected"), [
    (lambda gw: RateLimiting("limits", ingresslib.config.RateLimits(local=[
        {"scope": "route", "max_tokens": 1, "tokens_per_fill": 1, "fill_interval": "1s"}]), gw),
     ["rateLimits.local[0].host", "rateLimits.local[0].route"]),
    (lambda gw: MeshSecurity("security", ingresslib.config.Security(
        authorization=[{"name": "open", "action": "ALLOW"}]), gw),
     ["security.authorization[open]"]),
    (lambda gw: Monitoring("monitoring", ingresslib.config.Observability(
        scrape_interval="5m", rate_window="1m"), gw),
     ["observability.rateWindow"]),
    (lambda gw: Certificates("certificates", {"shop": ingresslib.config.CertManagerCertificate(
        source="certManager", dns_names=["shop.example.com"], issuer="letsencypt")},
        gw.namespace, cert_manager=ingresslib.config.CertManager(issuers={
            "letsencrypt": {"type": "existing"}})),
     ["certificates.shop.issuer"]),
])
def test_every_section_component_alone_applies_the_stacks_rules(component, expected) -> None:
    """As IngressRouting: a section the stack would refuse is refused when used alone, with
    the stack's paths, instead of rendering what the stack never would."""
    gateway = GatewayWorkload(namespace="istio-ingress", create_namespace=False)
    with pytest.raises(ConfigError) as info:
        run_program(lambda: component(gateway))
    assert [p.path for p in info.value.problems] == expected


@pytest.mark.parametrize(("component", "path", "message"), [
    (lambda gw, routing, listeners: MeshSecurity(
        "s", ingresslib.config.Security(namespaces=["shop"]), gw, topology="chaned"),
     "topology", "did you mean 'chained'?"),
    (lambda gw, routing, listeners: IngressRouting("r", routing, listeners, gw,
                                                   api="gatewayAPI"),
     "api", "did you mean 'gatewayApi'?"),
    (lambda gw, routing, listeners: IngressRouting("r", routing, listeners, gw,
                                                   stack="My_Stack"),
     "stack", "must be a DNS-1123 label"),
    (lambda gw, routing, listeners: IngressRouting("r", routing, listeners[0], gw),
     "listeners", "Input should be a valid list"),
    (lambda gw, routing, listeners: MeshSecurity("s", {"namespacez": ["shop"]}, gw),
     "security.namespacez", "did you mean namespaces?"),
    (lambda gw, routing, listeners: RateLimiting("l", {}, "gw"),
     "gateway", "must be a mapping of keys to values"),
    (lambda gw, routing, listeners: Monitoring("m", ingresslib.config.Observability(), gw,
                                               deployment="Gateway"),
     "deployment", "must be a DNS-1123 label"),
    (lambda gw, routing, listeners: IngressGateway("g", ["replicas"]),
     "workload", "must be a mapping of keys to values"),
    # GatewayOptions is a dataclass: its fields were rendered as given (`type: Clusterip`,
    # `ISTIO_META_IDLE_TIMEOUT: 60ss`).
    (lambda gw, routing, listeners: IngressGateway(
        "g", gw, ingresslib.GatewayOptions(service_type="Clusterip")),
     "options.service_type", "did you mean 'ClusterIP'?"),
    (lambda gw, routing, listeners: IngressGateway(
        "g", gw, ingresslib.GatewayOptions(idle_timeout_seconds="60s")),
     "options.idle_timeout_seconds", "Input should be a valid integer"),
    (lambda gw, routing, listeners: IngressGateway("g", gw, {"service_typ": "ClusterIP"}),
     "options.service_typ", "unknown key; did you mean service_type?"),
    # A misspelt listener or certificate dropped a redirect or a Secret without a word.
    (lambda gw, routing, listeners: IngressRouting("r", routing, listeners, gw,
                                                   redirecting=["htp"]),
     "redirecting", "names no listener: one of http; did you mean http?"),
    (lambda gw, routing, listeners: IngressRouting("r", routing, listeners, gw,
                                                   experimental="no"),
     "experimental", "must be true or false"),
    (lambda gw, routing, listeners: MeshSecurity(
        "s", ingresslib.config.Security(namespaces=["shop"]), gw, proxy_protocol="yes"),
     "proxy_protocol", "must be true or false"),
], ids=["topology", "api", "stack", "listeners", "section as a mapping", "gateway",
        "deployment", "workload", "options' type", "options' timeout", "options' typo",
        "redirecting", "experimental", "proxy_protocol"])
def test_a_component_refuses_a_bad_argument_at_the_callers_line(component, path: str,
                                                                message: str) -> None:
    """A misspelt mode fell back to its default (`topology="chaned"` rendered the gateway
    topology's client-address field: a DENY rule behind an ALB checked the ALB's address),
    and a dict or a string for a section ended in an AttributeError traceback (found by a
    fresh trial). Each argument is validated as a config is."""
    gateway = GatewayWorkload(namespace="istio-ingress", create_namespace=False)
    routing = Routing(**ROUTING)
    listeners = [Listener(name="http", port=80, protocol="HTTP", hosts=[HOST])]
    with pytest.raises(ConfigError) as info:
        run_program(lambda: component(gateway, routing, listeners))
    (problem,) = info.value.problems
    assert problem.path == path
    assert message in problem.message
    assert problem.location is not None
    assert problem.location.file == __file__


def test_a_component_takes_a_section_as_a_mapping_of_its_keys() -> None:
    gateway = GatewayWorkload(namespace="istio-ingress", create_namespace=False)
    by_model = run_program(lambda: MeshSecurity(
        "s", ingresslib.config.Security(namespaces=["shop"]), gateway))
    by_mapping = run_program(lambda: MeshSecurity("s", {"namespaces": ["shop"]}, gateway))
    assert [(r.type, r.name, r.inputs) for r in by_mapping] == \
        [(r.type, r.name, r.inputs) for r in by_model]


def test_shipped_programs_validate_with_parse_config() -> None:
    """Under `pulumi up` no offline runner translates pydantic's ValidationError, so a shipped
    program that a user copies builds its config with parse_config or the constructors,
    never pydantic's `model_validate` (the issue's raw `hosts.0.routes.0.retires` text)."""
    programs = [*ROOT.glob("examples/*/*.py"), *ROOT.glob("stacks/*/*.py")]
    assert programs
    for program in programs:
        assert ".model_validate(" not in program.read_text(), program


def test_parse_config_names_a_typo_outside_the_offline_runner() -> None:
    """What a program such as examples/echoserver-canary gets under `pulumi up`."""
    with pytest.raises(ConfigError) as info:
        parse_config(eks_stack(routing={**ROUTING, "hosts": [{"host": HOST, "routes": [
            {"name": "api", "to": [{"backend": "web"}], "retires": {"attempts": 2}}]}]}))
    (problem,) = info.value.problems
    assert problem.path == f"routing.hosts[{HOST}].routes[api].retires"
    assert problem.message == "unknown key; did you mean retries?"
    assert "pydantic" not in str(info.value)
