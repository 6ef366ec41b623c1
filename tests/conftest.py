"""Shared fixtures: paths to the bundled example and to the optional ../shared datasets."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = ROOT / "examples" / "mfa-lavrov-interview-2025-03-21.txt"
SHARED = Path(__import__("os").environ.get("RHETORSCOPE_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def reference_path() -> Path:
    return REFERENCE


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """The ../shared/datasets folder; tests that need it skip on a fresh clone without it."""
    path = SHARED / "datasets"
    if not path.is_dir():
        pytest.skip(f"datasets not found at {path} (set RHETORSCOPE_SHARED to the shared/ folder)")
    return path
