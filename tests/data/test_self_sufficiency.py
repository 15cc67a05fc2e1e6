"""A clone runs its own tests: no test reads the reference folder beside the repository
(``../shared/data``), every file here has its source and licence in LICENSES.md, and the
vendored yardstick is the official file, unchanged."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.data import TEST_DATA

ROOT = TEST_DATA.parents[1]
LICENSES = TEST_DATA / "LICENSES.md"
# how a test would reach the folder beside the repository
# (not SIMPUL_SHARED_DATA: the stemming benchmark's setting, which its test points here)
OUTSIDE = re.compile(r"shared_data|\bSHARED_DATA|shared/data|[\"']shared[\"']\s*/\s*[\"']data")
# one test per module that reads tests/data, and every fixture file, on SQLite
USERS = [
    "test_cpsv_ap_2_catalog_is_read",
    "test_a_record_filling_every_field_conforms",
    "test_finnish_cpsv_ap_2_catalog",
    "test_dcat_data_services_become_api_channels",
    "test_broken_turtle_in_a_sample_is_reported_with_its_line",
    "test_open_referral_services",
    "test_ckan_dataset_packages_from_a_portal",
    "test_reusable_column_mapping_on_a_village_letter_list",
    "test_the_chain_is_exported_as_prov_o_and_conforms",
    "test_matches_the_official_list",
    "test_stemming_accuracy_is_measured_with_its_misses",
    "(TestRdf and test_transform_gives_a_named_record_or_an_inventory_entry)",
    "(TestHsds and test_transform_gives_a_named_record_or_an_inventory_entry)",
]


def _data_files() -> set[str]:
    return {
        p.relative_to(TEST_DATA).as_posix()
        for p in TEST_DATA.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and p != LICENSES
    }


def test_no_test_reaches_outside_the_repository():
    here = Path(__file__).resolve()
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path.resolve() != here
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert found == []


def test_every_data_file_has_its_source_and_licence():
    named = set(re.findall(r"^\| `([^`]+)` \|", LICENSES.read_text(encoding="utf-8"), re.M))
    assert named == _data_files()


def test_the_vendored_shapes_are_the_official_file():
    text = LICENSES.read_text(encoding="utf-8")
    for path, digest in re.findall(r"^\| `(vocab/[^`]+)` \|.*SHA-256 `([0-9a-f]{64})`", text, re.M):
        assert hashlib.sha256((TEST_DATA / path).read_bytes()).hexdigest() == digest, path


def _copy_of_the_repository(target: Path) -> Path:
    """The repository's files alone, in a folder with nothing beside it."""
    skip = shutil.ignore_patterns(
        ".git", ".venv", "var", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache"
    )
    shutil.copytree(ROOT, target, ignore=skip)
    return target


@pytest.mark.slow
def test_the_tests_that_read_data_pass_in_a_copy_with_nothing_beside_it(tmp_path):
    clone = _copy_of_the_repository(tmp_path / "alone" / "simpul")
    assert not (clone.parent / "shared").exists()
    modules = sorted(
        str(p.relative_to(clone))
        for p in (clone / "tests").rglob("test_*.py")
        if "TEST_DATA" in p.read_text(encoding="utf-8") and p.parent != clone / "tests" / "data"
    )
    env = {**os.environ, "CI": "true", "PYTHONPATH": str(clone)}
    env.pop("SIMPUL_SHARED_DATA", None)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "not postgresql"]
    command += ["-k", " or ".join(USERS), *modules]
    result = subprocess.run(
        command, cwd=clone, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    output = result.stdout + result.stderr
    assert f"rootdir: {clone}" in output, output[-3000:]  # the copy's tests, not these
    assert result.returncode == 0, output[-3000:]
    assert f" {len(USERS)} passed," in output, output[-3000:]
