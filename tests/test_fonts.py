"""Pictures need no system font, and a font installed after matplotlib's first run is used.

The subprocess tests give matplotlib a cache folder of its own (``MPLCONFIGDIR``) and
fontconfig a configuration whose only font folder is a temporary one, so "the system
fonts" are exactly the files the test puts there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graphmodel import fonts
from graphmodel.demo import generate_demo
from conftest import required_missing
from handmade import handmade_rows, write_xlsx

# The chain's own names, the diagram's fixed Chinese text (legend, title, bands) included.
DIAGRAM_TEXT = "链主上游中游下游问题·缺服务已覆盖已解决技术机构攻关项目质量图谱（）…计量标准检验检测认证认可质量管理培训"

# Run before qmap in each child: the machine's system font folders are FONTS only (the
# fontconfig file already says so for fc-list; matplotlib also walks fixed folders).
PRELUDE = """
import os, sys
from matplotlib import font_manager
font_manager.X11FontDirectories[:] = [os.environ["TEST_FONTS"]]
font_manager.OSXFontDirectories[:] = []
import graphmodel.fonts as fonts
if os.environ.get("TEST_NO_BUNDLED_FONT"):
    fonts.BUNDLED_FONT_PACKAGES = ()  # as if qmap's own font were not installed either
"""


@pytest.fixture
def font_machine(tmp_path):
    """An environment whose system fonts are the (empty) folder ``fonts``."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"<?xml version='1.0'?>\n<fontconfig><dir>{folder}</dir>"
                    f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPL", "FONTCONFIG", "PYTHONIO", "PYTHONUTF8"))}
    env.update(MPLCONFIGDIR=str(tmp_path / "mpl"), FONTCONFIG_FILE=str(conf), TEST_FONTS=str(folder),
               HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "share"), PYTHONIOENCODING="utf-8")
    # matplotlib's first run on this machine builds its font cache: with no system font.
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], cwd=tmp_path, check=True,
                   env={**env, "MPL_IGNORE_SYSTEM_FONTS": "1"}, timeout=300)
    (cache,) = (tmp_path / "mpl").glob("fontlist-*.json")
    if "CJK" in cache.read_text("utf-8"):
        required_missing("this matplotlib cannot be told to ignore the system fonts (MPL_IGNORE_SYSTEM_FONTS, 3.11+)",
                         "the font tests")
    workbook = write_xlsx(tmp_path / "chains.xlsx", handmade_rows())
    return tmp_path, folder, env, workbook


def _qmap(env, cwd, *args, extra_env=None):
    code = PRELUDE + "from graphmodel.cli import main\nmain()\n"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env={**env, **(extra_env or {})},
                          capture_output=True, text=True, timeout=300)


def _font_in_use(env, cwd, extra_env=None) -> Path:
    code = PRELUDE + "print(fonts.cjk_font_file())\n"
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, env={**env, **(extra_env or {})},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip())


def _covers(font_file: Path, text: str) -> set[str]:
    """The characters of ``text`` the font file has no glyph for (every face of a collection)."""
    from matplotlib.ft2font import FT2Font

    first = FT2Font(str(font_file))
    faces = [first] + [FT2Font(str(font_file), face_index=i) for i in range(1, first.num_faces)]
    charmaps = [f.get_charmap() for f in faces]
    return {ch for ch in set(text) if ord(ch) > 127 and not all(ord(ch) in cm for cm in charmaps)}


def test_the_font_that_comes_with_qmap_has_every_glyph_of_the_demo():
    (bundled,) = fonts.bundled_font_files()
    assert bundled.name == "NotoSansCJK-Regular.ttc" and bundled.stat().st_size > 10_000_000
    text = DIAGRAM_TEXT + "".join(v for frame in generate_demo().values() for column in frame.columns
                                  for v in frame[column] if isinstance(v, str))
    assert len({c for c in text if ord(c) > 127}) > 500  # the demo really has Chinese text to check
    assert _covers(bundled, text) == set()


def test_png_with_no_system_font_uses_the_bundled_one_then_a_font_installed_later(font_machine):
    tmp, system_fonts, env, workbook = font_machine
    first = _qmap(env, tmp, "export", "--data", str(workbook), "--chain", "C1", "--format", "png", "-o", "a.png")
    assert first.returncode == 0, first.stderr
    used = _font_in_use(env, tmp)
    assert used.resolve() == fonts.bundled_font_files()[0].resolve()
    names = "".join(d[1] for d in handmade_rows()["enterprises"]) + "光伏玻璃产业链质量提升"
    assert _covers(used, names + DIAGRAM_TEXT) == set()

    # An analyst installs a system font: from the next run on it wins over the bundled one.
    shutil.copy(fonts.bundled_font_files()[0], system_fonts / "SystemCJK.ttc")
    second = _qmap(env, tmp, "export", "--data", str(workbook), "--chain", "C1", "--format", "png", "-o", "b.png")
    assert second.returncode == 0, second.stderr
    assert _font_in_use(env, tmp) == system_fonts / "SystemCJK.ttc"


def test_a_font_installed_after_the_first_run_is_found_despite_the_stale_cache(font_machine):
    tmp, system_fonts, env, workbook = font_machine
    none = {"TEST_NO_BUNDLED_FONT": "1"}
    args = ("export", "--data", str(workbook), "--chain", "C1", "--format", "png")
    # First export: no Chinese font anywhere (and the cache says so). One line, exit 1.
    first = _qmap(env, tmp, *args, "-o", "a.png", extra_env=none)
    assert first.returncode == 1
    assert "Traceback" not in first.stderr and len(first.stderr.strip().splitlines()) == 1
    assert "没有可显示中文的字体" in first.stderr and "fonts-noto-cjk" in first.stderr
    assert not (tmp / "a.png").exists()
    (cache,) = (tmp / "mpl").glob("fontlist-*.json")
    stale = cache.read_text("utf-8")
    assert "CJK" not in stale

    # The font is installed; the cache is the old one and is not rebuilt.
    shutil.copy(fonts.bundled_font_files()[0], system_fonts / "NotoSansCJK-Regular.ttc")
    second = _qmap(env, tmp, *args, "-o", "b.png", extra_env=none)
    assert second.returncode == 0, second.stderr
    assert (tmp / "b.png").stat().st_size > 10_000
    assert _font_in_use(env, tmp, none) == system_fonts / "NotoSansCJK-Regular.ttc"
    assert cache.read_text("utf-8") == stale


def test_the_chart_helpers_name_the_same_font():
    import matplotlib

    family = fonts.cjk_font()
    assert family in fonts.CJK_FONT_NAMES
    assert fonts.cjk_font_properties(size=9).get_family() == [family]
    assert _covers(fonts.cjk_font_file(), DIAGRAM_TEXT) == set()
    with matplotlib.rc_context():
        assert fonts.use_cjk_font() == family
        assert matplotlib.rcParams["font.family"] == [family]


def test_image_module_keeps_its_font_names():
    from graphmodel.export import image

    assert image.cjk_font is fonts.cjk_font and image.MissingFontError is fonts.MissingFontError
