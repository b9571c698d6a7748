"""`ingresslib diff`: the pure per-resource diff, its text and markdown forms, the CLI against
another stack, directory and git revision, and the CI workflows that run it."""

from __future__ import annotations

import copy
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingresslib.cli import _parser, main
from ingresslib.offline.diff import ABSENT, diff, format_markdown, format_text
from ingresslib.offline.mocks import OfflineError
from tests.conftest import ROOT
from tests.shared import expand_expressions, workflow_matrix

EXAMPLE = "examples/echoserver-canary"
# The block of docs/reviewing-changes.md: seed 001's canary moving from 80/20 (stack dev) to
# 50/50 (stack fifty).
README_COMMAND = f"ingresslib diff {EXAMPLE} --stack fifty --against-stack dev"
README_OUTPUT = """\
stack dev -> stack fifty: 1 changed, 0 added, 0 removed, 27 unchanged
~ networking.istio.io/v1 VirtualService istio-ingress/echo-echo-example-com
    spec.http[name=echoserver].route[0].weight: 80 -> 50
    spec.http[name=echoserver].route[1].weight: 20 -> 50
"""


def _vs(*weights: int, routes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    web = {"name": "web", "route": [
        {"destination": {"host": "web", "subset": f"v{i + 1}"}, "weight": w}
        for i, w in enumerate(weights)]}
    return {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": "shop", "namespace": "edge"},
            "spec": {"hosts": ["shop.example.com"], "http": routes or [web]}}


def _secret(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tls", "namespace": "edge"},
            "stringData": data}


def _lines(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    return format_text(diff(old, new), "old", "new").splitlines()[1:]


def test_weights_change_by_path() -> None:
    assert _lines([_vs(80, 20)], [_vs(50, 50)]) == [
        "~ networking.istio.io/v1 VirtualService edge/shop",
        "    spec.http[name=web].route[0].weight: 80 -> 50",
        "    spec.http[name=web].route[1].weight: 20 -> 50",
    ]


def test_identical_inputs_have_no_changes() -> None:
    result = diff([_vs(80, 20), _secret(key="[secret]")], [_secret(key="[secret]"), _vs(80, 20)])
    assert result.resources == ()
    assert result.unchanged == 2
    assert format_markdown(result, "a", "b").endswith("No changes.\n")


def test_named_elements_match_by_name_and_order_counts() -> None:
    api = {"name": "api", "match": [{"uri": {"prefix": "/api/"}}], "route": []}
    web = {"name": "web", "route": []}
    admin = {"name": "admin", "match": [{"uri": {"prefix": "/admin"}}], "route": []}
    # An inserted rule is one added element, not every later rule changed.
    assert _lines([_vs(routes=[api, web])], [_vs(routes=[api, admin, web])])[1:] == [
        '    spec.http[name=admin]: (absent) -> {"match": [{"uri": {"prefix": "/admin"}}], '
        '"name": "admin", "route": []}',
    ]
    # First match wins, so a reorder is a change of its own.
    assert _lines([_vs(routes=[api, web])], [_vs(routes=[web, api])])[1:] == [
        '    spec.http[*].name: ["api", "web"] -> ["web", "api"]',
    ]


def test_unnamed_lists_compare_by_index() -> None:
    old, new = _vs(100), _vs(90, 10)
    assert _lines([old], [new])[1:] == [
        "    spec.http[name=web].route[0].weight: 100 -> 90",
        '    spec.http[name=web].route[1]: (absent) -> {"destination": {"host": "web", '
        '"subset": "v2"}, "weight": 10}',
    ]


def test_secrets_are_never_diffed_as_values() -> None:
    old = _secret(**{"tls.crt": "[secret]", "tls.key": "[secret]"})
    new = _secret(**{"tls.crt": "[secret]", "ca.crt": "[secret]"})
    assert _lines([old], [new]) == [
        "~ v1 Secret edge/tls",
        '    stringData["ca.crt"]: changed (secret)',
        '    stringData["tls.key"]: changed (secret)',
    ]
    plain = {"type": "azure-native:keyvault:Secret", "name": "k",
             "inputs": {"properties": "abc"}}
    hidden = {**plain, "inputs": {"properties": "[secret]"}}
    assert _lines([plain], [hidden]) == [
        "~ azure-native:keyvault:Secret k", "    inputs.properties: changed (secret)"]


def test_resources_added_removed_and_plan_entries_in_stable_order() -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "edge"}}
    key = {"type": "tls:index/privateKey:PrivateKey", "name": "edge-key",
           "inputs": {"algorithm": "RSA"}}
    old = [key, ns, _vs(80, 20)]
    new = [{**key, "inputs": {"algorithm": "ECDSA"}}, _secret(k="[secret]"), _vs(80, 20)]
    result = diff(old, new)
    # A new key algorithm makes a new key: a replacement, listed first.
    assert [(r.status, r.key) for r in result.resources] == [
        ("replaced", "tls:index/privateKey:PrivateKey edge-key"),
        ("removed", "v1 Namespace edge"),
        ("added", "v1 Secret edge/tls"),
    ]
    assert result.summary() == "1 replaced, 0 changed, 1 added, 1 removed, 1 unchanged"
    assert format_text(result, "a", "b") == format_text(diff(old[::-1], new[::-1]), "a", "b")


