#!/usr/bin/env python3
"""Build qmap's offline install bundles: one zip per platform with every wheel it needs.

An analyst on an offline government network unzips the bundle and runs ``install.bat``
(Windows) or ``install.sh`` (macOS, Linux): a virtual environment is created and qmap is
installed from the bundle's ``wheels/`` folder with ``pip install --no-index``. Nothing
is fetched from the network.

    python packaging/make_bundle.py                                  # every platform, Python 3.10-3.13
    python packaging/make_bundle.py --platform windows --python 3.12 -o dist/bundles
    python packaging/make_bundle.py --platform linux-x86_64 --python 3.11 --wheel dist/qmap-0.1.0-py3-none-any.whl

Steps: build the qmap wheel from a clean copy of the checkout; for each platform and
Python version ``pip download --only-binary=:all: --platform ... --python-version ...``
into the bundle; a dependency that has no wheel at all (sdist only) is built locally with
``pip wheel`` and used if it is pure Python (a pure wheel fits every platform); then pip's
resolver proves, for every platform and Python version, that the bundle alone satisfies
qmap (``pip install --dry-run --no-index --find-links wheels``); then the zip, and its size.

pip evaluates environment markers (``colorama; sys_platform == "win32"``,
``exceptiongroup; python_version < "3.11"``) for the machine it runs on, even with
``--platform``: run from Linux, a Windows bundle would miss colorama. So pip runs here with
the target's marker environment (:data:`TARGETS`), for the downloads and the check alike.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
#: python_full_version for markers: a recent patch release of each (what installers ship).
FULL_VERSIONS = {"3.10": "3.10.11", "3.11": "3.11.9", "3.12": "3.12.10", "3.13": "3.13.5"}


@dataclass(frozen=True)
class Target:
    """One platform: pip's platform tags (best first) and its marker environment."""

    name: str
    title: str
    tags: tuple[str, ...]
    markers: dict = field(hash=False)
    script: str

    def environment(self, python: str) -> dict:
        return {**self.markers, "python_version": python, "python_full_version": FULL_VERSIONS.get(python, python + ".0"),
                "implementation_name": "cpython", "platform_python_implementation": "CPython",
                "implementation_version": FULL_VERSIONS.get(python, python + ".0")}


