"""The ingresslib command: what it loads, what it says about misplaced directories and files,
what render writes and removes, and that a successful run leaves nothing on stderr."""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from ingresslib.cli import main
from ingresslib.offline.output import MARKER
from ingresslib.offline.runner import run_project
from tests.configs import eks_stack
from tests.conftest import ROOT
from tests.shared import in_fresh_interpreter

CLI = [sys.executable, "-m", "ingresslib.cli"]
STACK = """config:
  ingress:stack:
    cloud: eks
    listeners:
      - {name: http, port: 80, protocol: HTTP, hosts: [shop.example.com]}
"""


def _project(root: Path, stack: str = STACK) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text("name: cli\nruntime: python\n")
    (root / "__main__.py").write_text("from ingresslib import IngressStack, load_config\n"
                                      "config = load_config()\n"
                                      "IngressStack(config.name, config)\n")
    (root / "Pulumi.dev.yaml").write_text(stack)
    return root


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    return err


# ------------------------------------------------------------------ what the CLI loads


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["validate"], ["render", "x"],
                                  ["validate", "--help"], ["diff", "--help"]])
def test_help_version_and_usage_errors_load_no_sdk(argv: list[str]) -> None:
    probe = ("import json, sys\nfrom ingresslib.cli import main\n"
             f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(in_fresh_interpreter(probe)[1])
    assert not loaded & {"pulumi", "pulumi_kubernetes", "pulumi_aws", "pulumi_azure_native",
                         "pulumi_tls", "boto3", "botocore", "pydantic", "yaml", "grpc"}


@pytest.mark.parametrize("stack", ["eks/gateway", "aks/agc-chained"])
def test_validate_of_a_stack_file_loads_no_pulumi(stack: str) -> None:
    """A stack file's config is read as `pulumi.Config` would hand it over, without the SDK
    (docs/architecture.md, deferred imports): the import is most of validate's time."""
    directory, name = stack.split("/")
    probe = ("import json, sys\nfrom ingresslib.cli import main\n"
             f"assert main(['validate', 'stacks/{directory}', '--stack', '{name}']) == 0\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    stdout, modules = in_fresh_interpreter(probe)
    assert "is valid (config and rendered objects)" in stdout
    loaded = set(modules)
    assert not loaded & {"pulumi", "pulumi_kubernetes", "pulumi_aws", "pulumi_azure_native",
                         "pulumi_tls", "grpc"}


def test_a_refused_stack_file_loads_no_pulumi(tmp_path: Path) -> None:
    """A refusal is a ConfigError that becomes a `pulumi.RunError` only where Pulumi is
    already loaded (ingresslib.components.run_error): refusing never imports the SDK."""
    project = tmp_path / "eks"
    shutil.copytree(ROOT / "stacks" / "eks", project)
    stack_file = project / "Pulumi.gateway.yaml"
    stack_file.write_text(stack_file.read_text().replace("cloud: eks", "cloud: eks\n    bogus: 1"))
    probe = ("import json, sys\nfrom ingresslib.cli import main\n"
             f"assert main(['validate', {str(project)!r}, '--stack', 'gateway']) == 2\n"
             "from ingresslib.errors import ConfigError, Problem\n"
             "assert type(ConfigError([Problem('x', 1, 'bad')])) is ConfigError\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    _, modules = in_fresh_interpreter(probe)
    assert "pulumi" not in modules


def test_field_docstrings_are_read_for_the_schema_only() -> None:
    """The docstrings under the config fields are their JSON Schema descriptions: reading them
    parses the models' source files, which validate never needs."""
    probe = ("import json\nfrom ingresslib.cli import main\nfrom ingresslib.config import base\n"
             "assert main(['validate', 'stacks/eks', '--stack', 'gateway']) == 0\n"
             "parsed = len(base._MODULE_DOCS)\n"
             "from ingresslib import StackConfig\n"
             "schema = StackConfig.model_json_schema()\n"
             "print(json.dumps([parsed, len(base._MODULE_DOCS), "
             "schema['properties']['name']['description']]))")
    after_validate, after_schema, description = in_fresh_interpreter(probe)[1]
    assert after_validate == 0
    assert after_schema > 5
    assert description.startswith("Name of the stack's Kubernetes objects")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"ingresslib {version('ingresslib')}\n"


def test_validate_help_says_what_it_checks(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    text = capsys.readouterr().out
    assert "load_config()" in text
    assert "does not run it" in text
    assert "istioctl analyze" in text


# ------------------------------------------------------------------ misplaced directories


def test_nonexistent_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(["validate", str(tmp_path / "nope"), "--stack", "dev"], capsys)
    assert err == f"error: {tmp_path / 'nope'}: no such directory; name a Pulumi project " \
                  "directory\n"


def test_file_instead_of_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path / "p")
    err = _error(["validate", str(project / "Pulumi.dev.yaml"), "--stack", "dev"], capsys)
    assert "is a file, not a Pulumi project directory" in err
    assert f"name the directory that holds it ({project})" in err


def test_directory_without_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(["render", str(tmp_path), "--stack", "dev", "--out", str(tmp_path / "o")],
                 capsys)
    assert "is not a Pulumi project: it has no Pulumi.yaml" in err
    assert not (tmp_path / "o").exists()


def test_missing_stack_file_names_the_closest(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(["validate", str(_project(tmp_path)), "--stack", "dve"], capsys)
    assert "no stack 'dve'" in err
    assert "(no Pulumi.dve.yaml); stacks here: dev; did you mean 'dev'?" in err


def test_stack_file_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    (project / "Pulumi.dev.yaml").write_bytes(b"config:\n  ingress:stack: caf\xe9\n")
    err = _error(["validate", str(project), "--stack", "dev"], capsys)
    assert "Pulumi.dev.yaml:2:21: not UTF-8 text (invalid continuation byte); save the file as " \
           "UTF-8" in err


# ------------------------------------------------------------------ validate and render


def test_validate_reads_the_stack_file_when_the_program_uses_load_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["validate", str(ROOT / "stacks/eks"), "--stack", "chained"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("stack chained is valid (config and rendered objects)\n")


def test_validate_refuses_a_config_value_that_is_no_mapping_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As pulumi.Config.get_object refuses it in the program (ConfigTypeError)."""
    project = _project(tmp_path, "config:\n  ingress:stack: shop\n")
    err = _error(["validate", str(project), "--stack", "dev"], capsys)
    assert "Pulumi.dev.yaml:2:18: ingress:stack: must be a mapping of keys to values " \
           "(got 'shop')" in err


def test_validate_reads_an_unset_config_from_the_environment_as_pulumi_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A stack file without ingress:stack: the program's pulumi.Config reads PULUMI_CONFIG."""
    project = _project(tmp_path, "config: {}\n")
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"ingress:stack": json.dumps(eks_stack())}))
    assert main(["validate", str(project), "--stack", "dev"]) == 0
    assert capsys.readouterr().out.endswith("is valid (config and rendered objects)\n")
    monkeypatch.delenv("PULUMI_CONFIG")
    assert "ingress:stack: missing or empty" in _error(
        ["validate", str(project), "--stack", "dev"], capsys)


@pytest.mark.parametrize(("stack", "where", "hint"), [
    (STACK.replace("ingress:stack:", "ingress:stak:"), "2:3",
     "`ingress:stak` is not it: did you mean ingress:stack?"),
    (STACK.replace("config:", "conifg:"), "1:1", "`conifg:` is not it: did you mean config?"),
])
def test_a_misspelt_config_key_is_named_where_ingress_stack_is_missing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], stack: str, where: str,
        hint: str) -> None:
    """A fresh trial: `ingress:stak:` said only that ingress:stack is missing, at line 1."""
    err = _error(["validate", str(_project(tmp_path, stack)), "--stack", "dev"], capsys)
    assert f"Pulumi.dev.yaml:{where}: ingress:stack: missing or empty" in err
    assert hint in err


