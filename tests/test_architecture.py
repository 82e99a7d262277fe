"""The house's rules (docs/architecture.md), read from the code's imports:
kseg and webapp are groups by job, each group importing only the groups
below it, with no cycle anywhere; small modules and functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
PACKAGES = [*sorted((ROOT / "kseg").rglob("*.py")), *sorted((ROOT / "webapp").rglob("*.py"))]
SOURCES = [*PAGES, *PACKAGES]

#: Each package's groups, lowest first; a group may import its own and the
#: groups before it.  Groups on one rank (the two pages) import neither.
#: Modules at a package's top level (its command, ``__init__``) rank above all.
ORDER = {
    "kseg": [["base"], ["engine"], ["pictures"], ["shapes"], ["files"], ["series"]],
    "webapp": [["server"], ["session"], ["parts"], ["one_photo", "many_photos"]],
}
TOP = len(ORDER["kseg"])


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
    return found


MODULES = {module_name(p): p for p in PACKAGES}


def imported_modules(path: Path) -> set[str]:
    """The project's modules ``path`` imports (``from kseg.base import
    parallel`` names the module ``kseg.base.parallel``)."""
    found = set()
    for module, names in _imports(path):
        subs = {f"{module}.{n}" for n in names} & MODULES.keys()
        found |= subs or ({module} & MODULES.keys())
    return found - {module_name(path)}


def rank(module: str) -> tuple[str, int, str]:
    """(package, the rank of its group, the group) of a project module."""
    package, *rest = module.split(".")
    if len(rest) >= 2:
        for r, groups in enumerate(ORDER[package]):
            if rest[0] in groups:
                return package, r, rest[0]
    return package, TOP, ""


@pytest.mark.parametrize("path", PACKAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_its_own_group_and_the_groups_below(path):
    package, mine, group = rank(module_name(path))
    for other in imported_modules(path):
        their_package, theirs, their_group = rank(other)
        if their_package != package:
            assert package == "webapp" and their_package == "kseg", other  # kseg never webapp
            continue
        assert theirs < mine or their_group == group, (module_name(path), other)


def test_no_import_cycle():
    graph = {m: imported_modules(p) for m, p in MODULES.items()}
    state: dict[str, int] = {}

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            assert state.get(n) != 1, " -> ".join([*trail, m, n])
            if n not in state:
                visit(n, [*trail, m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])


@pytest.mark.parametrize("package, most", [("kseg", 15), ("webapp", 8)])
def test_a_newcomer_sees_a_short_top_level(package, most):
    entries = [
        p
        for p in (ROOT / package).iterdir()
        if p.name != "__pycache__" and (p.suffix == ".py" or (p / "__init__.py").exists())
    ]
    assert len(entries) <= most, sorted(p.name for p in entries)
    # Every folder in the package is a group of ORDER (or kseg's bundled samples).
    folders = {p.name for p in entries if p.is_dir()}
    assert folders == {g for rank in ORDER[package] for g in rank} | (
        {"samples"} if package == "kseg" else set()
    )


@pytest.mark.parametrize(
    "group", [f"{p}/{g}" for p, ranks in ORDER.items() for r in ranks for g in r]
)
def test_every_group_says_its_job_and_what_it_may_import(group):
    doc = ast.get_docstring(ast.parse((ROOT / group / "__init__.py").read_text()))
    assert doc and "May import:" in doc
    package, name = group.split("/")
    r = next(i for i, ranks in enumerate(ORDER[package]) if name in ranks)
    below = {f"{package}.{g}" for ranks in ORDER[package][:r] for g in ranks}
    named = set(doc.split("May import:")[1].replace("`", " ").replace(",", " ").split())
    assert below <= named, below - named


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_over_400_lines_and_no_function_body_over_60(path):
    text = path.read_text()
    assert text.count("\n") <= 400
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            first = body[0]
            docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            if len(body) > 1 and docstring:
                body = body[1:]
            assert node.end_lineno - body[0].lineno + 1 <= 60, node.name


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_another_modules_private_names(path):
    private = [
        f"{module}.{name}"
        for module, names in _imports(path)
        if module.startswith(("kseg", "webapp"))
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert private == []


def test_kseg_never_imports_streamlit_or_the_page():
    for path in (ROOT / "kseg").rglob("*.py"):
        for module, _ in _imports(path):
            assert not module.startswith(("streamlit", "webapp")), (path.name, module)


@pytest.mark.parametrize("path", sorted((ROOT / "webapp" / "server").glob("*.py")), ids=str)
def test_the_servers_shared_rooms_never_import_streamlit(path):
    """The budget, the link rules, the caches and the allocator work (and are
    tested) without a Streamlit runtime."""
    for module, _ in _imports(path):
        assert not module.startswith("streamlit"), (path.name, module)


def test_the_base_imports_no_other_kseg_group():
    for path in (ROOT / "kseg" / "base").glob("*.py"):
        assert all(m.startswith("kseg.base") for m in imported_modules(path)), path.name


def test_the_engines_lower_rooms_do_not_import_the_functions_built_on_them():
    """segment() sits above the engine's rooms: the kernels, histograms,
    Lloyd, restarts and the result type import none of clustering, applying,
    choosing or editing."""
    lower = ["kernels", "hamerly", "pixel_kernels", "histogram", "lloyd", "restarts", "result"]
    above = {f"kseg.engine.{m}" for m in ("clustering", "applying", "choosing", "editing")}
    for name in lower:
        assert not imported_modules(ROOT / "kseg" / "engine" / f"{name}.py") & above, name


def test_warming_the_kernels_is_above_the_engine_not_inside_it():
    """The engine compiles nothing of the shapes: warming every kernel is
    the package's top-level job (kseg.warming)."""
    for path in (ROOT / "kseg" / "engine").glob("*.py"):
        assert not any(m.startswith("kseg.shapes") for m in imported_modules(path)), path.name


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_pages_draw_with_webapp_and_do_no_image_maths(path):
    """app.py and the pages import Streamlit and webapp's rooms only: no
    kseg, numpy or OpenCV on the page."""
    for module, _ in _imports(path):
        assert module.split(".")[0] in {"__future__", "streamlit", "webapp"}, (path.name, module)
