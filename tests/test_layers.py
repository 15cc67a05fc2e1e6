"""The layers of the code (``.importlinter``) hold, and a violation of them fails ``make lint``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}  # the copy, ahead of the installed package
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(tree / ".importlinter")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and its contracts, free to break."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "data", "static", "translations")
    shutil.copytree(ROOT / "simpul", tmp_path / "simpul", ignore=ignore)
    shutil.copy(ROOT / ".importlinter", tmp_path)
    return tmp_path


def test_the_tree_keeps_its_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_copy_of_the_tree_passes_before_it_is_broken(tree: Path):
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr


LAYERS = "Layers: each layer imports only the layers below it"
FLASK = "Flask and its extensions are imported only by the web layer and the CLI"


@pytest.mark.parametrize(
    ("module", "source", "contract", "names"),
    [
        (
            "simpul/registry/violation.py",
            "import flask\n",
            FLASK,
            "simpul.registry is not allowed to import flask",
        ),
        (
            "simpul/search/violation.py",
            "import werkzeug\n",
            FLASK,
            "simpul.search is not allowed to import werkzeug",
        ),
        (
            "simpul/search/violation.py",
            "from simpul.registry import models\n",
            LAYERS,
            "simpul.search is not allowed to import simpul.registry",
        ),
        (
            "simpul/registry/violation.py",
            "from simpul.web import create_app\n",
            LAYERS,
            "simpul.registry is not allowed to import simpul.web",
        ),
        (
            "simpul/harvesters/violation.py",
            "from simpul.search import base\n",
            "Harvesters never import search",
            "simpul.harvesters is not allowed to import simpul.search",
        ),
        (
            "simpul/search/violation.py",
            "from simpul.vocab import terms\n",
            "Search imports neither harvesters nor vocab",
            "simpul.search is not allowed to import simpul.vocab",
        ),
        (
            "simpul/reference/violation.py",
            "from simpul.errors import NotFound\n",
            "Reference data imports no other part of Simpul",
            "simpul.reference is not allowed to import simpul.errors",
        ),
        (
            "simpul/web/portal/violation.py",
            "from sqlalchemy import select\n",
            "The web layer runs no SQL: it calls the core's functions",
            "simpul.web is not allowed to import sqlalchemy",
        ),
        (
            "simpul/web/api/violation.py",
            "from simpul.web.portal import views\n",
            "The API and the portal do not import each other",
            "simpul.web.api is not allowed to import simpul.web.portal",
        ),
    ],
)
def test_a_violation_fails_naming_its_contract(
    tree: Path, module: str, source: str, contract: str, names: str
):
    (tree / module).write_text(source)
    result = lint_imports(tree)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout
    assert names in result.stdout


def test_a_source_type_importing_another_fails(tree: Path):
    rdf = tree / "simpul/harvesters/types/rdf.py"
    rdf.write_text(rdf.read_text() + "\nfrom simpul.harvesters.types import spreadsheet  # noqa\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "Harvester source types are independent of each other BROKEN" in result.stdout
    # the import the report names (its heading may be wrapped to the terminal's width)
    assert "- simpul.harvesters.types.rdf -> simpul.harvesters.types.spreadsheet" in result.stdout
