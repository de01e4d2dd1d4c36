"""The house's layout rules, checked on every run (and by `make lint`):
- no import cycle between modules, counting imports inside functions too (a deferred import still couples
  the two files; it only hides the cycle from the interpreter);
- packages import one way only, down the layers `core` ← `notifications` ← `support` ← `billing` ←
  `invoices` ← `tripdesk` (the composition root); in particular no package imports the root;
- no module over 400 lines, except data (migrations, the corpus builder's templates);
- who may see what is decided in the access modules: no other module tests for an integrator, except the
  writes on a short allow-list, each with its reason.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it

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
    cycle: list[str] = []
    try:
        tuple(TopologicalSorter(import_graph()).static_order())
    except CycleError as exc:
        cycle = list(exc.args[1])
    assert cycle == [], f"import cycle: {' -> '.join(cycle)}"


LAYERS = ("core", "notifications", "support", "billing", "invoices", "tripdesk")


def test_packages_import_down_the_layers_only() -> None:
    upward = sorted(
        f"{name} -> {target}"
        for name, targets in import_graph().items()
        for target in targets
        if LAYERS.index(target.split(".")[0]) > LAYERS.index(name.split(".")[0])
    )
    assert upward == []


def test_no_module_over_the_size_limit() -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for path in _modules().values()
        if str(path.relative_to(ROOT)) not in DATA_MODULES
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


# Who may see what --------------------------------------------------------------------------------------

ACCESS_MODULES = {"core/auth.py", "support/access.py", "billing/access.py", "invoices/access.py"}
"""Where the integrator test may be written: the principal itself, and one access module per package whose
rules (query conditions) every read of organisation-scoped data goes through."""

INTEGRATOR_TEST_ALLOWED = {
    (
        "support/schemas.py",
        "TokenCreate._scope",
    ): "validates a new token: an integrator token names the one organisation it is scoped to",
    (
        "tripdesk/cli.py",
        "cmd_create_token",
    ): "the same rule for a token created on the command line, said in its options' words",
    (
        "support/programme/service.py",
        "_applicant",
    ): "a write: an integrator applies for its own, existing organisation and may not register a new one",
    (
        "billing/subscriptions/service.py",
        "_reseller",
    ): "a write: an integrator licenses only as the reselling partner, for one of its customers",
    (
        "billing/ceilings.py",
        "approve_ceiling",
    ): "the record of an approval says whether the customer approved or staff did on its behalf",
}
"""Decisions outside the access modules that test for an integrator, each a write or a record, never a read."""

_INTEGRATOR_ATTRIBUTES = {"is_integrator", "organisation_scope", "ensure_may_see"}


def _integrator_tests(tree: ast.Module) -> list[tuple[int, str, str]]:
    """(line, enclosing function or class, what) for every integrator test in a module. A tuple of roles
    that declares who may call an operation (a module-level UPPER_CASE constant or an `operation(roles=...)`
    argument) is not one: a role the operation excludes is refused with 403 before any lookup."""
    found: list[tuple[int, str, str]] = []
    declarations: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "roles":
            declarations.add(id(node.value))
    for node in tree.body:
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets):
            declarations.add(id(node.value))
    declarations &= {id(node) for node in ast.walk(tree) if isinstance(node, ast.Tuple | ast.List | ast.Set)}

    def visit(node: ast.AST, scope: tuple[str, ...], declared: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            scope = (*scope, node.name)
        declared = declared or id(node) in declarations
        where = ".".join(scope) or "<module>"
        if isinstance(node, ast.Attribute) and node.attr in _INTEGRATOR_ATTRIBUTES:
            found.append((node.lineno, where, f".{node.attr}"))
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "organisation_id"
            and isinstance(node.value, ast.Name)
            and node.value.id == "principal"
        ):
            found.append((node.lineno, where, "principal.organisation_id"))
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "integrator"
            and isinstance(node.value, ast.Name)
            and node.value.id == "Role"
            and not declared
        ):
            found.append((node.lineno, where, "Role.integrator"))
        elif isinstance(node, ast.Compare) and any(
            isinstance(side, ast.Constant) and side.value == "integrator" for side in (node.left, *node.comparators)
        ):
            found.append((node.lineno, where, "== 'integrator'"))
        for child in ast.iter_child_nodes(node):
            visit(child, scope, declared)

    visit(tree, (), False)
    return found


def _integrator_tests_outside_access() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for path in _modules().values():
        relative = str(path.relative_to(ROOT))
        if relative in ACCESS_MODULES:
            continue
        for line, where, what in _integrator_tests(ast.parse(path.read_text(encoding="utf-8"))):
            found.setdefault((relative, where), []).append(f"line {line}: {what}")
    return found


def test_who_may_see_what_is_decided_in_the_access_modules() -> None:
    """A read that tests for an integrator itself is a rule the access modules and the cross-organisation test
    (tests/test_cross_organisation.py) do not know about: use support/access.py, billing/access.py or
    invoices/access.py. A write that truly needs the test goes on INTEGRATOR_TEST_ALLOWED with its reason."""
    found = _integrator_tests_outside_access()
    assert {key: lines for key, lines in found.items() if key not in INTEGRATOR_TEST_ALLOWED} == {}
    assert sorted(set(INTEGRATOR_TEST_ALLOWED) - set(found)) == [], "allow-list entries that no longer apply"


def test_the_integrator_check_finds_what_it_looks_for() -> None:
    source = """
READERS = (Role.admin, Role.integrator)
INTEGRATOR = Role.integrator
@operation("x", roles=(Role.admin, Role.integrator))
async def read(principal):
    if principal.is_integrator or principal.role == "integrator" or principal.role is Role.integrator:
        return Invoice.filter(organisation_id=principal.organisation_scope())
    return Ticket.filter(bill_to_id=principal.organisation_id)
"""
    found = {(where, what) for _, where, what in _integrator_tests(ast.parse(source))}
    assert found == {
        ("<module>", "Role.integrator"),
        ("read", ".is_integrator"),
        ("read", "== 'integrator'"),
        ("read", "Role.integrator"),
        ("read", ".organisation_scope"),
        ("read", "principal.organisation_id"),
    }