_POSIX = {"os_name": "posix"}
# glibc 2.28 or newer (Debian 10+, Ubuntu 20.04+, RHEL 8+, Kylin V10, UOS 20): manylinux_2_28 down to 2_17.
_MANYLINUX = tuple(f"manylinux_2_{minor}_x86_64" for minor in range(28, 16, -1)) + (
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64")
TARGETS = {
    "windows": Target("windows", "Windows 10/11 (x64)", ("win_amd64",),
                      {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
                       "platform_machine": "AMD64", "platform_release": "10", "platform_version": "10.0.19045"},
                      "install.bat"),
    "macos-x86_64": Target("macos-x86_64", "macOS 11+ (Intel)", ("macosx_11_0_x86_64",),
                           {**_POSIX, "sys_platform": "darwin", "platform_system": "Darwin",
                            "platform_machine": "x86_64", "platform_release": "20.6.0", "platform_version": ""},
                           "install.sh"),
    "macos-arm64": Target("macos-arm64", "macOS 11+ (Apple silicon)", ("macosx_11_0_arm64",),
                          {**_POSIX, "sys_platform": "darwin", "platform_system": "Darwin",
                           "platform_machine": "arm64", "platform_release": "20.6.0", "platform_version": ""},
                          "install.sh"),
    "linux-x86_64": Target("linux-x86_64", "Linux x86_64 (glibc 2.28+)", _MANYLINUX,
                           {**_POSIX, "sys_platform": "linux", "platform_system": "Linux",
                            "platform_machine": "x86_64", "platform_release": "", "platform_version": ""},
                           "install.sh"),
}

# Runs pip with the target's marker environment (see the module docstring).
_PIP_AS_TARGET = r"""
import json, sys
target = json.loads(sys.argv[1])
from pip._vendor.packaging import markers
host = markers.default_environment()
def target_environment():
    return {**host, **target}
markers.default_environment = target_environment
try:
    from pip._internal.models import installation_report
    installation_report.default_environment = target_environment
except ImportError:
    pass
if not markers.Marker('sys_platform == "%s"' % target["sys_platform"]).evaluate():
    sys.exit("make_bundle: could not give pip the target's marker environment (pip changed?)")
sys.argv = ["pip", *sys.argv[2:]]
from pip._internal.cli.main import main
sys.exit(main())
"""


class BundleError(RuntimeError):
    """The bundle cannot be made; the message says which package, platform and Python."""


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def pip_as(target: Target, python: str, *args: str) -> subprocess.CompletedProcess:
    """``pip ARGS`` with the marker environment of ``target`` running ``python``."""
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    return _run([sys.executable, "-c", _PIP_AS_TARGET, json.dumps(target.environment(python)), *args], env=env)


def platform_options(target: Target, python: str) -> list[str]:
    options = ["--only-binary=:all:", "--implementation", "cp", "--python-version", python]
    for tag in target.tags:
        options += ["--platform", tag]
    return options


def _clean_copy(root: Path, into: Path) -> Path:
    skip = shutil.ignore_patterns(".git", ".venv*", "venv", "build", "dist", "exports", "*.egg-info", "__pycache__",
                                  ".pytest_cache", "target", "node_modules", ".ipynb_checkpoints")
    return Path(shutil.copytree(root, into / "src", ignore=skip))


def build_wheel(root: Path, dest: Path, pip_options: list[str] = ()) -> Path:
    """qmap's wheel, built from a clean copy (a stale build/ folder never leaks into it)."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qmap-wheel-") as tmp:
        source = _clean_copy(root, Path(tmp))
        out = Path(tmp) / "out"
        proc = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), *pip_options,
                     str(source)])
        if proc.returncode != 0:
            raise BundleError("building the qmap wheel failed: " + _last_error(proc))
        (built,) = out.glob("*.whl")
        return Path(shutil.copy2(built, dest / built.name))


def _last_error(proc: subprocess.CompletedProcess) -> str:
    lines = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR")]
    return (errors or lines or ["no output"])[-1]


_NO_MATCH = re.compile(r"No matching distribution found for (\S+)")


def build_pure_wheel(spec: str, local: Path, pip_options: list[str]) -> Path:
    """A wheel built here from the sdist of ``spec``; only a pure-Python one fits another platform."""
    with tempfile.TemporaryDirectory(prefix="qmap-sdist-") as tmp:
        got = _run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary=:all:", "--dest", tmp,
                    *pip_options, spec])
        if got.returncode != 0:
            raise BundleError(f"{spec}: no wheel for this platform and no source to build one ({_last_error(got)})")
        (sdist,) = [p for p in Path(tmp).iterdir() if p.is_file()]
        built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(local), *pip_options,
                      str(sdist)])
        if built.returncode != 0:
            raise BundleError(f"{spec}: building a wheel from {sdist.name} failed ({_last_error(built)})")
    name = re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].lower().replace("-", "_")
    wheels = [w for w in local.glob("*.whl") if w.name.lower().startswith(name + "-")]
    impure = [w.name for w in wheels if not w.name.endswith("-none-any.whl")]
    if impure or not wheels:
        raise BundleError(f"{spec} has no wheel for the target and is not pure Python ({', '.join(impure) or 'no wheel'}):"
                          " it cannot be built for another platform here")
    return wheels[0]


def download(target: Target, python: str, requirement: str, wheels: Path, local: Path,
             pip_options: list[str] = ()) -> None:
    """Every wheel ``requirement`` needs on ``target`` with ``python``, into ``wheels``."""
    for _ in range(20):  # one more round per sdist-only dependency
        proc = pip_as(target, python, "download", "--dest", str(wheels), *platform_options(target, python),
                      "--find-links", str(local), *pip_options, requirement)
        if proc.returncode == 0:
            break
        missing = _NO_MATCH.search(proc.stderr + proc.stdout)
        if not missing:
            raise BundleError(f"{target.name} / Python {python}: pip download failed: {_last_error(proc)}")
        build_pure_wheel(missing.group(1), local, list(pip_options))
    else:
        raise BundleError(f"{target.name} / Python {python}: too many packages without wheels")
    for wheel in local.glob("*.whl"):  # the locally built pure wheels travel with the bundle
        if not (wheels / wheel.name).exists():
            shutil.copy2(wheel, wheels / wheel.name)


def check(target: Target, python: str, wheels: Path, project: str = "qmap") -> list[str]:
    """pip's resolver, with no index, proves the bundle alone installs ``project``; the names it would install."""
    with tempfile.TemporaryDirectory(prefix="qmap-check-") as tmp:
        report = Path(tmp) / "report.json"
        # --target: pip before 24 takes platform options for an install only with it (nothing is written)
        proc = pip_as(target, python, "install", "--dry-run", "--ignore-installed", "--target", str(Path(tmp) / "t"),
                      "--no-index", "--find-links", str(wheels), *platform_options(target, python),
                      "--report", str(report), "--quiet", project)
        if proc.returncode != 0:
            raise BundleError(f"{target.name} / Python {python}: the bundle is incomplete: {_last_error(proc)}")
        data = json.loads(report.read_text("utf-8"))
    return sorted(item["metadata"]["name"] for item in data["install"])


def _version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def write_scripts(folder: Path, target: Target, version: str) -> None:
    """install.bat or install.sh, 安装说明.txt and the user guide."""
    template = (HERE / target.script).read_text("utf-8")
    text = template.replace("@VERSION@", version)
    if target.script.endswith(".bat"):
        # cmd.exe reads a batch file in the console's code page: GBK on Chinese Windows, CRLF lines.
        (folder / target.script).write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode("gbk"))
    else:
        path = folder / target.script
        path.write_text(text, encoding="utf-8", newline="\n")
        path.chmod(0o755)
    notes = (HERE / "安装说明.txt").read_text("utf-8").replace("@VERSION@", version).replace("@PLATFORM@", target.title)
    (folder / "安装说明.txt").write_text(notes, encoding="utf-8-sig", newline="\r\n" if target.name == "windows" else "\n")
    guide = ROOT / "docs" / "用户指南.md"
    if guide.exists():
        shutil.copy2(guide, folder / "用户指南.md")