def test_duplicate_resources_are_refused() -> None:
    with pytest.raises(OfflineError, match="two resources render as"):
        diff([_vs(100), _vs(100)], [])


def test_markdown_has_summary_table_and_a_fenced_block_per_change() -> None:
    tricky = _vs(80, 20)
    tricky["metadata"]["annotations"] = {"note": "a ``` fence | pipe"}
    text = format_markdown(diff([_vs(80, 20)], [tricky, _secret(k="[secret]")]), "main", "PR")
    assert text.splitlines()[:6] == [
        "**ingresslib diff** main → PR: 1 changed, 1 added, 0 removed, 0 unchanged",
        "",
        "| resource | status |",
        "|---|---|",
        "| `networking.istio.io/v1 VirtualService edge/shop` | changed |",
        "| `v1 Secret edge/tls` | added |",
    ]
    # The value holds three backticks, so the block is fenced with four.
    fenced = '\n````text\nmetadata.annotations: (absent) -> {"note": "a ``` fence | pipe"}\n````\n'
    assert fenced in text


def test_readme_diff_block(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
                           ) -> None:
    monkeypatch.chdir(ROOT)
    assert main(shlex.split(README_COMMAND)[1:]) == 0
    assert capsys.readouterr().out == README_OUTPUT


def test_exit_code_and_markdown(monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    args = shlex.split(README_COMMAND)[1:]
    assert main([*args, "--exit-code", "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("**ingresslib diff** stack dev → stack fifty: 1 changed")
    assert "spec.http[name=echoserver].route[1].weight: 20 -> 50\n```\n" in out
    assert main(["diff", EXAMPLE, "--stack", "dev", "--against-stack", "dev",
                 "--exit-code"]) == 0
    assert "0 changed, 0 added, 0 removed, 28 unchanged" in capsys.readouterr().out


def test_against_dir_compares_two_projects(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "echo"
    shutil.copytree(ROOT / EXAMPLE, other)
    (other / "Pulumi.dev.yaml").write_text("config:\n  echoserver-canary:host: echo.example.org\n")
    # The self-signed certificate's request names the host: pulumi-tls replaces it.
    assert main(["diff", str(other), "--stack", "dev", "--against-dir", str(ROOT / EXAMPLE),
                 "--exit-code"]) == 3
    out = capsys.readouterr().out
    assert "! tls:index/certRequest:CertRequest echo-tls-echo-tls-csr\n" \
        "    replaced: inputs.dnsNames changes\n" in out
    assert "~ networking.istio.io/v1 Gateway istio-ingress/echo" in out
    assert '    spec.servers[port.name=http].hosts[0]: "echo.example.com" -> "echo.example.org"' \
        in out


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=repo, check=True, capture_output=True)


def test_against_a_git_revision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / EXAMPLE, repo / "app", ignore=shutil.ignore_patterns("__pycache__"))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "seed")
    (repo / "app" / "Pulumi.dev.yaml").write_text(
        "config:\n  echoserver-canary:host: echo.example.com\n"
        "  echoserver-canary:canaryWeight: 50\n")
    assert main(["diff", str(repo / "app"), "--stack", "dev", "--rev", "HEAD"]) == 0
    assert capsys.readouterr().out == README_OUTPUT.replace(
        "stack dev -> stack fifty", "HEAD -> working tree")
    assert main(["diff", str(repo / "app"), "--stack", "dev", "--rev", "no-such-rev"]) == 2
    assert "git archive --format=tar no-such-rev failed" in capsys.readouterr().err


def test_render_errors_exit_2(monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["diff", EXAMPLE, "--stack", "dev", "--against-stack", "nope"]) == 2
    assert "no stack 'nope'" in capsys.readouterr().err


# The CI examples: valid workflows whose ingresslib commands this CLI accepts.
WORKFLOWS = sorted((ROOT / "examples" / "ci").glob("*.yml"))
_VAR = re.compile(r"\$\{?([A-Z_][A-Z0-9_]*)\}?")


def _invocations(job: dict[str, Any], step: dict[str, Any], matrix: dict[str, str]
                 ) -> list[tuple[Path, list[str]]]:
    """Every `ingresslib ...` command line in a step's script, as the shell would run it (the
    job's and step's env and the matrix filled in), with the directory it runs in."""
    env = {k: expand_expressions(str(v), matrix) for k, v in {**job.get("env", {}),
                                                   **step.get("env", {})}.items()}
    script = expand_expressions(step.get("run", ""), matrix).replace("\\\n", " ")
    script = _VAR.sub(lambda m: env.get(m.group(1), m.group(0)), script)
    cwd = ROOT / step.get("working-directory", ".")
    found = []
    for line in script.splitlines():
        words = shlex.split(line, comments=True)
        for i, word in enumerate(words):
            if word == "ingresslib" or word.endswith("/ingresslib"):
                end = next((j for j in range(i, len(words))
                            if words[j] in (">", "2>", "|", "||", "&&", ";")), len(words))
                found.append((cwd, words[i + 1:end]))
    return found


def _commands(job: dict[str, Any]) -> list[tuple[Path, list[str]]]:
    return [c for m in workflow_matrix(job) for step in job["steps"]
            for c in _invocations(job, step, m)]


def test_ci_workflows_exist() -> None:
    assert [w.name for w in WORKFLOWS] == ["offline-diff.yml", "pulumi-preview.yml"]
    assert (ROOT / "examples" / "ci" / "README.md").is_file()


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_ci_workflow_runs_real_commands(workflow: Path) -> None:
    data = yaml.safe_load(workflow.read_text())
    assert "pull_request" in data[True]  # YAML 1.1 reads the key `on` as True
    assert data["jobs"]
    for job in data["jobs"].values():
        steps = job["steps"]
        assert steps
        assert all("uses" in s or "run" in s for s in steps)
        assert "actions/checkout" in [s["uses"].partition("@")[0] for s in steps if "uses" in s]
        commands = _commands(job)
        assert commands
        for cwd, argv in commands:
            args = _parser().parse_args(argv)
            assert (cwd / args.stack_dir / f"Pulumi.{args.stack}.yaml").is_file(), argv


def test_offline_diff_workflow_diffs_every_stack_against_the_base_branch() -> None:
    data = yaml.safe_load((ROOT / "examples" / "ci" / "offline-diff.yml").read_text())
    (job,) = data["jobs"].values()
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    runs = [_parser().parse_args(argv) for _, argv in _commands(job)]
    assert {(str(a.stack_dir), a.stack) for a in runs} == {
        (f"stacks/{cloud}", topology) for cloud in ("aks", "eks")
        for topology in ("gateway", "chained", "standalone")}
    assert {(a.command, a.rev, a.format) for a in runs} == {("diff", "origin/main", "markdown")}


def test_pulumi_preview_workflow_previews_with_a_diff_on_both_clouds() -> None:
    data = yaml.safe_load((ROOT / "examples" / "ci" / "pulumi-preview.yml").read_text())
    assert data["permissions"]["id-token"] == "write"
    for cloud, login in (("eks", "aws-actions/configure-aws-credentials"),
                         ("aks", "azure/login")):
        job = data["jobs"][cloud]
        assert job["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
        uses = {s["uses"].partition("@")[0]: s.get("with", {}) for s in job["steps"]
                if "uses" in s}
        assert login in uses
        preview = uses["pulumi/actions"]
        assert (preview["command"], preview["diff"], preview["work-dir"]) == (
            "preview", True, f"stacks/{cloud}")


# Diffs for reviewers: embedded documents, identities, replacements, whole stacks.


def _copy(project: str, tmp_path: Path) -> Path:
    target = tmp_path / Path(project).name
    shutil.copytree(ROOT / project, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _edit(stack_file: Path, edit: Any) -> None:
    data = yaml.safe_load(stack_file.read_text())
    edit(data["config"]["ingress:stack"])
    stack_file.write_text(yaml.safe_dump(data, sort_keys=False))


def test_min_replicas_change_shows_only_the_changed_values(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    eks = _copy("stacks/eks", tmp_path)
    _edit(eks / "Pulumi.gateway.yaml",
          lambda s: s["gateway"]["autoscaling"].update(minReplicas=5))
    assert main(["diff", str(eks), "--stack", "gateway", "--against-dir",
                 str(ROOT / "stacks/eks"), "--exit-code"]) == 1
    out = capsys.readouterr().out
    group = "spec.groups[name=ingresslib.ingress.istio-ingress.istio-ingressgateway]"
    rule = f"{group}.rules[alert=IngressGatewayReplicasBelowMinimum]"
    assert out.splitlines()[1:] == [
        "~ autoscaling/v2 HorizontalPodAutoscaler istio-ingress/istio-ingressgateway",
        "    spec.minReplicas: 3 -> 5",
        "~ monitoring.coreos.com/v1 PrometheusRule istio-ingress/istio-ingressgateway",
        f'    {rule}.annotations.description: "Fewer than the [-3-]{{+5+}} gateway pods the '
        '…rops edge traffic."',
        f'    {rule}.annotations.summary: "istio-ingress/isti… pods, fewer than [-3-]{{+5+}}"',
        f'    {rule}.expr: "max by (namespace,…gressgateway\\"}}) < [-3-]{{+5+}}"',
        "~ v1 ConfigMap istio-ingress/istio-ingressgateway-dashboard",
        '    data["istio-ingressgateway.json"]{json}.panels[title=Replicas].fieldConfig.defaults'
        ".thresholds.steps[1].value: 3 -> 5",
    ]


def test_removing_one_alert_rule_reports_one_rule_removed(renders) -> None:
    from ingresslib.offline.output import manifests  # noqa: PLC0415

    (rule,) = [o for o in manifests(renders[("stacks/eks", "gateway")])
               if o["kind"] == "PrometheusRule"]
    fewer = copy.deepcopy(rule)
    rules = fewer["spec"]["groups"][0]["rules"]
    removed = rules.pop(len(rules) // 2)
    (res,) = diff([rule], [fewer]).resources
    (change,) = res.fields
    assert change.path.endswith(f".rules[alert={removed['alert']}]")
    assert (change.old, change.new) == (removed, ABSENT)


def test_embedded_documents_compare_parsed() -> None:
    def dep(proxy: str, config: str) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c", "namespace": "n",
                             "annotations": {"proxy.istio.io/config": proxy}},
                "data": {"config.yaml": config}}

    old = dep('{"terminationDrainDuration": "45s"}',
              "domain: edge\ndescriptors:\n  - key: host\n    value: a\n    rate: 10\n"
              "  - key: path\n    value: b\n    rate: 5\n")
    new = dep('{"terminationDrainDuration":"60s"}',
              "domain: edge\ndescriptors:\n  - key: path\n    value: b\n    rate: 5\n")
    assert _lines([old], [new])[1:] == [
        '    data["config.yaml"]{yaml}.descriptors[key=host]: {"key": "host", "rate": 10, '
        '"value": "a"} -> (absent)',
        '    metadata.annotations["proxy.istio.io/config"]{json}.terminationDrainDuration: '
        '"45s" -> "60s"',
    ]


def test_list_items_match_by_identity() -> None:
    def gateway(*servers: tuple[str, int]) -> dict[str, Any]:
        return {"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
                "metadata": {"name": "g", "namespace": "n"},
                "spec": {"servers": [{"port": {"name": n, "number": p, "protocol": "HTTP"},
                                      "hosts": ["a.example.com"]} for n, p in servers]}}

    assert _lines([gateway(("http", 80), ("https", 443))],
                  [gateway(("https", 8443))])[1:] == [
        "    spec.servers[port.name=https].port.number: 443 -> 8443",
        '    spec.servers[port.name=http]: {"hosts": ["a.example.com"], "port": {"name": '
        '"http", "number": 80, "protocol": "HTTP"}} -> (absent)',
    ]
    rule = {"type": "aws:lb/listenerRule:ListenerRule", "name": "r", "inputs": {
        "priority": 2, "conditions": [{"hostHeader": {"values": ["a.example.com"]}},
                                      {"pathPattern": {"values": ["/api/*"]}}]}}
    moved = copy.deepcopy(rule)
    moved["inputs"]["conditions"] = moved["inputs"]["conditions"][::-1]
    moved["inputs"]["conditions"][0]["pathPattern"]["values"] = ["/v2/*"]
    assert _lines([rule], [moved])[1:] == [
        '    inputs.conditions[*].key: ["hostHeader", "pathPattern"] -> '
        '["pathPattern", "hostHeader"]',
        '    inputs.conditions[key=pathPattern].pathPattern.values[0]: "/api/*" -> "/v2/*"',
    ]


def test_added_resources_are_shown_whole_and_folded_in_markdown() -> None:
    result = diff([], [_vs(100)])
    assert format_text(result, "a", "b").splitlines()[1:6] == [
        "+ networking.istio.io/v1 VirtualService edge/shop",
        "    apiVersion: networking.istio.io/v1",
        "    kind: VirtualService",
        "    metadata:",
        "      name: shop",
    ]
    text = format_markdown(result, "a", "b")
    assert "<details><summary><code>networking.istio.io/v1 VirtualService edge/shop</code> " \
        "added</summary>\n\n```yaml\napiVersion: networking.istio.io/v1\n" in text


def test_markdown_caps_its_size_and_says_so() -> None:
    many = [_vs(100) | {"metadata": {"name": f"vs{i}", "namespace": "edge"}} for i in range(40)]
    text = format_markdown(diff([], many), "a", "b", max_chars=4000)
    assert len(text) <= 4000
    assert text.count("<details>") < 40
    assert re.search(r"_\d+ of 40 resource sections left out to stay under 4000 characters",
                     text)
    assert format_markdown(diff([], many), "a", "b").count("<details>") == 40
    assert "rerun with `--full-diff FILE`" in text
    assert "the full diff is in `diff.md`" in format_markdown(
        diff([], many), "a", "b", max_chars=4000, full_diff="diff.md")


def test_the_cap_bounds_the_whole_comment_even_with_many_replacements() -> None:
    """Replacements and table rows count too: 120 replaced load balancers under a 1000
    character cap still give a comment under 1000 characters that says what it left out."""
    old = [_alb(False) | {"name": f"lb{i:03}"} for i in range(120)]
    new = [_alb(True) | {"name": f"lb{i:03}"} for i in range(120)]
    text = format_markdown(diff(old, new), "a", "b", max_chars=1000)
    assert len(text) <= 1000
    assert "more replacements" in text or "cut at the size cap" in text


def _alb(internal: bool) -> dict[str, Any]:
    return {"type": "aws:lb/loadBalancer:LoadBalancer", "name": "edge-alb-lb",
            "inputs": {"internal": internal, "idleTimeout": 60}}


def test_a_field_the_provider_replaces_on_is_a_replacement() -> None:
    idle = _alb(False) | {"inputs": {"internal": False, "idleTimeout": 120}}
    assert diff([_alb(False)], [idle]).exit_status() == 1
    result = diff([_alb(False), _vs(100)], [_alb(True), _vs(90, 10)])
    assert result.exit_status() == 3
    assert format_text(result, "a", "b").splitlines()[:4] == [
        "a -> b: 1 replaced, 1 changed, 0 added, 0 removed, 0 unchanged",
        "! aws:lb/loadBalancer:LoadBalancer edge-alb-lb",
        "    replaced: inputs.internal changes",
        "    inputs.internal: false -> true",
    ]
    markdown = format_markdown(result, "a", "b")
    assert "> **1 replacement(s)**" in markdown
    assert "> - `aws:lb/loadBalancer:LoadBalancer edge-alb-lb`: inputs.internal changes" \
        in markdown


def test_renamed_resources_are_replaced_unless_aliased() -> None:
    import pulumi  # noqa: PLC0415

    from ingresslib.offline.replacements import entries  # noqa: PLC0415
    from ingresslib.offline.runner import run_program  # noqa: PLC0415

    def program(stack: str, alias: bool) -> Any:
        def run() -> None:
            parent = pulumi.ComponentResource("ingresslib:index:IngressStack", stack)
            opts = pulumi.ResourceOptions(
                parent=parent, aliases=[pulumi.Alias(name="edge-lb")] if alias else None)
            pulumi.CustomResource("aws:lb/loadBalancer:LoadBalancer", f"{stack}-lb",
                                  {"idleTimeout": 60}, opts)
        return entries(run_program(run))

    old = program("edge", alias=False)
    renamed = diff(old, program("shop", alias=False))
    assert [(r.status, r.key, r.reasons) for r in renamed.resources] == [
        ("replaced", "aws:lb/loadBalancer:LoadBalancer edge-lb -> shop-lb",
         ("Pulumi name edge-lb -> shop-lb (no alias)",))]
    aliased = diff(old, program("shop", alias=True))
    assert [(r.status, r.reasons) for r in aliased.resources] == [("changed", ())]


def test_a_stack_rename_flags_the_alb_replacement(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    eks = _copy("stacks/eks", tmp_path)
    _edit(eks / "Pulumi.chained.yaml", lambda s: s.update(name="shop"))
    assert main(["diff", str(eks), "--stack", "chained", "--against-dir",
                 str(ROOT / "stacks/eks"), "--exit-code"]) == 3
    lines = capsys.readouterr().out.splitlines()
    first = [line for line in lines if line.startswith(("!", "~", "+", "-"))][:4]
    assert "! aws:lb/loadBalancer:LoadBalancer ingress-alb-lb -> shop-alb-lb" in first
    assert "    replaced: Pulumi name ingress-alb-lb -> shop-alb-lb (no alias)" in lines


def _repo_with(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / EXAMPLE, repo / "app", ignore=shutil.ignore_patterns("__pycache__"))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "seed")
    return repo


def test_a_stack_added_or_removed_by_the_change_is_wholly_added_or_removed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo_with(tmp_path)
    app = repo / "app"
    shutil.copy(app / "Pulumi.dev.yaml", app / "Pulumi.staging.yaml")
    assert main(["diff", str(app), "--stack", "staging", "--rev", "HEAD", "--exit-code"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("HEAD (no stack staging) -> working tree: 0 changed, 28 added, "
                          "0 removed, 0 unchanged\n")
    assert "ingresslib-diff-" not in out
    (app / "Pulumi.dev.yaml").unlink()
    assert main(["diff", str(app), "--stack", "dev", "--rev", "HEAD"]) == 0
    assert "HEAD -> working tree (no stack dev): 0 changed, 0 added, 28 removed" in \
        capsys.readouterr().out
    assert main(["diff", str(app), "--stack", "nope", "--rev", "HEAD"]) == 2
    assert "has no stack 'nope' in the working tree nor at HEAD" in capsys.readouterr().err


def test_baseline_errors_name_the_revision_not_a_temporary_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    eks = repo / "eks"
    shutil.copytree(ROOT / "stacks/eks", eks, ignore=shutil.ignore_patterns("__pycache__"))
    (eks / "Pulumi.yaml").write_text((eks / "Pulumi.yaml").read_text().replace(
        "name: ingress-eks", "name: ingress-eks\nmain: missing/"))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "broken main")
    shutil.copy(ROOT / "stacks/eks/Pulumi.yaml", eks / "Pulumi.yaml")
    assert main(["diff", str(eks), "--stack", "gateway", "--rev", "HEAD"]) == 2
    err = capsys.readouterr().err
    assert "at HEAD:" in err
    assert "ingresslib-diff-" not in err
    assert tempfile.gettempdir() not in err.replace(str(tmp_path), "")
