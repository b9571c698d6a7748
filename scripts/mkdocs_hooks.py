"""MkDocs hooks of the documentation site (mkdocs.yml `hooks:`).

- `<!-- edge-rules -->` in a page becomes the edge contract's rule table, generated from
  `ingresslib.stack.model.edge_rules()` at build time: the one table of every rule, never
  pasted. `<!-- edge-rules stacks/eks/Pulumi.chained.yaml -->` becomes the list of the rules
  that apply to that stack file (its edge plan's, as its edge.md lists them), each linked to
  its row of the table.
- Pages other work writes (the edge lab, the interaction sweeps) have nav entries whether or
  not their files exist yet: an absent one is generated as a one-line placeholder, so
  `mkdocs build --strict` passes either way and the real file replaces it when it lands.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

MARKER = "<!-- edge-rules -->"
STACK_MARKER = re.compile(r"<!-- edge-rules (\S+\.yaml) -->")
ROOT = Path(__file__).resolve().parents[1]

# Nav pages written elsewhere: file -> the work that writes it.
OPTIONAL_PAGES = {
    "lab.md": ("The edge lab", "the edge lab issue (17)"),
    "lab-front.md": ("The edge lab: the front", "the edge lab issue (17)"),
    "lab-standins.md": ("The edge lab: stand-ins", "the edge lab issue (17)"),
    "interaction-sweep-a.md": ("Interaction sweep A", "the interaction sweep issue (18)"),
    "interaction-sweep-b.md": ("Interaction sweep B", "the interaction sweep issue (18)"),
    "interaction-sweep-c.md": ("Interaction sweep C", "the interaction sweep issue (18)"),
}


def edge_rule_table() -> str:
    """Every edge rule as one Markdown table: code, statement, source, and the functions that
    enforce it (`ingresslib.rules.ENFORCED_BY`)."""
    from ingresslib.rules import ENFORCED_BY  # noqa: PLC0415 (at build time only)
    from ingresslib.stack.model import edge_rules  # noqa: PLC0415

    rows = ["| code | rule | source | enforced by |", "|---|---|---|---|"]
    rows += [f'| <span id="{r.code.lower()}"></span>{r.code} | {r.statement} | {r.source} | '
             f"{enforcers(ENFORCED_BY[r.code])} |" for r in edge_rules()]
    return "\n".join(rows) + "\n"


def enforcers(names: tuple[str, ...]) -> str:
    """`module:qualname` names as the file and the function: `stack/model.py` `edge_problems`."""
    out = []
    for name in names:
        module, _, qualname = name.partition(":")
        path = module.removeprefix("ingresslib.").replace(".", "/") + ".py"
        out.append(f"`{path}` `{qualname}`")
    return "; ".join(out)


def stack_rules(stack_file: str, page_path: str) -> str:
    """The rules of the stack file's edge plan, as a list linked to the edge contract page."""
    import yaml  # noqa: PLC0415

    from ingresslib import parse_config  # noqa: PLC0415

    config = yaml.safe_load((ROOT / stack_file).read_text())["config"]["ingress:stack"]
    up = "../" * page_path.count("/")
    rules = parse_config(config).edge.rules
    return "\n".join(f"- [{r.code}]({up}edge-contract.md#{r.code.lower()}): {r.statement}"
                     for r in sorted(rules, key=lambda r: r.code)) + "\n"


def on_config(config: Any) -> Any:
    # The tables come from this checkout's ingresslib, whatever else the environment has
    # installed (MkDocs restores sys.path after loading this module, so not at import time).
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return config


def on_files(files: Files, config: Any) -> Files:
    for name, (title, owner) in OPTIONAL_PAGES.items():
        if files.get_file_from_path(name) is None:
            files.append(File.generated(
                config, name,
                content=f"# {title}\n\nWritten by {owner}; this page is a placeholder until "
                        "it lands.\n"))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, edge_rule_table())
    return STACK_MARKER.sub(lambda m: stack_rules(m.group(1), page.file.src_uri), markdown)
