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


def test_a_symlink_is_followed_and_stays_a_link(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "later.json")
    write_atomic(dangling, "made")
    assert dangling.is_symlink() and (tmp_path / "later.json").read_text() == "made"


def test_a_fifo_is_written_through_not_replaced(tmp_path):
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "through the pipe")
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert fifo.is_fifo()


def test_a_full_device_gives_one_line_and_stays_a_device():
    with pytest.raises(RhetorscopeError, match="cannot write /dev/full: No space left on device"):
        write_atomic("/dev/full", "x" * 100_000)
    assert os.path.exists("/dev/full") and not os.path.isfile("/dev/full")


def test_a_full_disk_leaves_no_partial_file(tmp_path, monkeypatch):
    import errno

    target = tmp_path / "report.json"
    target.write_text("old")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(RhetorscopeError, match="No space left on device"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
