"""Every message a refusal can carry has its Kazakh and Russian translation in the problems catalogue, with
the same placeholders as the English, and the shipped .mo files match the .po sources.

The messages are found in the source itself (its syntax tree), the way pybabel finds them (infra/locale
README.md): the first argument of every call of a domain error class (infra.errors and its subclasses
anywhere), of `R_` and of a literal `Term`. A message that is not a literal (an f-string, a sum of strings) is
a failure too: it would reach kk and ru readers in English.
"""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from infra.i18n import placeholders
from infra.problems import LOCALE_DIR

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("admin", "budgets", "core", "ideas", "infra", "initiatives", "mobile_api", "notify", "server")
# Not refusals but words put into them: an invalid IIN's reason reads inside "The IIN is not valid: {reason}."
MARKERS = {"R_", "Term", "InvalidIIN"}


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for package in PACKAGES
            for path in sorted((ROOT / package).rglob("*.py"))]


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _error_classes(modules: list[tuple[Path, ast.Module]]) -> tuple[set[str], set[str]]:
    """The names of DomainError and its subclasses, and those of them whose constructor takes no message."""
    classes = {"DomainError"}
    own_message: set[str] = set()
    while True:
        found = {node.name for _, tree in modules for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
                 and any(_name(base) in classes for base in node.bases)}
        if found <= classes:
            break
        classes |= found
    for _, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in classes:
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__" and \
                            [a.arg for a in item.args.posonlyargs + item.args.args][1:2] != ["message"]:
                        own_message.add(node.name)
    return classes, own_message


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    return {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def _literals(node: ast.expr, constants: dict[str, ast.expr]) -> list[str] | None:
    """The message(s) an argument stands for, or None when it is not a literal one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Call) and _name(node.func) == "R_" and node.args:
        return _literals(node.args[0], constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return _literals(constants[node.id], constants)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in constants:
        table = constants[node.value.id]
        if isinstance(table, ast.Dict):
            found = [_literals(value, constants) for value in table.values]
            return None if any(f is None for f in found) else [m for f in found for m in f]
    return None


def scanned() -> tuple[set[str], list[str], list[str]]:
    """(every message, every place whose message is not a literal, every place whose message names a value
    the call does not give)."""
    modules = _modules()
    classes, own_message = _error_classes(modules)
    messages: set[str] = set()
    refused: list[str] = []
    unfilled: list[str] = []
    for path, tree in modules:
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _name(node.func)
            if name == "__init__" and isinstance(node.func, ast.Attribute) and \
                    isinstance(node.func.value, ast.Call) and _name(node.func.value.func) == "super":
                name = "super"  # a subclass's own constructor handing its message over
            if name not in classes - own_message and name not in MARKERS and name != "super":
                continue
            found = _literals(node.args[0], constants)
            if found is not None:
                messages.update(found)
                given = {k.arg for k in node.keywords}
                if name not in MARKERS and None not in given and any(placeholders(m) - given for m in found):
                    unfilled.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif name not in ("Term", "super", "InvalidIIN") or isinstance(node.args[0], ast.JoinedStr):
                # A Term of a status read from a row is one of STATUS_WORDS; anything else must be literal.
                refused.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return messages, refused, unfilled


def _worded(message: str) -> bool:
    """Whether there is anything to translate beside the placeholders (`{rules}` alone has nothing)."""
    rest = message
    for name in placeholders(message):
        rest = rest.replace("{" + name + "}", "").replace("{" + name + "!r}", "")
    return any(ch.isalpha() for ch in rest)


def test_every_message_is_a_literal_template():
    messages, refused, unfilled = scanned()
    assert not refused, f"give these a literal message with named placeholders: {refused}"
    assert not unfilled, f"these messages name a value the call does not give: {unfilled}"
    # The scan itself finds what it should: a refusal with placeholders, a R_ constant, a Term and a title.
    assert {"There is no round {round}.", "Not found", "proposing an idea", "draft",
            "an IIN is exactly 12 digits"} <= messages
    assert len(messages) > 150


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_message_is_translated_with_the_same_placeholders(language):
    po = LOCALE_DIR / language / "LC_MESSAGES" / "problems.po"
    catalogue = {m.id: m for m in read_po(po.open("rb")) if m.id}
    messages, _, _ = scanned()
    missing = sorted(m for m in messages if _worded(m) and (m not in catalogue or not catalogue[m].string
                                                             or catalogue[m].fuzzy))
    assert not missing, f"translate in {po.relative_to(ROOT)}: {missing}"
    differing = [(m, catalogue[m].string) for m in messages if m in catalogue
                 and placeholders(catalogue[m].string) != placeholders(m)]
    assert not differing, differing
    compiled = gettext.translation("problems", LOCALE_DIR, [language])
    stale = [k for k, m in catalogue.items() if m.string and compiled.gettext(k) != m.string]
    assert not stale, "run: pybabel compile -d infra/locale -D problems"
