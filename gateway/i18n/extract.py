"""Every message template in the source, found by walking its syntax tree.

A template is the string literal in a message position: the message argument of
`Outcome.fail`, `Problem` and the other problem constructors, the first argument of
`text`/`Text`/`N_` and of the coded errors, and `default_message`. A message built
at run time in such a position (an f-string, `%`, `+`, `.format`) is reported as
such: it could never be translated. `python -m gateway.i18n.extract` prints the
templates as a .pot file; with `--update` (`make messages`) it adds the new ones to
the Italian catalog with an empty translation, for a translator to fill in.
"""

from __future__ import annotations

import ast
import io
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from gateway.i18n import CATALOG_PATH

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("gateway", "schema", "resolvers", "permissions")
# Callable name -> index of its message argument.
MESSAGE_ARGUMENT = {
    "fail": 1,
    "_fail": 1,
    "_refused": 1,
    "_problem": 1,
    "Problem": 1,
    "DomainProblem": 1,
    "DiscountProblem": 1,
    "text": 0,
    "Text": 0,
    "N_": 0,
    "GatewayError": 0,
    "Unauthenticated": 0,
    "Forbidden": 0,
    "NotFound": 0,
    "BadUserInput": 0,
    "RateLimited": 0,
}

I18N_NAMES = ("text", "Text", "N_")
HEADER = b"""# Italian texts of the organization gateway: msgid is the English template in the source.
# `python -m gateway.i18n.extract` lists every template; tests/test_i18n.py fails on one missing here.
msgid ""
msgstr ""
"Language: it\\n"
"Content-Type: text/plain; charset=utf-8\\n"

"""


@dataclass(frozen=True, slots=True)
class Found:
    path: Path
    line: int
    template: str | None  # None: built at run time, cannot be translated


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _judge(path: Path, node: ast.expr) -> Found | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return Found(path, node.lineno, node.value)
    if isinstance(node, ast.JoinedStr | ast.BinOp) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
    ):
        return Found(path, node.lineno, None)
    return None  # a name or expression passing on a template written elsewhere


def _in_file(path: Path) -> Iterator[Found]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    # `text` is also SQLAlchemy's: a bare name counts only where it was imported from here.
    ours = {
        a.asname or a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module == "gateway.i18n"
        for a in n.names
    }
    for node in ast.walk(tree):
        name = _name(node.func) if isinstance(node, ast.Call) else None
        if name in I18N_NAMES and isinstance(node.func, ast.Name) and name not in ours and path.parent.name != "i18n":
            continue
        if isinstance(node, ast.Call) and (index := MESSAGE_ARGUMENT.get(name or "")) is not None:
            argument = node.args[index] if len(node.args) > index else None
            if argument is None:
                argument = next((k.value for k in node.keywords if k.arg in ("message", "template")), None)
            if argument is not None and (found := _judge(path, argument)):
                yield found
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(isinstance(t, ast.Name) and t.id == "default_message" for t in targets):
                if found := _judge(path, node.value):
                    yield found


def templates(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> list[Found]:
    found: list[Found] = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found.extend(_in_file(path))
    return found


def _flags(template: str) -> list[str]:
    return ["python-brace-format"] if "{" in template else []


def update(path: Path = CATALOG_PATH) -> list[str]:
    """Add the source's templates missing from the catalog at `path`; returns them."""
    with path.open("rb") as po:
        catalog = read_po(po)
    added = sorted({f.template for f in templates() if f.template is not None and f.template not in catalog})
    for template in added:
        catalog.add(template, "", flags=_flags(template))
    # A fixed header and no source locations: they would change with every run and make merges conflict.
    body = io.BytesIO()
    write_po(body, catalog, width=120, sort_output=True, omit_header=True)
    path.write_bytes(HEADER + body.getvalue())
    return added


def main() -> None:
    if "--update" in sys.argv[1:]:
        for template in update():
            print(f"new, to translate: {template}")
        return
    catalog = Catalog(project="organization-gateway")
    for f in templates():
        if f.template is not None:
            catalog.add(f.template, locations=[(str(f.path.relative_to(ROOT)), f.line)], flags=_flags(f.template))
    write_po(sys.stdout.buffer, catalog, omit_header=True, sort_output=True)


if __name__ == "__main__":
    main()
