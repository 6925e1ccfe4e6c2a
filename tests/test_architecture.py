"""The layout is the pipeline: each layer imports only from the layers below it.

An AST walk over every module (function-local imports included), so an upward import
cannot hide in a function body. A function-local import must say why it is lazy.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dlcheck"
LAYERS = ["core", "parse", "spec", "engine", "check", "diagnose", "grade", "report", "explain", "api", "cli"]


def layer_of(module: str) -> int | None:
    """The layer index of a dlcheck module name, None for the package itself and __main__."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in ("__main__",):
        return None
    return LAYERS.index(parts[1])


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    name = ".".join(rel.parts)
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported dlcheck module, line, inside a function?) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".") if path.name == "__init__.py" else module_name(path).split(".")[:-1]
    local_lines = {n.lineno for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            names = [base]
        else:
            continue
        out += [(n, node.lineno, node.lineno in local_lines) for n in names if n.split(".")[0] == "dlcheck"]
    return out


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_folder_is_a_known_layer():
    folders = {p.relative_to(PACKAGE).parts[0] for p in MODULES if len(p.relative_to(PACKAGE).parts) > 1}
    assert folders == set(LAYERS), "a new folder must take its place in LAYERS (and ARCHITECTURE.md)"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_a_layer_above_its_own(path):
    own = layer_of(module_name(path))
    if own is None:
        return
    upward = [(m, line) for m, line, _ in imports(path) if (layer_of(m) or 0) > own]
    assert not upward, f"{path.relative_to(ROOT)} imports upward: {upward}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_function_local_imports_say_why(path):
    """A lazy import is for start-up speed and says so; it never dodges a cycle."""
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        local = [n.lineno for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))]
        if local:
            assert any("# lazy" in lines[k - 1] for k in local), \
                f"{path.relative_to(ROOT)}:{local[0]}: a function-local import needs a '# lazy: why' comment"


def test_the_walk_sees_an_upward_import(tmp_path):
    """The check above can fail: a function-local upward import is found."""
    fake = PACKAGE / "core" / "_probe_upward.py"
    fake.write_text("def f():\n    from dlcheck.cli import app  # lazy: probe\n    return app\n")
    try:
        found = imports(fake)
    finally:
        fake.unlink()
    assert found == [("dlcheck.cli", 2, True)]
    assert layer_of("dlcheck.cli") > layer_of("dlcheck.core._probe_upward")
