"""The dependency rule of ARCHITECTURE.md, checked by walking every module's imports with ast."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["app_pages", "ui", "charts", "metrics", "data", "reports", "auth", "config"]

# package -> top-level modules it must never import
FORBIDDEN = {
    "metrics": {"streamlit", "data", "ui", "app_pages", "charts", "reports", "auth", "sqlalchemy"},
    "charts": {"streamlit", "data", "ui", "app_pages", "reports", "auth", "sqlalchemy"},
    "reports": {"streamlit", "ui", "app_pages"},
    "data": {"streamlit", "ui", "app_pages", "charts", "reports"},
    "ui": {"app_pages"},
    "auth": {"app_pages"},
    "config": {"streamlit", "app_pages", "data", "ui"},
    "app_pages": {"sqlalchemy"},
}
STREAMLIT_FREE_MODULES = ["auth/roles.py", "auth/users.py"]


def imported_top_levels(path: Path) -> set[str]:
    """Top-level names of every module a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def package_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_dependency_rule(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_levels(path) & FORBIDDEN[package])
        for path in package_files(package)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("module", STREAMLIT_FREE_MODULES)
def test_pure_auth_modules_do_not_import_streamlit(module):
    path = ROOT / module
    if path.exists():
        assert "streamlit" not in imported_top_levels(path)


def test_nothing_imports_app_pages():
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts or "app_pages" in path.parts or path.name == "app.py" or "tests" in path.parts:
            continue
        assert "app_pages" not in imported_top_levels(path), path


def test_no_pages_folder_beside_app():
    """A pages/ folder would be auto-exposed by Streamlit before the sign-in gate runs."""
    assert not (ROOT / "pages").exists()
