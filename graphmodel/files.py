"""Writing files whole or not at all: a temporary name beside the target, then a rename.

>>> with atomic_file("exports/x.txt", force=True) as out:   # doctest: +SKIP
...     out.write("完整的文件")
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

__all__ = ["ExportExists", "check_target", "atomic_file", "atomic_dir"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class ExportExists(FileExistsError):
    """The target exists and ``force`` was not given."""


def check_target(path, force: bool) -> None:
    """Refuse to replace an existing file unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise ExportExists(f"{path} 已存在；加 --force 覆盖 (exists; use --force to replace it)")


@contextmanager
def atomic_file(path: str | os.PathLike, force: bool = False, mode: str = "w") -> Iterator:
    """Write to a temporary file beside ``path``; rename it into place only on success."""
    path = Path(path)
    check_target(path, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; an export is as readable as any file
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": "\n"})) as handle:
            yield handle
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextmanager
def atomic_dir(path: str | os.PathLike, force: bool = False) -> Iterator[Path]:
    """Fill a temporary folder beside ``path``; swap it into place only on success."""
    path = Path(path)
    check_target(path, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        yield tmp
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, old / "x")
            os.replace(tmp, path)
            shutil.rmtree(old)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