def _zip(folder: Path, archive: Path) -> None:
    tmp = archive.with_name(archive.name + ".part")
    with zipfile.ZipFile(tmp, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                # wheels are zip files already: storing them is as small and much faster
                method = zipfile.ZIP_STORED if path.suffix == ".whl" else zipfile.ZIP_DEFLATED
                zf.write(path, Path(folder.name) / path.relative_to(folder), compress_type=method)
    os.replace(tmp, archive)


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def make_bundle(target: Target, pythons, wheel: Path, out: Path, pip_options: list[str] = (), force: bool = False,
                requirement: str | None = None, project: str = "qmap") -> dict:
    """The bundle folder and zip of one platform; a summary (sizes, wheel count, per-Python installs)."""
    version = _version(wheel)
    name = f"{project}-{version}-{target.name}"
    folder, archive = out / name, out / f"{name}.zip"
    if (folder.exists() or archive.exists()) and not force:
        raise BundleError(f"{folder} or {archive.name} exists; use --force to replace it")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=out))
    try:
        staged = work / name
        wheels, local = staged / "wheels", work / "local"
        wheels.mkdir(parents=True)
        local.mkdir()
        for python in pythons:
            download(target, python, requirement or str(wheel), wheels, local, list(pip_options))
        installs = {python: check(target, python, wheels, project) for python in pythons}
        write_scripts(staged, target, version)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staged, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _zip(folder, archive)
    files = list((folder / "wheels").glob("*.whl"))
    return {"platform": target.name, "folder": folder, "zip": archive, "wheels": len(files),
            "bytes": sum(p.stat().st_size for p in files), "zip_bytes": archive.stat().st_size, "installs": installs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--platform", action="append", choices=[*TARGETS, "all"],
                        help="a platform (repeat for several; default: all)")
    parser.add_argument("--python", action="append", choices=PYTHONS, help="a Python version (repeat; default: all)")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "dist" / "bundles", help="output folder")
    parser.add_argument("--wheel", type=Path, help="an already built qmap wheel (default: build one)")
    parser.add_argument("--pip-option", action="append", default=[], metavar="OPTION",
                        help="passed to pip download and pip wheel, e.g. --pip-option=--index-url=URL")
    parser.add_argument("--force", action="store_true", help="replace existing bundles")
    opts = parser.parse_args(argv)
    names = list(TARGETS) if not opts.platform or "all" in opts.platform else list(dict.fromkeys(opts.platform))
    pythons = opts.python and sorted(set(opts.python)) or list(PYTHONS)
    try:
        wheel = opts.wheel.resolve() if opts.wheel else build_wheel(ROOT, opts.output, opts.pip_option)
        print(f"qmap wheel: {wheel} ({_mb(wheel.stat().st_size)})", flush=True)
        for name in names:
            summary = make_bundle(TARGETS[name], pythons, wheel, opts.output.resolve(), opts.pip_option, opts.force)
            counts = ", ".join(f"Python {py}: {len(pkgs)} packages" for py, pkgs in summary["installs"].items())
            print(f"{name:13} {summary['wheels']:3d} wheels, {_mb(summary['bytes'])} -> {summary['zip']} "
                  f"({_mb(summary['zip_bytes'])}); checked offline: {counts}", flush=True)
    except BundleError as error:
        print(f"错误 Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
