"""The house's rules (docs/architecture.md), read from the code's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
SOURCES = [*PAGES, *sorted((ROOT / "kseg").glob("*.py")), *(ROOT / "webapp").glob("*.py")]

#: kseg modules that may import no other kseg module (but kseg._cv).
LEAVES = {"validation", "parallel", "loading", "naming", "kernels", "tracing", "curves"}


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
    return found


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
    for path in (ROOT / "kseg").glob("*.py"):
        for module, _ in _imports(path):
            assert not module.startswith(("streamlit", "webapp")), (path.name, module)


@pytest.mark.parametrize("name", ["budget", "links", "cache", "memory", "uploads", "spool"])
def test_the_pages_plain_python_rooms_never_import_streamlit(name):
    """The budget, the link rules, the caches and the allocator work (and are
    tested) without a Streamlit runtime."""
    for module, _ in _imports(ROOT / "webapp" / f"{name}.py"):
        assert not module.startswith("streamlit"), (name, module)


@pytest.mark.parametrize("leaf", sorted(LEAVES))
def test_leaf_modules_import_no_other_kseg_module(leaf):
    others = [
        module
        for module, _ in _imports(ROOT / "kseg" / f"{leaf}.py")
        if module.startswith("kseg") and module != "kseg._cv"
    ]
    assert others == []


def test_the_result_type_imports_only_the_thread_pool():
    others = {
        module
        for module, _ in _imports(ROOT / "kseg" / "result.py")
        if module.startswith("kseg") and module != "kseg._cv"
    }
    assert others <= {"kseg.parallel"}


def test_the_engine_modules_do_not_import_the_functions_built_on_them():
    """segment() sits above the engine: no engine room imports clustering,
    editing, masks, views or export."""
    engine = ["histogram", "lloyd", "seeding", "restarts", "result", "parallel", "validation"]
    above = {"kseg.clustering", "kseg.editing", "kseg.masks", "kseg.views", "kseg.export"}
    for name in engine:
        for module, _ in _imports(ROOT / "kseg" / f"{name}.py"):
            assert module not in above, (name, module)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_pages_draw_with_webapp_and_do_no_image_maths(path):
    """app.py and the pages import Streamlit and webapp's rooms only: no
    kseg, numpy or OpenCV on the page."""
    for module, _ in _imports(path):
        assert module.split(".")[0] in {"__future__", "streamlit", "webapp"}, (path.name, module)
