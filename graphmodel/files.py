"""The output layer: every file qmap writes goes through here, so every command follows the same rules.

* **Safe names.** A file named after an id gets its name from :func:`safe_names` (or
  :func:`safe_name` for one): no path separators, no ``..``, no Windows device names
  (``CON``, ``NUL``, ``COM1`` …, with or without an extension) or characters Windows
  forbids, at most :data:`MAX_NAME_BYTES` bytes of UTF-8, unique within a folder even on a
  case-insensitive disk (a short hash of the id where two would collide), Chinese kept.
* **Inside the chosen folder, nothing replaced unasked.** Every target is checked to
  resolve inside the folder. An existing file is replaced only with ``force``; a file the
  command reads (:func:`protect_input`, or the graph's own source) is never a target. In a
  folder, ``force`` replaces only what qmap wrote there — recorded, with each file's
  SHA-256, in the folder's :data:`MANIFEST` — never another file, nor one changed since.
* **Whole or not at all.** One file is written to a temporary name beside it and renamed
  (:func:`atomic_file`, :func:`write_file`). A set of files (:func:`output_folder`) is
  built in a staging folder and moved into place at the end; a run replaces its own
  earlier set (same ``key``), so a failure leaves the previous set or nothing.
* **One line per failure.** An OS error becomes :class:`OutputError`, naming the path and
  the cause in Chinese and English; the CLI prints it and exits 1 (2 for a refusal).

Cells meant for people go through :func:`inert_cell` / :func:`csv_text`: text Excel would
read as a formula is stored as text.

>>> safe_name("../../escaped", ".html"), safe_name("nul", ".txt"), safe_name("浦东-01", ".html")
('_._escaped.html', '_nul.txt', '浦东-01.html')
>>> sorted(safe_names(["SH1", "sh1", "A.1", "A.2"], ".html").values())
['A.1.html', 'A.2.html', 'SH1-74b75c28.html', 'sh1-d6be7fb8.html']
>>> with output_folder("exports/maps", key="maps", force=True) as out:   # doctest: +SKIP
...     out.write_text("index.html", page)
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterable, Iterator

__all__ = [
    "os_cause",
    "MANIFEST",
    "MAX_NAME_BYTES",
    "OutputError",
    "ExportExists",
    "safe_name",
    "safe_names",
    "protect_input",
    "command_inputs",
    "graph_inputs",
    "check_target",
    "atomic_file",
    "write_file",
    "output_folder",
    "OutputSet",
    "describe_os_error",
    "looks_like_formula",
    "inert_cell",
    "inert_sheet",
    "csv_text",
]

#: The record of what qmap wrote in a folder (one per folder it writes into).
MANIFEST = ".qmap-manifest.json"
#: File names from ids stay within this many bytes of UTF-8 (255 is the limit of most disks).
MAX_NAME_BYTES = 120

_INTERNAL = ".qmap-"  # staging and backup folders inside an output folder start with this
_STAGING = ".qmap-staging-"
_BACKUP = ".qmap-old-"


# --------------------------------------------------------------------------- errors

_CAUSES = {
    errno.EACCES: ("没有权限", "permission denied"),
    errno.EPERM: ("没有权限", "operation not permitted"),
    errno.ENOSPC: ("磁盘空间不足", "no space left on the device"),
    errno.EFBIG: ("文件超过系统允许的大小", "file too large"),
    errno.ENAMETOOLONG: ("文件名或路径过长", "file name too long"),
    errno.ENOTDIR: ("路径中有一段是文件，不是文件夹", "a part of the path is a file, not a folder"),
    errno.EISDIR: ("这是一个文件夹", "is a folder"),
    errno.EROFS: ("只读文件系统", "read-only file system"),
    errno.ENOENT: ("文件或文件夹不存在", "no such file or folder"),
    errno.EEXIST: ("已存在", "already exists"),
    errno.ENOTEMPTY: ("文件夹不是空的", "folder is not empty"),
    errno.EIO: ("读写错误", "input/output error"),
    errno.EMFILE: ("打开的文件过多", "too many open files"),
    errno.ENFILE: ("打开的文件过多", "too many open files"),
    errno.EBUSY: ("文件正被占用", "device or resource busy"),
    errno.ELOOP: ("符号链接过多", "too many levels of symbolic links"),
    errno.EXDEV: ("不能跨磁盘移动", "cross-device link"),
}
if hasattr(errno, "EDQUOT"):
    _CAUSES[errno.EDQUOT] = ("超出磁盘配额", "disk quota exceeded")
if os.name == "nt":  # Windows says EACCES for a file another program (Excel) has open
    _CAUSES[errno.EACCES] = ("没有权限，或文件正被其他程序打开", "permission denied, or the file is open in another program")


def _cause(error: OSError) -> str:
    zh, en = _CAUSES.get(error.errno, ("系统错误", error.strerror or type(error).__name__))
    return f"{zh} ({en})"


class OutputError(Exception):
    """A file qmap could not write, or will not: one line naming the path and the cause.

    ``status`` is the exit status the CLI uses: 1 when the system refused (permission,
    disk full …), 2 when qmap refused (the file exists, is an input, is not qmap's).
    """

    status = 1

    def __init__(self, path, tail: str, head: str = "", status: int | None = None):
        self.path, self.head, self.tail = path, head, tail
        if status is not None:
            self.status = status
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.head}{self.path}{self.tail}"

    @classmethod
    def from_os(cls, error: OSError, path=None) -> "OutputError":
        return cls(path if path is not None else error.filename, f"：{_cause(error)}", "无法写入 cannot write ")


class ExportExists(OutputError):
    """The target exists and ``force`` was not given."""

    status = 2

    def __init__(self, path):
        super().__init__(path, " 已存在；加 --force 覆盖 (exists; use --force to replace it)")


def _refused(path, zh: str, en: str) -> OutputError:
    return OutputError(path, f" {zh} ({en})", status=2)


def _not_ours(path) -> OutputError:
    return _refused(path, "不是 qmap 写入的文件（或写入后已被修改），--force 也不会替换它；请移走它或换一个输出文件夹",
                    "was not written by qmap, or was changed since; --force never replaces it: move it away "
                    "or choose another folder")


def _input_target(path) -> OutputError:
    return _refused(path, "是本命令读取的输入，不能作为输出（--force 也不行）",
                    "is an input of this command and never a target, even with --force")


def describe_os_error(error: OSError) -> str:
    """One line for an OS error that did not come through the output layer (e.g. a file that cannot be read)."""
    if error.filename is None:  # "系统错误 (…)" already when the cause has no name of ours
        return _cause(error) if error.errno not in _CAUSES else f"系统错误 system error：{_cause(error)}"
    return f"无法访问 cannot access {error.filename}：{_cause(error)}"


def _os_cause(error: BaseException) -> OSError | None:
    """The OS error behind ``error`` (a writer may wrap it, e.g. zipfile's "seek of closed file")."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OSError):
            return error
        code = _lxml_io_errno(error)
        if code is not None:
            return OSError(code, os.strerror(code))
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _lxml_io_errno(error: BaseException) -> int | None:
    """lxml (under openpyxl) reports a failed write as ``SerialisationError('IO_EFBIG')``, not an OSError."""
    if type(error).__name__ == "SerialisationError" and str(error).startswith("IO_E"):
        return getattr(errno, str(error)[3:].split()[0], None)
    return None


# --------------------------------------------------------------------------- safe names

_UNSAFE = re.compile(r"[^\w.\-]")  # keep letters (Chinese too), digits, _ . - ; everything else becomes _
_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
            *(f"{p}{n}" for p in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³"))}


def _digest(text: str, length: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def _stem(text: str) -> str:
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFC", str(text)))
    stem = re.sub(r"\.{2,}", ".", stem).strip(".") or "_"
    if stem.split(".")[0].upper() in _DEVICES:
        stem = "_" + stem
    return stem


def _fit(stem: str, budget: int) -> str:
    raw = stem.encode("utf-8")
    if len(raw) <= budget:
        return stem
    return raw[:max(budget, 1)].decode("utf-8", "ignore").rstrip(".") or "_"


def _hashed(text: str, suffix: str, length: int, max_bytes: int) -> str:
    return f"{_fit(_stem(text), max_bytes - len(suffix.encode()) - length - 1)}-{_digest(text, length)}{suffix}"


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def safe_name(text: str, suffix: str = "", *, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name for ``text`` (an id) ending in ``suffix``, safe on Windows, macOS and Linux.

    Not unique on its own: names in one folder come from :func:`safe_names`. A name cut to
    fit gets a hash of the whole id, so two long ids that begin alike stay apart.

    >>> safe_name("a/b:c", ".html"), safe_name("CON.txt"), safe_name("..")
    ('a_b_c.html', '_CON.txt', '_')
    """
    stem = _stem(text)
    if len(stem.encode("utf-8")) + len(suffix.encode("utf-8")) > max_bytes:
        return _hashed(text, suffix, 8, max_bytes)
    return stem + suffix


def safe_names(ids: Iterable[str], suffix: str = "", *, reserved: Iterable[str] = (),
               max_bytes: int = MAX_NAME_BYTES) -> dict[str, str]:
    """Id → file name, unique within one folder ignoring letter case and Unicode form.

    ``reserved`` are names the folder needs for itself (e.g. ``index.html``). Where names
    would collide, each id whose name is not exactly the id gets ``-<hash of the id>``; one
    id spelled exactly as its name keeps it. The result does not depend on the order of ids.

    >>> safe_names(["index", "C1"], ".html", reserved=["index.html"])
    {'C1': 'C1.html', 'index': 'index-1bc04b52.html'}
    """
    ids = sorted({str(i) for i in ids})
    names = {i: safe_name(i, suffix, max_bytes=max_bytes) for i in ids}
    taken = {_fold(r) for r in reserved}
    for length in (8, 16, 64):
        groups: dict[str, list[str]] = defaultdict(list)
        for i in ids:
            groups[_fold(names[i])].append(i)
        clashed = False
        for key, members in groups.items():
            if len(members) == 1 and key not in taken:
                continue
            exact = [m for m in members if names[m] == m + suffix] if key not in taken else []
            for m in members:
                if len(exact) != 1 or m != exact[0]:
                    names[m] = _hashed(m, suffix, length, max_bytes)
                    clashed = True
        if not clashed:
            return names
    raise ValueError(f"cannot give distinct file names to ids: {ids[:5]}")  # pragma: no cover - sha256 collision


def _plain_part(part: str) -> bool:
    """One path component that names a file in the folder it is in, nothing else."""
    return (isinstance(part, str) and part not in ("", ".", "..") and not part.startswith(_INTERNAL)
            and part != MANIFEST and "\0" not in part and "/" not in part and "\\" not in part
            and len(part.encode("utf-8", "surrogatepass")) <= 255)


# --------------------------------------------------------------------------- inputs are never targets

_INPUTS: ContextVar[tuple[str, ...]] = ContextVar("qmap_inputs", default=())


def protect_input(*paths) -> None:
    """Mark files or folders the running command reads: no write may target them (or a path inside one)."""
    _INPUTS.set(_INPUTS.get() + tuple(os.path.realpath(p) for p in paths if p))


@contextmanager
def command_inputs() -> Iterator[None]:
    """One command's inputs: protection starts empty and ends with the command."""
    token = _INPUTS.set(())
    try:
        yield
    finally:
        _INPUTS.reset(token)


def graph_inputs(*graphs) -> tuple[str, ...]:
    """The files and folders the graphs were read from (``G.graph["source_paths"]``, else
    ``G.graph["source"]``), where they exist."""
    found = []
    for G in graphs:
        if G is None:
            continue
        paths = G.graph.get("source_paths")
        sources = list(paths.values()) if isinstance(paths, dict) else G.graph.get("source") or ()
        for source in [sources] if isinstance(sources, (str, os.PathLike)) else sources:
            if isinstance(source, (str, os.PathLike)) and source and os.path.exists(source):
                found.append(os.fspath(source))
    return tuple(found)


def _norm(path) -> str:
    return os.path.normcase(os.path.realpath(path))


def _within(root: str, path: str) -> bool:
    root, path = os.path.normcase(root), os.path.normcase(path)
    try:
        return os.path.commonpath([root, path]) == root
    except ValueError:  # different drives on Windows
        return False


def _check_not_input(target: Path, inputs: Iterable = ()) -> None:
    real = _norm(target)
    for source in (*_INPUTS.get(), *inputs):
        protected = _norm(source)
        if real == protected or (os.path.isdir(protected) and _within(protected, real)):
            raise _input_target(target)
        if os.path.lexists(target) and os.path.exists(protected):
            try:
                if os.path.samefile(target, protected):  # a hard or symbolic link to the input
                    raise _input_target(target)
            except OSError:
                pass


# --------------------------------------------------------------------------- single files

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _make_dirs(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return those created, outermost first."""
    missing = []
    folder = Path(os.path.abspath(folder))
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        os.mkdir(path)
    return list(reversed(missing))


def _remove_dirs(created: list[Path]) -> None:
    for path in reversed(created):
        try:
            os.rmdir(path)
        except OSError:
            break


def check_target(path, force: bool, inputs: Iterable = ()) -> None:
    """Refuse a target that is an input, a folder, or (unless ``force``) an existing file."""
    path = Path(path)
    _check_not_input(path, inputs)
    if os.path.isdir(path):
        raise _refused(path, "是一个文件夹，不是文件", "is a folder, not a file")
    if os.path.lexists(path) and not force:
        raise ExportExists(path)


@contextmanager
def atomic_file(path: str | os.PathLike, force: bool = False, mode: str = "w", *,
                inputs: Iterable = ()) -> Iterator:
    """Write to a temporary file beside ``path`` (whose name the caller chose); rename it into place on success.

    A failure leaves the old file (or nothing) and removes any folder it created; an
    OS error comes out as :class:`OutputError` naming ``path``.
    """
    path = Path(path)
    check_target(path, force, inputs)
    created: list[Path] = []
    tmp = None
    done = False
    try:
        created = _make_dirs(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; an export is as readable as any file
        text = {} if "b" in mode else {"encoding": "utf-8", "newline": "\n"}
        with os.fdopen(fd, mode, **text) as handle:
            yield handle
        os.replace(tmp, path)
        tmp = None
        _record_rewrite(path)
        done = True
    except Exception as error:
        cause = _os_cause(error)
        if cause is not None:
            raise OutputError.from_os(cause, path) from error
        raise
    finally:
        if tmp is not None and os.path.lexists(tmp):
            os.unlink(tmp)
        if not done:
            _remove_dirs(created)


def write_file(path: str | os.PathLike, data: str | bytes, *, force: bool = False, inputs: Iterable = ()) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all; see :func:`atomic_file`."""
    with atomic_file(path, force, "wb" if isinstance(data, bytes) else "w", inputs=inputs) as out:
        out.write(data)
    return Path(path)


# --------------------------------------------------------------------------- manifests

def _file_digest(path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _read_manifest(folder: Path) -> dict:
    """What qmap wrote in ``folder``: {"files": {name: {set, sha256, size}}, "folders": {name: {set}}}."""
    empty = {"files": {}, "folders": {}}
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    if not isinstance(data, dict):
        return empty
    files = {n: e for n, e in (data.get("files") or {}).items()
             if _plain_part(n) and isinstance(e, dict) and isinstance(e.get("sha256"), str)
             and isinstance(e.get("size"), int)}
    folders = {n: e for n, e in (data.get("folders") or {}).items() if _plain_part(n) and isinstance(e, dict)}
    return {"files": files, "folders": folders}


def _manifest_bytes(manifest: dict) -> bytes:
    return json.dumps({"qmap": "manifest", "version": 1,
                       "note": "qmap 在此文件夹写入的文件；--force 只替换这些 (files qmap wrote in this folder; "
                               "--force replaces only these)",
                       "files": dict(sorted(manifest["files"].items())),
                       "folders": dict(sorted(manifest["folders"].items()))},
                      ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def _write_manifest(folder: Path, manifest: dict) -> None:
    target = folder / MANIFEST
    if not manifest["files"] and not manifest["folders"]:
        if os.path.lexists(target):
            os.unlink(target)
        return
    fd, tmp = tempfile.mkstemp(prefix=".qmap-manifest.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_manifest_bytes(manifest))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def _entry(path: Path, key) -> dict:
    return {"set": key, "sha256": _file_digest(path), "size": os.path.getsize(path)}


def _owned(path: Path, entry: dict | None) -> bool:
    """qmap wrote ``path`` and nobody changed it since."""
    if not entry or os.path.islink(path) or not os.path.isfile(path):
        return False
    try:
        return os.path.getsize(path) == entry["size"] and _file_digest(path) == entry["sha256"]
    except OSError:
        return False


def _record_rewrite(path: Path) -> None:
    """A file written by name into a folder qmap keeps a record of: keep the record true."""
    folder = path.parent
    if not (folder / MANIFEST).is_file():
        return
    manifest = _read_manifest(folder)
    if path.name in manifest["files"]:
        try:
            manifest["files"][path.name] = _entry(path, manifest["files"][path.name].get("set"))
            _write_manifest(folder, manifest)
        except OSError:  # the file is written; at worst a later --force treats it as not qmap's
            pass


# --------------------------------------------------------------------------- sets of files

def _alive(pid: int, path: str) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # no cheap liveness test: leave a day's grace
        try:
            return time.time() - os.path.getmtime(path) < 86_400
        except OSError:
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _sweep(folder: Path, prefixes: tuple[str, ...]) -> None:
    """Remove staging and backup folders left by a qmap run that was killed."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        prefix = next((p for p in prefixes if entry.name.startswith(p)), None)
        if prefix is None or not entry.is_dir(follow_symlinks=False):
            continue
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid), entry.path):
            shutil.rmtree(entry.path, ignore_errors=True)


class OutputSet:
    """A set of files for one folder, built in :attr:`dir` (staging) and moved into place as one.

    Use through :func:`output_folder`. Write each file at :meth:`path` (or with
    :meth:`write_text` / :meth:`write_bytes`); another qmap writer may also write a
    subfolder of :attr:`dir` (its own staging is then nested in this one).
    """

    def __init__(self, folder, key: str | None, force: bool, inputs: Iterable):
        self.folder = Path(folder)  # as given: messages name what the person typed
        self.key, self.force = key, force
        self._inputs = tuple(inputs)
        self._root = Path(os.path.realpath(self.folder))
        self._manifests: dict[Path, dict] = {}
        self._created: list[Path] = []
        self.dir: Path = self._root
        self._existed = False

    # -- helpers
    def _manifest(self, folder: Path) -> dict:
        if folder not in self._manifests:
            self._manifests[folder] = _read_manifest(folder)
        return self._manifests[folder]

    def _final(self, parts) -> Path:
        return self.folder.joinpath(*parts)

    def _shown(self, path) -> Path:
        """A path in the staging (or the final) folder, as the person will see it once in place."""
        text = os.fspath(path) if path is not None else ""
        for root in (os.fspath(self.dir), os.path.realpath(self.dir), os.fspath(self._root)):
            if text == root:
                return self.folder
            if text.startswith(root + os.sep):
                return self.folder / os.path.relpath(text, root)
        return Path(text) if text else self.folder

    def _check_file(self, parts: tuple[str, ...]) -> None:
        """May the file ``parts`` (relative to the folder) be written where it will end up?"""
        target = self._root.joinpath(*parts)
        self._check_inside(parts, target)
        _check_not_input(target, self._inputs)
        if not os.path.lexists(target):
            return
        if os.path.isdir(target) and not os.path.islink(target):
            raise _refused(self._final(parts), "已存在且是文件夹，qmap 不会替换它", "exists and is a folder; qmap will not replace it")
        if not self.force:
            raise ExportExists(self._final(parts))
        if not _owned(target, self._manifest(target.parent)["files"].get(parts[-1])):
            raise _not_ours(self._final(parts))

    def _check_inside(self, parts: tuple[str, ...], path: Path) -> None:
        if not _within(str(self._root), os.path.realpath(path)):
            raise _refused(self._final(parts), "会落在输出文件夹之外，已拒绝", "would land outside the output folder; refused")

    def _check_folder(self, parts: tuple[str, ...]) -> None:
        target = self._root.joinpath(*parts)
        if os.path.islink(target) or (os.path.lexists(target) and not os.path.isdir(target)):
            raise _refused(self._final(parts), "已存在且不是文件夹，qmap 不会替换它",
                           "exists and is not a folder; qmap will not replace it")

    # -- opening
    def _open(self) -> None:
        _check_not_input(self._root, self._inputs)
        if os.path.lexists(self._root) and not os.path.isdir(self._root):
            raise OutputError(self.folder, "：不是文件夹 (is not a folder)", "无法写入 cannot write ")
        self._existed = os.path.isdir(self._root)
        try:
            if self._existed:
                _sweep(self._root, (_STAGING, _BACKUP))
                if self.key and not self.force:
                    self._refuse_earlier_set()
                parent, prefix = self._root, _STAGING
            else:
                self._created = _make_dirs(self._root.parent)
                parent, prefix = self._root.parent, f".{self._root.name}{_STAGING}"
                _sweep(parent, (prefix,))
            self.dir = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
            os.chmod(self.dir, 0o777 & ~_umask())
        except OSError as error:
            _remove_dirs(self._created)
            raise OutputError.from_os(error, self.folder) from error

    def _refuse_earlier_set(self) -> None:
        manifest = self._manifest(self._root)
        for kind in ("files", "folders"):
            for name, entry in sorted(manifest[kind].items()):
                if entry.get("set") == self.key and os.path.lexists(self._root / name):
                    raise ExportExists(self.folder / name)

    # -- writing
    def path(self, *parts: str) -> Path:
        """The staging path of ``parts`` (folder names, then a file name); checks its final place now."""
        if not parts or not all(_plain_part(p) for p in parts):
            raise _refused(self.folder.joinpath(*map(str, parts)), "不是安全的文件名", "is not a safe file name")
        for depth in range(1, len(parts)):
            self._check_folder(parts[:depth])
        if os.path.lexists(self._root.joinpath(*parts)) and os.path.isdir(self._root.joinpath(*parts)):
            self._check_folder(parts)  # a folder another writer fills (e.g. maps/ of the demo)
        else:
            self._check_file(parts)
        staged = self.dir.joinpath(*parts)
        staged.parent.mkdir(parents=True, exist_ok=True)
        return staged

    def final(self, *parts: str) -> Path:
        """Where ``parts`` will be once the set is in place."""
        return self._final(parts)

    def write_bytes(self, name: str, data: bytes, *folders: str) -> Path:
        final = self.final(*folders, name)
        try:
            with open(self.path(*folders, name), "wb") as handle:
                handle.write(data)
        except OSError as error:  # name the file as it will be, not its staging copy
            raise OutputError.from_os(error, final) from error
        return final

    def write_text(self, name: str, text: str, *folders: str) -> Path:
        return self.write_bytes(name, text.encode("utf-8"), *folders)

    # -- committing
    def _staged(self) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        files, dirs = [], []
        for top, dirnames, filenames in os.walk(self.dir):
            rel = Path(os.path.relpath(top, self.dir)).parts if top != os.fspath(self.dir) else ()
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(_INTERNAL) and not d.startswith("."))
            dirs += [rel + (d,) for d in dirnames]
            files += [rel + (f,) for f in sorted(filenames) if f != MANIFEST and not f.startswith(".")]
        return files, dirs

    def _stale(self, folders, files: set, dirs: set):
        """Files and folders of this set's earlier run that this run does not write again."""
        stale_files: list[Path] = []
        stale_dirs: list[Path] = []

        def whole(folder: Path):  # an earlier folder of the set: everything qmap wrote in it goes
            manifest = self._manifest(folder)
            for name, entry in manifest["files"].items():
                if _owned(folder / name, entry):
                    stale_files.append(folder / name)
            for name in manifest["folders"]:
                if os.path.isdir(folder / name) and not os.path.islink(folder / name):
                    whole(folder / name)
            stale_dirs.append(folder)

        for rel in folders:
            folder = self._root.joinpath(*rel)
            if not os.path.isdir(folder):
                continue
            manifest = self._manifest(folder)
            for name, entry in manifest["files"].items():
                if entry.get("set") == self.key and rel + (name,) not in files and _owned(folder / name, entry):
                    stale_files.append(folder / name)
            for name, entry in manifest["folders"].items():
                path = folder / name
                if (entry.get("set") == self.key and rel + (name,) not in dirs and os.path.isdir(path)
                        and not os.path.islink(path)):
                    whole(path)
        protected = [p for p in stale_files if _is_input(p, self._inputs)]
        return [p for p in stale_files if p not in protected], stale_dirs

    def _new_manifest(self, rel, files, dirs, removed: set) -> dict:
        folder = self._root.joinpath(*rel)
        old = self._manifest(folder) if os.path.isdir(folder) else {"files": {}, "folders": {}}
        manifest = {"files": {}, "folders": {}}
        for name, entry in old["files"].items():
            if folder / name not in removed and os.path.isfile(folder / name):
                manifest["files"][name] = entry
        for name, entry in old["folders"].items():
            if folder / name not in removed and os.path.isdir(folder / name):
                manifest["folders"][name] = entry
        for parts in files:
            if parts[:-1] == rel:
                previous = old["files"].get(parts[-1], {}).get("set")
                manifest["files"][parts[-1]] = _entry(self.dir.joinpath(*parts),
                                                      self.key if self.key is not None else previous)
        for parts in dirs:
            if parts[:-1] == rel:
                previous = old["folders"].get(parts[-1], {}).get("set")
                manifest["folders"][parts[-1]] = {"set": self.key if self.key is not None else previous}
        return manifest

    def _commit(self) -> None:
        files, dirs = self._staged()
        for parts in dirs:
            self._check_folder(parts)
        for parts in files:
            self._check_file(parts)
        if not self._existed:
            if os.path.lexists(self._root):
                raise ExportExists(self.folder)  # made by someone else meanwhile
            if not files:
                return
            for rel in [(), *dirs]:
                _write_manifest(self.dir.joinpath(*rel), self._new_manifest(rel, files, dirs, set()))
            os.rename(self.dir, self._root)
            self._created = []
            return
        self._move_into_place(files, dirs)

    def _move_into_place(self, files, dirs) -> None:
        stale_files, stale_dirs = self._stale([(), *dirs], set(files), set(dirs)) if self.key else ([], [])
        if not files and not stale_files:
            return
        removed = set(stale_files) | set(stale_dirs)
        manifests = {rel: self._new_manifest(rel, files, dirs, removed) for rel in [(), *dirs]}
        for folder in stale_dirs:  # what stays in a stale folder (another's files) is no longer qmap's
            rel = Path(os.path.relpath(folder, self._root)).parts
            manifests.setdefault(rel, {"files": {}, "folders": {}})
        undo: list = []
        backup = None
        count = 0

        def stash(path: Path) -> None:
            nonlocal backup, count
            if backup is None:
                backup = Path(tempfile.mkdtemp(prefix=f"{_BACKUP}{os.getpid()}-", dir=self._root))
            keep = backup / str(count)
            count += 1
            os.replace(path, keep)
            undo.append(lambda: os.replace(keep, path))

        try:
            for parts in dirs:
                target = self._root.joinpath(*parts)
                if not os.path.isdir(target):
                    os.mkdir(target)
                    undo.append(lambda t=target: os.rmdir(t))
            for parts in files:
                target, staged = self._root.joinpath(*parts), self.dir.joinpath(*parts)
                self._check_inside(parts, target.parent)  # again, now that its folders exist
                if os.path.lexists(target):
                    stash(target)
                os.replace(staged, target)
                undo.append(lambda t=target, s=staged: os.replace(t, s))
            for path in stale_files:
                stash(path)
            for rel, manifest in sorted(manifests.items(), key=lambda kv: -len(kv[0])):
                folder = self._root.joinpath(*rel)
                if not os.path.isdir(folder):
                    continue
                old = (folder / MANIFEST).read_bytes() if (folder / MANIFEST).is_file() else None
                _write_manifest(folder, manifest)
                undo.append(lambda f=folder, o=old: _restore_manifest(f, o))
            for folder in sorted(stale_dirs, key=lambda p: -len(p.parts)):
                try:
                    os.rmdir(folder)
                except OSError:
                    continue  # someone's own files are in it: it stays
                undo.append(lambda f=folder: os.mkdir(f))
        except BaseException:
            for step in reversed(undo):
                try:
                    step()
                except OSError:
                    backup = None  # an old file could not go back: keep its copy rather than lose it
            raise
        finally:
            if backup is not None:
                shutil.rmtree(backup, ignore_errors=True)

    def _cleanup(self, ok: bool) -> None:
        if self.dir != self._root and os.path.lexists(self.dir):
            shutil.rmtree(self.dir, ignore_errors=True)
        if not ok:
            _remove_dirs(self._created)


def _is_input(path: Path, inputs) -> bool:
    try:
        _check_not_input(path, inputs)
    except OutputError:
        return True
    return False


def _restore_manifest(folder: Path, old: bytes | None) -> None:
    target = folder / MANIFEST
    if old is None:
        if os.path.lexists(target):
            os.unlink(target)
    else:
        target.write_bytes(old)


@contextmanager
def output_folder(folder, *, key: str | None = None, force: bool = False, inputs: Iterable = ()) -> Iterator[OutputSet]:
    """Write a set of files into ``folder`` as one: staged, checked, then moved into place.

    ``key`` names the set (``"maps"``, ``"report-2025"`` …): a run with a key replaces
    what the earlier run with that key wrote there, stale files included, and needs
    ``force`` when there is one; ``key=None`` only adds or replaces its own files. Files
    qmap did not write are never replaced or removed. Any failure leaves the folder as it
    was (or absent) and comes out as :class:`OutputError` when the system refused.
    """
    out = OutputSet(folder, key, force, inputs)
    out._open()
    ok = False
    try:
        try:
            yield out
            out._commit()
            ok = True
        except OutputError as error:
            error.path = out._shown(error.path)
            raise
        except Exception as error:
            cause = _os_cause(error)
            if cause is None:
                raise
            raise OutputError.from_os(cause, out._shown(cause.filename)) from error
    finally:
        out._cleanup(ok)


# --------------------------------------------------------------------------- cells for people

#: A cell beginning with one of these is a formula (or a DDE payload) to Excel.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def inert_cell(cell) -> None:
    """Store an openpyxl cell's formula-like text as text: Excel shows it and never evaluates it.

    The value is unchanged (openpyxl and the intake read it back as written); the cell is
    a string with Excel's quote prefix, so editing it in Excel keeps it text too.
    """
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def inert_sheet(ws, min_row: int = 1) -> None:
    """:func:`inert_cell` on every cell of a worksheet (from ``min_row``)."""
    for row in ws.iter_rows(min_row=min_row):
        for cell in row:
            inert_cell(cell)


def csv_text(value: str) -> str:
    """A CSV cell for Excel: formula-like text gets a leading ``'`` (OWASP's advice), so it stays text.

    >>> csv_text('=HYPERLINK("http://x")'), csv_text("-3 批次"), csv_text("普通文字")
    ('\\'=HYPERLINK("http://x")', "'-3 批次", '普通文字')
    """
    return "'" + value if looks_like_formula(value) else value


def os_cause(error: BaseException) -> OSError | None:
    """The OS failure behind ``error``, if there is one (an OSError, or one a library wrapped)."""
    return _os_cause(error)
