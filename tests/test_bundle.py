"""The offline bundle script (packaging/make_bundle.py), on a local package index with no network.

A stand-in project ``app`` needs ``probe`` (published as an sdist only), ``winonly`` (only
on Windows) and ``oldpy`` (only before Python 3.11): the bundle must carry what each
platform and Python needs, judged by the target's markers, not the machine's.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import shutil
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("make_bundle", ROOT / "packaging" / "make_bundle.py")
make_bundle = sys.modules.setdefault("make_bundle", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(make_bundle)


def write_wheel(folder: Path, name: str, version: str = "1.0", requires=(), tag: str = "py3-none-any") -> Path:
    """A minimal, valid wheel (metadata, one module, RECORD with hashes)."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VERSION = {version!r}\n",
        f"{dist}/METADATA": "Metadata-Version: 2.1\n" f"Name: {name}\nVersion: {version}\n"
                            + "".join(f"Requires-Dist: {r}\n" for r in requires),
        f"{dist}/WHEEL": f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: {'true' if 'none-any' in tag else 'false'}\n"
                         f"Tag: {tag}\n",
    }
    record = []
    for path, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    files[f"{dist}/RECORD"] = "\n".join(record + [f"{dist}/RECORD,,"]) + "\n"
    path = folder / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name_in_zip, text in files.items():
            zf.writestr(name_in_zip, text)
    return path


# An in-tree PEP 517 backend, so the sdist builds offline (no setuptools to fetch).
BACKEND = '''
import base64, hashlib, zipfile
NAME, VERSION, TAG = {name!r}, "1.0", {tag!r}
def get_requires_for_build_wheel(config_settings=None):
    return []
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist = f"{{NAME}}-{{VERSION}}.dist-info"
    files = {{f"{{NAME}}/__init__.py": "", f"{{dist}}/METADATA": f"Metadata-Version: 2.1\\nName: {{NAME}}\\nVersion: {{VERSION}}\\n",
             f"{{dist}}/WHEEL": f"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: {{TAG}}\\n"}}
    lines = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        lines.append(f"{{path}},sha256={{digest}},{{len(text.encode())}}")
    files[f"{{dist}}/RECORD"] = "\\n".join(lines + [f"{{dist}}/RECORD,,"]) + "\\n"
    filename = f"{{NAME}}-{{VERSION}}-{{TAG}}.whl"
    with zipfile.ZipFile(wheel_directory + "/" + filename, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
    return filename
'''


def write_sdist(folder: Path, name: str, tag: str = "py3-none-any") -> Path:
    members = {
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
        "backend.py": BACKEND.format(name=name, tag=tag),
    }
    path = folder / f"{name}-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for member, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-1.0/{member}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _index(folder: Path):
    """A local package index (a find-links folder) and the stand-in project's wheel."""
    index = folder / "index"
    index.mkdir()
    write_sdist(index, "probe")
    write_wheel(index, "winonly")
    write_wheel(index, "oldpy")
    app = write_wheel(folder, "app", "2.0", requires=[
        "probe", 'winonly; sys_platform == "win32"', 'oldpy; python_version < "3.11"'])
    return index, app, ["--no-index", "--find-links", str(index)]


HERE_PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """Windows (Python 3.10 and 3.11) and Linux (this Python) bundles of ``app``, made once."""
    folder = tmp_path_factory.mktemp("bundles")
    index, app, offline = _index(folder)
    out = folder / "out"
    win = make_bundle.make_bundle(make_bundle.TARGETS["windows"], ["3.10", "3.11"], app, out, offline, project="app")
    linux = make_bundle.make_bundle(make_bundle.TARGETS["linux-x86_64"], [HERE_PYTHON], app, out, offline,
                                    project="app")
    return {"index": index, "app": app, "offline": offline, "out": out, "windows": win, "linux": linux}


