"""Publishing a built directory atomically.

A published directory (the site, the search index) is a symbolic link to one build in a
sibling ``<name>.builds/`` folder. A new build is written beside it and the link is
replaced with ``os.replace``, which is atomic: readers see the old build or the new one,
never a half-written one. A build that fails, or a process killed mid-build, leaves the
link where it was; its leftovers are removed by the next build.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KEEP_PREVIOUS = 1  # the build before the current one stays, for readers still using it
_IN_PROGRESS = ".partial"


def builds_dir(target: Path) -> Path:
    return target.with_name(target.name + ".builds")


@contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """One builder at a time for ``target``: a full build and a partial one (a promoted
    page's language) would otherwise each publish over what the other just published."""
    folder = builds_dir(target)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current(target: Path) -> Path | None:
    """The build the target points at now, or None before the first publish."""
    return target.resolve() if target.is_symlink() and target.exists() else None


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Yield an empty directory to build into; publish it as ``target`` if no error escapes."""
    _check_publishable(target)
    folder = builds_dir(target)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(folder)
    # Named by start time (sortable, unique) and the building process (to spot leftovers).
    build = folder / f"{time.time_ns()}-{os.getpid()}{_IN_PROGRESS}"
    build.mkdir()
    try:
        yield build
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    final = build.with_name(build.name.removesuffix(_IN_PROGRESS))
    build.rename(final)
    swap(target, final)
    _prune(folder, keep={final, *_previous(folder, final)})


def swap(target: Path, build: Path) -> None:
    """Point ``target`` at ``build`` in one atomic step."""
    _check_publishable(target)
    link = target.with_name(f".{target.name}.{os.getpid()}.link")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(build, target.parent))
    os.replace(link, target)


def _check_publishable(target: Path) -> None:
    if target.exists() and not target.is_symlink():
        raise FileExistsError(
            f"{target} is a real directory, not a published link; move it away and build again."
        )


def _previous(folder: Path, final: Path) -> list[Path]:
    done = sorted(p for p in _builds(folder) if not p.name.endswith(_IN_PROGRESS) and p != final)
    return done[-KEEP_PREVIOUS:] if KEEP_PREVIOUS else []


def _builds(folder: Path) -> list[Path]:
    """The builds in ``folder``; not the lock beside them."""
    return [path for path in folder.iterdir() if not path.name.startswith(".")]


def _prune(folder: Path, keep: set[Path]) -> None:
    for path in _builds(folder):
        if path not in keep and not path.name.endswith(_IN_PROGRESS):
            shutil.rmtree(path, ignore_errors=True)


def _remove_leftovers(folder: Path) -> None:
    """Remove builds a killed process left half-written (their process is gone)."""
    for path in folder.glob(f"*{_IN_PROGRESS}"):
        pid = path.name.removesuffix(_IN_PROGRESS).partition("-")[2]
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
