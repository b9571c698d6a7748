"""Every stack and example renders offline, validates upstream, and renders byte-identically."""

from __future__ import annotations

import copy
import filecmp
import json
from pathlib import Path
from typing import Any

import pytest

from ingresslib import IngressStack, parse_config
from ingresslib.analysis import analyze
from ingresslib.cli import main
from ingresslib.errors import RENDERED, ConfigError
from ingresslib.offline.mocks import RecordingMocks
from ingresslib.offline.output import manifests, plan, write
from ingresslib.offline.runner import run_program, run_project
from ingresslib.stack.render import check, stack_manifests
from tests.configs import HTTP01, eks_stack, stack_file
from tests.conftest import PROJECTS, ROOT


def _ids(p: tuple[str, str]) -> str:
    return f"{p[0]}:{p[1]}"


def test_every_project_is_covered() -> None:
    stacks = {p for p in PROJECTS if p[0].startswith("stacks/")}
    for cloud in ("aks", "eks"):
        for topology in ("gateway", "chained", "standalone"):
            assert (f"stacks/{cloud}", topology) in stacks
    assert ("examples/echoserver-canary", "dev") in PROJECTS


@pytest.mark.parametrize("project", PROJECTS, ids=_ids)
def test_every_rendered_object_passes_upstream_schemas(project, renders, validator) -> None:
    objs = manifests(renders[project])
    validator.assert_valid(objs)