def test_a_project_of_another_runtime_is_refused(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A fresh trial: `runtime: nodejs` was accepted and the Python program run anyway."""
    project = _project(tmp_path)
    (project / "Pulumi.yaml").write_text("name: cli\nruntime:\n  name: nodejs\n")
    err = _error(["validate", str(project), "--stack", "dev"], capsys)
    assert "Pulumi.yaml:2:1: runtime: must be python" in err
    (project / "Pulumi.yaml").write_text("name: cli\nruntme: python\n")
    err = _error(["validate", str(project), "--stack", "dev"], capsys)
    assert "Pulumi.yaml:2:" in err
    assert "`runtme` is not it: did you mean runtime?" in err


def test_a_stack_file_named_for_its_stack_gets_the_stack(
        capsys: pytest.CaptureFixture[str]) -> None:
    for given in ("Pulumi.gateway.yaml", "stacks/eks/Pulumi.gateway.yaml"):
        assert main(["validate", str(ROOT / "stacks/eks"), "--stack", given]) == 2
        assert "did you mean 'gateway'?" in capsys.readouterr().err


def test_validate_runs_a_program_that_builds_its_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["validate", str(ROOT / "examples/echoserver-canary"), "--stack", "dev"]) == 0
    assert capsys.readouterr().out.endswith("stack dev is valid (program run offline)\n")


@pytest.mark.parametrize(("tail", "refusal"), [
    ("from ingresslib import MeshSecurity\n"
     "from ingresslib.config import Security\n"
     "MeshSecurity('extra', Security(namespaces=['Shop_NS']), config.workload)\n",
     "__main__.py:17:"),
    # A second stack of the same name: the engine refuses a duplicate URN.
    ("IngressStack(config.name, config)\n", "Duplicate resource URN"),
    ("config.topology = 'chainned'\n", "topology: Instance is frozen"),
], ids=["a component", "a second stack", "a changed config"])
def test_validate_runs_a_program_that_does_more_than_load_its_stack_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], tail: str, refusal: str) -> None:
    """Reading the stack file alone validates a program only when that is all it reads: a
    program that also built a component with a mistake, a second stack or changed its config
    was called valid while render refused it (found by two fresh trials)."""
    project = tmp_path / "eks"
    shutil.copytree(ROOT / "stacks" / "eks", project)
    assert main(["validate", str(project), "--stack", "gateway"]) == 0
    assert capsys.readouterr().out.endswith("(config and rendered objects)\n")
    program = project / "__main__.py"
    program.write_text(program.read_text() + tail)
    err = _error(["validate", str(project), "--stack", "gateway"], capsys)
    assert refusal in err


def test_validate_analyses_the_rendered_objects(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    # Valid config, but the route after a catch-all can never match (IST0130).
    stack = STACK + """    routing:
      backends: {web: {service: web, namespace: shop, port: 8080}}
      hosts:
        - host: shop.example.com
          routes:
            - {name: all, to: [{backend: web}]}
            - {name: api, match: [{uri: {prefix: /api/}}], to: [{backend: web}]}
"""
    err = _error(["validate", str(_project(tmp_path, stack)), "--stack", "dev"], capsys)
    assert "invalid rendered objects" in err
    assert "IST0130" in err


def test_render_reports_config_problems_where_they_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path / "p", STACK.replace("protocol: HTTP", "protocol: htp"))
    err = _error(["render", str(project), "--stack", "dev", "--out", str(tmp_path / "o")],
                 capsys)
    assert "Pulumi.dev.yaml:5:42: listeners[http].protocol: Input should be 'HTTP', 'HTTPS' " \
           "or 'TLS'; did you mean 'HTTP'? (got 'htp')" in err


def test_a_config_built_in_python_is_not_placed_in_the_stack_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, "config:\n  cli:owner: shop\n")
    (project / "__main__.py").write_text("from ingresslib import parse_config\n"
                                         "parse_config({'cloud': 'gke'})\n")
    err = _error(["validate", str(project), "--stack", "dev"], capsys)
    # At the program's line that built it.
    assert err == ("error: invalid config: 1 problem(s)\n"
                   f"  - {project / '__main__.py'}:2:1: cloud: Input should be 'aks' or 'eks' "
                   "(got 'gke')\n")


# ------------------------------------------------------------------ what render writes


def _render(project: Path, out: Path) -> int:
    return main(["render", str(project), "--stack", "dev", "--out", str(out)])


def test_render_creates_the_directory_and_lists_what_it_wrote(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    assert _render(_project(tmp_path / "p"), out) == 0
    listed = json.loads((out / MARKER).read_text())["files"]
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert sorted([*listed, MARKER]) == written
    assert "plan.json" in listed
    assert any(name.startswith("manifests/") for name in listed)


def test_render_replaces_only_its_own_files(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("mine\n")
    (out / "manifests").mkdir()
    (out / "manifests" / "extra.yaml").write_text("kind: Mine\n")
    assert _render(project, out) == 0
    # A stale file of the last render (listed in its marker) goes; foreign files stay.
    stale = out / "manifests" / "istio-ingress--configmap--gone.yaml"
    stale.write_text("old\n")
    marker = json.loads((out / MARKER).read_text())
    marker["files"].append("manifests/istio-ingress--configmap--gone.yaml")
    (out / MARKER).write_text(json.dumps(marker))
    assert _render(project, out) == 0
    assert not stale.exists()
    assert (out / "README.md").read_text() == "mine\n"
    assert (out / "manifests" / "extra.yaml").read_text() == "kind: Mine\n"


def test_render_never_deletes_what_a_damaged_marker_names(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    out = tmp_path / "out"
    assert _render(project, out) == 0
    keep = tmp_path / "keep.txt"
    keep.write_text("x")
    marker = json.loads((out / MARKER).read_text())
    marker["files"] += ["../keep.txt", str(keep), "manifests/../../keep.txt"]
    (out / MARKER).write_text(json.dumps(marker))
    assert _render(project, out) == 0
    assert keep.read_text() == "x"


def test_render_refuses_to_overwrite_a_foreign_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.json").write_text("{}\n")
    err = _error(["render", str(_project(tmp_path / "p")), "--stack", "dev", "--out", str(out)],
                 capsys)
    assert "holds plan.json, which no earlier render wrote there" in err
    assert (out / "plan.json").read_text() == "{}\n"
    assert sorted(p.name for p in out.iterdir()) == ["plan.json"]


def test_render_lists_its_pictures_and_removes_them_when_it_cannot_draw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingresslib.offline import output  # noqa: PLC0415
    from ingresslib.offline.picture import PictureUnavailable  # noqa: PLC0415

    project, out = _project(tmp_path / "p"), tmp_path / "out"
    monkeypatch.setattr(output, "traffic_images", lambda records: {"traffic.svg": b"<svg/>"})
    assert _render(project, out) == 0
    assert "traffic.svg" in json.loads((out / MARKER).read_text())["files"]
    assert capsys.readouterr().out.endswith(", traffic.mmd, traffic.svg to " + str(out) + "\n")

    def unavailable(records: object) -> dict[str, bytes]:
        raise PictureUnavailable("no Graphviz")

    monkeypatch.setattr(output, "traffic_images", unavailable)
    assert _render(project, out) == 0
    # The last render's picture is stale: it goes with the other files the render no longer
    # writes, and the render says why.
    assert not (out / "traffic.svg").exists()
    assert "traffic.svg" not in json.loads((out / MARKER).read_text())["files"]
    assert capsys.readouterr().err == ("note: traffic.svg and traffic.png not written: "
                                       "no Graphviz\n")


def test_the_help_gives_the_exit_statuses_diff_returns() -> None:
    from ingresslib import cli  # noqa: PLC0415
    from ingresslib.offline import diff  # noqa: PLC0415

    assert (cli.EXIT_CHANGES, cli.EXIT_REPLACEMENTS) == (diff.EXIT_CHANGES,
                                                         diff.EXIT_REPLACEMENTS)


@pytest.mark.parametrize("target", ["file", "file/below"])
def test_render_refuses_a_file_for_out(target: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    err = _error(["render", str(_project(tmp_path / "p")), "--stack", "dev", "--out",
                  str(tmp_path / target)], capsys)
    assert ("is a file; name a directory" in err) or ("Not a directory" in err)
    assert (tmp_path / "file").read_text() == "x"


# ------------------------------------------------------------------ nothing left behind


def test_a_render_leaves_no_event_loop_open() -> None:
    run_project(ROOT / "stacks/aks", "gateway")
    loops = [o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop)]
    assert [loop for loop in loops if not loop.is_closed()] == []


# Runs the command line as `python -m ingresslib.cli` does, with the `picture` extra's
# `diagrams` unimportable, as on an install without the extra.
_WITHOUT_PICTURE = """
import runpy, sys
class _NoPicture:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "diagrams":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, _NoPicture())
runpy.run_module("ingresslib.cli", run_name="__main__", alter_sys=True)
"""
_NO_PICTURE_NOTE = ("note: traffic.svg and traffic.png not written: the picture needs the "
                    "diagrams package: pip install 'ingresslib[picture]'\n")


def _picture_installed() -> bool:
    try:
        import diagrams  # noqa: F401, PLC0415
    except ImportError:
        return False
    return shutil.which("dot") is not None


@pytest.mark.parametrize("picture", [True, False], ids=["with-picture", "without-picture"])
@pytest.mark.parametrize(("argv", "runs"), [
    (["validate", "examples/echoserver-canary", "--stack", "dev"], 4),
    (["validate", "stacks/eks", "--stack", "gateway"], 3),
    (["render", "stacks/aks", "--stack", "gateway", "--out", "{out}"], 3),
])
def test_successful_runs_print_nothing_on_stderr(argv: list[str], runs: int, picture: bool,
                                                 tmp_path: Path) -> None:
    """Nothing on stderr but, for a render without the picture extra, the one note saying how
    to get the picture."""
    # The SDK's worker threads used to leave event loops that, finalised at exit after their
    # self-pipes, printed "Exception ignored in BaseEventLoop.__del__" about one run in ten.
    if picture and not _picture_installed():
        pytest.skip("the picture extra (diagrams) or Graphviz's dot is not installed here")
    args = [a.format(out=tmp_path / "out") for a in argv]
    command = [*CLI, *args] if picture else [sys.executable, "-c", _WITHOUT_PICTURE, *args]
    expected = _NO_PICTURE_NOTE if argv[0] == "render" and not picture else ""
    for _ in range(runs):
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert result.stderr == expected
        if argv[0] == "render":
            assert ("traffic.svg" in result.stdout) == picture, result.stdout
        else:
            assert "is valid" in result.stdout, result.stdout


def test_a_gateway_api_finding_points_at_the_route_it_was_rendered_from(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 18's follow-up: a Gateway API analysis error (GWAPI0008: a catch-all ranked
    before a case-folded route) names the config route and gets its file:line, like every
    other problem, instead of stopping at `routes`."""
    stack = """config:
  ingress:stack:
    cloud: eks
    api: gatewayApi
    listeners:
      - {name: http, port: 80, protocol: HTTP, hosts: [a.example.com]}
    routing:
      backends:
        web: {service: web, namespace: shop, port: 80}
      hosts:
        - host: a.example.com
          routes:
            - name: booking
              match: [{uri: {prefix: /booking/}, ignoreUriCase: true}]
              to: [{backend: web}]
            - name: web
              to: [{backend: web}]
"""
    root = _project(tmp_path / "gwapi", stack)
    err = _error(["validate", str(root), "--stack", "dev"], capsys)
    assert "Pulumi.dev.yaml:16:15: routing.hosts[a.example.com].routes[web]: " in err, err
    assert "GWAPI0008" in err
