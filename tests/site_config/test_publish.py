"""Publishing swaps a whole build in atomically, or leaves the last good one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from core import publish


def publish_text(target, text):
    with publish.staged(target) as out:
        (out / "index.html").write_text(text)


def test_publish_then_replace(tmp_path):
    target = tmp_path / "site"
    publish_text(target, "one")
    first = publish.current(target)
    publish_text(target, "two")
    assert (target / "index.html").read_text() == "two"
    assert publish.current(target) != first
    assert first.exists(), "the previous build stays for readers still using it"
    publish_text(target, "three")
    assert not first.exists(), "older builds are pruned"
    assert len(list(publish.builds_dir(target).iterdir())) == 2


def test_failed_build_leaves_the_last_good_one(tmp_path):
    target = tmp_path / "site"
    publish_text(target, "good")
    with pytest.raises(RuntimeError), publish.staged(target) as out:
        (out / "index.html").write_text("half")
        raise RuntimeError("the build broke")
    assert (target / "index.html").read_text() == "good"
    assert not list(publish.builds_dir(target).glob("*.partial"))


def test_leftovers_of_a_killed_build_are_removed(tmp_path):
    target = tmp_path / "site"
    publish_text(target, "good")
    # A process that dies while building leaves its partial directory behind.
    code = (
        "import os, sys; from pathlib import Path; from core import publish\n"
        "with publish.staged(Path(sys.argv[1])) as out:\n"
        "    (out / 'index.html').write_text('half'); os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(target)], check=False)
    assert len(list(publish.builds_dir(target).glob("*.partial"))) == 1
    assert (target / "index.html").read_text() == "good"
    publish_text(target, "next")
    assert not list(publish.builds_dir(target).glob("*.partial"))
    assert (target / "index.html").read_text() == "next"


def test_a_real_directory_is_never_overwritten(tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "mine.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="is a real directory"):
        publish_text(target, "new")
    assert (target / "mine.txt").read_text() == "keep"
    assert os.path.isdir(target) and not os.path.islink(target)