def test_each_platform_gets_what_its_own_markers_ask_for_and_sdists_become_pure_wheels(bundles):
    win, linux = bundles["windows"], bundles["linux"]
    # pip's resolver, with no index and the target's platform, Python and markers, installs from the bundle alone
    assert win["installs"] == {"3.10": ["app", "oldpy", "probe", "winonly"], "3.11": ["app", "probe", "winonly"]}
    expected_linux = ["app", "oldpy", "probe"] if HERE_PYTHON == "3.10" else ["app", "probe"]
    assert linux["installs"] == {HERE_PYTHON: expected_linux}
    assert sorted(p.name for p in (win["folder"] / "wheels").iterdir()) == [
        "app-2.0-py3-none-any.whl", "oldpy-1.0-py3-none-any.whl", "probe-1.0-py3-none-any.whl",
        "winonly-1.0-py3-none-any.whl"]

    with zipfile.ZipFile(win["zip"]) as zf:
        names = set(zf.namelist())
        assert {"app-2.0-windows/install.bat", "app-2.0-windows/安装说明.txt",
                "app-2.0-windows/wheels/probe-1.0-py3-none-any.whl"} <= names
        bat = zf.read("app-2.0-windows/install.bat")
    assert b"\r\n" in bat and b"\n" not in bat.replace(b"\r\n", b"")
    assert "--no-index --find-links" in bat.decode("gbk") and "安装完成" in bat.decode("gbk")
    script = linux["folder"] / "install.sh"
    assert script.stat().st_mode & stat.S_IXUSR and "--no-index --find-links" in script.read_text("utf-8")
    assert "Linux x86_64" in (linux["folder"] / "安装说明.txt").read_text("utf-8-sig")
    assert win["zip_bytes"] > 0 and win["wheels"] == 4


def test_the_check_fails_when_a_wheel_is_missing(bundles, tmp_path):
    wheels = Path(shutil.copytree(bundles["windows"]["folder"] / "wheels", tmp_path / "wheels"))
    (wheels / "winonly-1.0-py3-none-any.whl").unlink()
    with pytest.raises(make_bundle.BundleError, match="windows / Python 3.11: the bundle is incomplete"):
        make_bundle.check(make_bundle.TARGETS["windows"], "3.11", wheels, "app")
    # and an existing bundle is replaced only with force
    with pytest.raises(make_bundle.BundleError, match="--force"):
        make_bundle.make_bundle(make_bundle.TARGETS["windows"], ["3.11"], bundles["app"], bundles["out"],
                                bundles["offline"], project="app")


def test_an_sdist_only_dependency_that_is_not_pure_python_is_a_clear_error(bundles, tmp_path):
    index = Path(shutil.copytree(bundles["index"], tmp_path / "index"))
    write_sdist(index, "compiled", tag="cp311-cp311-linux_x86_64")
    app = write_wheel(tmp_path, "app2", requires=["compiled"])
    with pytest.raises(make_bundle.BundleError, match="compiled has no wheel for the target and is not pure Python"):
        make_bundle.make_bundle(make_bundle.TARGETS["windows"], ["3.11"], app, tmp_path / "b",
                                ["--no-index", "--find-links", str(index)], project="app2")
    assert not (tmp_path / "b" / "app2-1.0-windows").exists()  # nothing half-made is left


def test_install_sh_installs_from_the_bundle_alone(bundles, tmp_path):
    bundle = Path(shutil.copytree(bundles["linux"]["folder"], tmp_path / "bundle"))
    script = (bundle / "install.sh").read_text("utf-8").replace("--upgrade qmap", "--upgrade app") \
        .replace('"$target/bin/qmap" --version', '"$target/bin/python" -c "import app, probe"')
    (bundle / "install.sh").write_text(script, encoding="utf-8")
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(tmp_path),
           "PIP_INDEX_URL": "http://127.0.0.1:9/simple"}  # any index access would fail
    result = subprocess.run(["sh", str(bundle / "install.sh"), str(tmp_path / "env")], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "安装完成 installed" in result.stdout
    installed = {p.name.split("-")[0] for p in (tmp_path / "env").glob("lib/python*/site-packages/*.dist-info")}
    assert {"app", "probe"} <= installed and "winonly" not in installed


def test_targets_cover_the_four_platforms_and_four_pythons():
    assert set(make_bundle.TARGETS) == {"windows", "macos-x86_64", "macos-arm64", "linux-x86_64"}
    assert make_bundle.PYTHONS == ("3.10", "3.11", "3.12", "3.13")
    options = make_bundle.platform_options(make_bundle.TARGETS["linux-x86_64"], "3.12")
    assert options[:5] == ["--only-binary=:all:", "--implementation", "cp", "--python-version", "3.12"]
    assert "manylinux_2_28_x86_64" in options and "manylinux2014_x86_64" in options
    env = make_bundle.TARGETS["macos-arm64"].environment("3.10")
    assert env["sys_platform"] == "darwin" and env["platform_machine"] == "arm64" and env["python_version"] == "3.10"
