"""Atomic output: complete file or nothing, readable permissions, clear errors."""

from __future__ import annotations

import os

import pytest

from rhetorscope.errors import RhetorscopeError
from rhetorscope.io import write_atomic


def test_write_atomic_replaces_whole_file_with_umask_permissions(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")
    write_atomic(target, "new content")
    assert target.read_text() == "new content"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_write_atomic_refuses_missing_folder_and_directories(tmp_path):
    with pytest.raises(RhetorscopeError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "x.json", "x")
    with pytest.raises(RhetorscopeError, match="is a directory"):
        write_atomic(tmp_path, "x")
