"""The house's layout rules, checked on every run (and by `make lint`):
- no import cycle between modules, counting imports inside functions too (a deferred import still couples
  the two files; it only hides the cycle from the interpreter);
- packages import one way only, down the layers `core` ← `notifications` ← `support` ← `billing` ←
  `invoices` ← `tripdesk` (the composition root); in particular no package imports the root;
- no module over 400 lines, except data (migrations, the corpus builder's templates).
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "tripdesk", "support", "billing", "invoices", "notifications")
DATA_MODULES = {"support/classification/corpus/build_corpus.py"}
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every project module `path` imports, anywhere in the file."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        targets.update(name for name in names if name in modules)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_no_import_cycle() -> None:
    try:
        tuple(TopologicalSorter(import_graph()).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None


LAYERS = ("core", "notifications", "support", "billing", "invoices", "tripdesk")


def test_packages_import_down_the_layers_only() -> None:
    upward = sorted(f"{name} -> {target}" for name, targets in import_graph().items() for target in targets
                    if LAYERS.index(target.split(".")[0]) > LAYERS.index(name.split(".")[0]))
    assert upward == []


def test_no_module_over_the_size_limit() -> None:
    long = {str(path.relative_to(ROOT)): count for path in _modules().values()
            if str(path.relative_to(ROOT)) not in DATA_MODULES
            and (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