@pytest.mark.parametrize("project", PROJECTS, ids=_ids)
def test_render_twice_is_byte_identical(project, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert main(["render", str(ROOT / project[0]), "--stack", project[1], "--out", str(out)])\
            == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    match, mismatch, errors = filecmp.cmpfiles(first, second, [str(f) for f in files],
                                               shallow=False)
    assert (mismatch, errors) == ([], [])
    assert len(match) == len(files)


@pytest.mark.parametrize("project", PROJECTS, ids=_ids)
def test_no_key_material_in_render_output(project, tmp_path: Path) -> None:
    assert main(["render", str(ROOT / project[0]), "--stack", project[1],
                 "--out", str(tmp_path)]) == 0
    for path in tmp_path.rglob("*"):
        if path.is_file():  # traffic.png too
            assert b"PRIVATE KEY" not in path.read_bytes(), path


def _secret_values(value: object, inside: bool = False) -> list[str]:
    """Every string Pulumi marks secret inside a registered resource's inputs."""
    if isinstance(value, dict):
        inside = inside or value.get("4dabf18193072939515e22adb298388d") == (
            "1b47061264138c4ac30d75fd1eb44270")
        return [s for v in value.values() for s in _secret_values(v, inside)]
    if isinstance(value, list):
        return [s for v in value for s in _secret_values(v, inside)]
    return [value] if inside and isinstance(value, str) and len(value) > 8 else []


@pytest.mark.parametrize("project", PROJECTS, ids=_ids)
def test_no_secret_value_in_render_output(project, renders, tmp_path: Path) -> None:
    records = renders[project]
    write(tmp_path, records)
    text = "\n".join(p.read_text() for p in sorted(tmp_path.rglob("*")) if p.is_file())
    for record in records:
        for value in _secret_values(record.inputs):
            assert value not in text, record.name


def test_example_secret_is_redacted_but_keys_visible(renders) -> None:
    records = renders[("examples/echoserver-canary", "dev")]
    assert any(_secret_values(r.inputs) for r in records)  # the keys are marked secret
    objs = manifests(records)
    secret = next(o for o in objs if o["kind"] == "Secret")
    assert secret["metadata"] == {
        "labels": {"app.kubernetes.io/managed-by": "ingresslib"},
        "name": "echo-tls",
        "namespace": "istio-ingress",
    }
    assert secret["stringData"] == {k: "[secret]" for k in ("ca.crt", "tls.crt", "tls.key")}
    keys = [e for e in plan(renders[("examples/echoserver-canary", "dev")])
            if e["type"] == "tls:index/locallySignedCert:LocallySignedCert"]
    assert len(keys) == 1
    assert keys[0]["inputs"]["caPrivateKeyPem"] == "[secret]"


def test_example_has_the_seed_backends(renders) -> None:
    objs = {(o["kind"], o["metadata"]["name"]): o
            for o in manifests(renders[("examples/echoserver-canary", "dev")])}
    for version in ("v1", "v2"):
        dep = objs[("Deployment", f"echoserver-{version}")]
        assert dep["spec"]["template"]["metadata"]["labels"] == {
            "app": "echoserver", "version": version}
    svc = objs[("Service", "echoserver-service")]
    assert svc["spec"]["ports"][0]["port"] == 80
    assert ("Deployment", "istio-ingressgateway") in objs


def test_standalone_deploys_no_gateway(renders) -> None:
    for cloud in ("aks", "eks"):
        kinds = {o["kind"] for o in manifests(renders[(f"stacks/{cloud}", "standalone")])}
        assert "Deployment" not in kinds


def test_stack_children_are_parented_and_prefixed(renders) -> None:
    records = renders[("stacks/eks", "gateway")]
    stack = next(r for r in records if r.type == "ingresslib:index:IngressStack")
    gateway = next(r for r in records if r.type == "ingresslib:index:IngressGateway")
    assert gateway.parent == stack.urn
    assert gateway.name == f"{stack.name}-gateway"
    children = [r for r in records if r.parent == gateway.urn]
    # ... and the EnvoyFilter that sets X-Forwarded-Proto where the NLB ended TLS (EDGE-ID-XFP)
    assert len(children) == 10
    assert all(c.name.startswith(f"{gateway.name}-") for c in children)


def test_invalid_config_registers_nothing() -> None:
    mocks = RecordingMocks()
    bad = {"cloud": "eks", "gateway": {"autoscaling": {"minReplicas": 20}}}

    def program() -> None:
        IngressStack("edge", parse_config(bad))

    with pytest.raises(ConfigError) as err:
        run_program(program, mocks=mocks)
    assert {p.path for p in err.value.problems} == {"gateway.autoscaling.minReplicas",
                                                    "listeners"}
    assert mocks.registered == []


def test_cli_render_reports_config_errors_without_traceback(tmp_path: Path, capsys) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: bad\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "from ingresslib import IngressStack, load_config\n"
        "IngressStack('edge', load_config())\n"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  ingress:stack:\n    cloud: eks\n    gateway:\n      replica: 3\n"
    )
    assert main(["render", str(tmp_path), "--stack", "dev", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "gateway.replica: unknown key" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_cli_names_a_missing_stack(capsys) -> None:
    assert main(["validate", str(ROOT / "stacks/eks"), "--stack", "prod"]) == 2
    err = capsys.readouterr().err
    assert "no stack 'prod'" in err
    assert "chained, gateway, standalone" in err


def test_root_project_is_the_example(renders) -> None:
    root = manifests(run_project(ROOT, "dev"))
    assert root == manifests(renders[("examples/echoserver-canary", "dev")])


@pytest.mark.parametrize("project", PROJECTS, ids=_ids)
def test_every_render_is_clean_under_analysis(project, renders) -> None:
    findings = analyze(manifests(renders[project]))
    if project[0] == "examples/routing-only":
        # Routing alone: the gateway's Service exists already, outside this render, and
        # IngressRouting(service=...) analyses it by name (ING0001 would say none selects the
        # pods here).
        findings = [f for f in findings if f.code != "ING0001"]
    assert [str(f) for f in findings] == []


# ------------------------------------------------------------------ check: the last net


def _checked(data: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    cfg = parse_config(data)
    objects = stack_manifests(cfg).all()
    assert check(cfg, objects) == []
    return cfg, copy.deepcopy(objects)


def test_check_knows_the_secrets_the_stacks_certificates_make() -> None:
    """A Gateway server reading a Secret no certificate of the stack makes is the render's
    error (ING0002), named in the render's terms."""
    cfg, objects = _checked(HTTP01)
    gateway = next(o for o in objects if o["kind"] == "Gateway"
                   and o["metadata"]["name"] == cfg.name)
    server = next(s for s in gateway["spec"]["servers"] if "tls" in s)
    server["tls"]["credentialName"] = "no-such-secret"
    with pytest.raises(ConfigError) as e:
        check(cfg, objects)
    assert e.value.source == RENDERED
    assert "ING0002" in str(e.value)
    assert "no-such-secret" in str(e.value)


def test_a_broken_edge_contract_is_the_renders_error() -> None:
    """The read-back of the edge plan (stack/contract.py) names the rendered objects, not the
    config, as what is wrong."""
    cfg, objects = _checked(stack_file("eks", "gateway"))
    deployment = next(o for o in objects if o["kind"] == "Deployment"
                      and o["metadata"]["name"] == cfg.workload.name)
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    proxy = json.loads(annotations["proxy.istio.io/config"])
    assert cfg.edge.gateway is not None
    assert cfg.edge.gateway.proxy_protocol  # the NLB sends it
    del proxy["gatewayTopology"]["proxyProtocol"]  # and the gateway would not read it
    annotations["proxy.istio.io/config"] = json.dumps(proxy)
    with pytest.raises(ConfigError) as e:
        check(cfg, objects)
    assert e.value.source == RENDERED
    assert "EDGE-ID-PROXY" in str(e.value)


def test_check_tells_gateway_api_the_stacks_secrets_and_backends() -> None:
    """Gateway API's analysis skips what it is not told about: check() tells it the Secrets
    the certificates make (GWAPI0011) and the backend Services deployed outside the stack
    (GWAPI0003), so a listener or route naming anything else is the render's error."""
    data = copy.deepcopy(HTTP01)
    data["api"] = "gatewayApi"
    cfg, objects = _checked(data)
    gateway = next(o for o in objects if o["kind"] == "Gateway"
                   and o["apiVersion"].startswith("gateway.networking.k8s.io/"))
    listener = next(x for x in gateway["spec"]["listeners"] if "tls" in x)
    listener["tls"]["certificateRefs"][0]["name"] = "no-such-secret"
    route = next(o for o in objects if o["kind"] == "HTTPRoute"
                 and any(r.get("backendRefs") for r in o["spec"]["rules"]))
    next(r for r in route["spec"]["rules"] if r.get("backendRefs"))["backendRefs"][0][
        "name"] = "no-such-service"
    with pytest.raises(ConfigError) as e:
        check(cfg, objects)
    assert "GWAPI0011" in str(e.value)
    assert "GWAPI0003" in str(e.value)
    # A route's finding names the config route its rule was rendered from.
    assert {p.path for p in e.value.problems if p.code == "GWAPI0003"} == {
        "routing.hosts[app.example.com].routes[web]"}


def test_gateway_api_stacks_are_analysed_as_istio_objects_too() -> None:
    """With api: gatewayApi the DestinationRules are still Istio's: their analysis runs beside
    Gateway API's."""
    data = copy.deepcopy(HTTP01)
    data["api"] = "gatewayApi"
    data["routing"]["backends"]["app"]["trafficPolicy"] = {
        "connectionPool": {"tcp": {"connectTimeout": "5s"}}}
    cfg, objects = _checked(data)
    (rule,) = [o for o in objects if o["kind"] == "DestinationRule"]
    rule["spec"]["trafficPolicy"]["connectionPool"]["tcp"]["connectTimeout"] = "5 s"
    with pytest.raises(ConfigError) as e:
        check(cfg, objects)
    assert "ING0004" in str(e.value)


def test_the_stacks_jwt_rules_carry_its_name() -> None:
    """The stack hands its name to the security renderer: a JWT RequestAuthentication is
    `<stack>-jwt`, one per stack."""
    data = eks_stack(security={"jwt": [{"issuer": "https://login.example.com/",
                                        "jwksUri": "https://login.example.com/keys",
                                        "audiences": ["api"]}]})
    cfg = parse_config(data)
    names = [o["metadata"]["name"] for o in stack_manifests(cfg).security
             if o["kind"] == "RequestAuthentication"]
    assert names == [f"{cfg.name}-jwt"]
