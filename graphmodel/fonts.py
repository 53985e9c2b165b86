"""One place that finds a Chinese font for every picture qmap draws (PNG/SVG diagrams, charts).

Where the font comes from, in order:

1. a CJK font installed on the system (:data:`CJK_FONT_NAMES`, first match wins), so a
   Windows laptop draws with Microsoft YaHei and a Linux box with its Noto Sans CJK;
2. the font that comes with qmap: the Noto Sans CJK OpenType collection (SIL Open Font
   License 1.1) of the ``noto-cjk-sans-otc`` package, a dependency, so a machine with no
   Chinese font at all still draws every glyph.

matplotlib keeps a font list in a cache built on its first run and never refreshed, so
a font installed later was invisible (and PNG exports failed on it). Here the system's
font files are listed afresh once per process and every file the cache does not know is
added with ``fontManager.addfont``: the cache is never trusted to be complete.

>>> family = cjk_font()                       # e.g. 'Noto Sans CJK SC'
>>> ax.set_title("质量图谱", fontproperties=cjk_font_properties(size=13))   # doctest: +SKIP
>>> use_cjk_font()                            # charts: make it matplotlib's default  # doctest: +SKIP
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = [
    "CJK_FONT_NAMES",
    "BUNDLED_FONT_PACKAGES",
    "MissingFontError",
    "cjk_font",
    "cjk_font_file",
    "cjk_font_properties",
    "use_cjk_font",
    "bundled_font_files",
    "refresh",
]

#: Family names of fonts with Simplified Chinese glyphs, best first. The Noto/Source Han
#: JP, TC and KR faces cover every Chinese character too (older matplotlib reads only the
#: first face of a .ttc collection, which is JP in Noto's).
CJK_FONT_NAMES = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "PingFang SC",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK JP", "Noto Sans CJK TC",
    "Source Han Sans CN", "Noto Sans SC", "DengXian", "Hiragino Sans GB", "Heiti SC", "STHeiti",
    "Source Han Sans", "Noto Sans CJK KR", "Source Han Sans JP", "Source Han Sans TC",
)

#: Installed Python packages that carry a CJK font file (importable module names).
BUNDLED_FONT_PACKAGES = ("noto_cjk_sans_otc",)

_FONT_SUFFIXES = (".ttc", ".otf", ".ttf")


class MissingFontError(RuntimeError):
    """No font with Chinese glyphs anywhere; the message is one line saying what to install."""


def bundled_font_files() -> list[Path]:
    """The font files of :data:`BUNDLED_FONT_PACKAGES` that are installed here."""
    found = []
    for package in BUNDLED_FONT_PACKAGES:
        try:
            folder = resources.files(package)
        except ModuleNotFoundError:
            continue
        for entry in folder.iterdir():
            # A font inside a zip import has no path matplotlib could open: skip it.
            if isinstance(entry, Path) and entry.suffix.lower() in _FONT_SUFFIXES and entry.is_file():
                found.append(entry)
    return sorted(found)


def _key(path) -> str:
    return os.path.normcase(os.path.realpath(os.fspath(path)))


def _add(manager, path) -> None:
    try:
        manager.addfont(os.fspath(path))
    except Exception:  # an unreadable or broken font file must not stop a picture
        pass


def _add_new_system_fonts(manager) -> None:
    """Add every system font file the (possibly stale) matplotlib cache does not list."""
    from matplotlib import font_manager

    try:
        files = font_manager.findSystemFonts()
    except Exception:
        return
    known = {_key(entry.fname) for entry in manager.ttflist}
    for path in sorted(files):
        if _key(path) not in known:
            _add(manager, path)


def _families(manager, keep) -> set[str]:
    return {entry.name for entry in manager.ttflist if keep(_key(entry.fname)) and os.path.isfile(entry.fname)}


@lru_cache(maxsize=1)
def _choose() -> str:
    from matplotlib import font_manager

    manager = font_manager.fontManager
    bundled = bundled_font_files()
    ours = {_key(p) for p in bundled}
    _add_new_system_fonts(manager)
    system = _families(manager, lambda key: key not in ours)
    for name in CJK_FONT_NAMES:
        if name in system:
            return name
    for path in bundled:  # only now: an installed system font always wins
        if _key(path) not in {_key(e.fname) for e in manager.ttflist}:
            _add(manager, path)
    packaged = _families(manager, lambda key: key in ours)
    for name in CJK_FONT_NAMES:
        if name in packaged:
            return name
    raise MissingFontError(
        "没有可显示中文的字体 no Chinese font found: 请重新安装 qmap 及其依赖 (reinstall qmap with its "
        "dependencies, which bring noto-cjk-sans-otc), 或安装中文字体 or install a Chinese font "
        "(Windows: Microsoft YaHei; Debian/Ubuntu: apt-get install fonts-noto-cjk)")


def cjk_font() -> str:
    """The family name of a font with Chinese glyphs, known to matplotlib and ready for ``family=``."""
    return _choose()


def cjk_font_properties(size: float | None = None, weight: str | None = None):
    """A :class:`matplotlib.font_manager.FontProperties` for :func:`cjk_font` (``fontproperties=``)."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=cjk_font(), size=size, weight=weight)


def cjk_font_file() -> Path:
    """The font file matplotlib draws Chinese text with (for checks, or to embed elsewhere)."""
    from matplotlib import font_manager

    return Path(font_manager.findfont(cjk_font_properties(), fallback_to_default=False))


def use_cjk_font() -> str:
    """Make the Chinese font matplotlib's default (for charts: titles, ticks, legends); its name."""
    import matplotlib

    family = cjk_font()
    matplotlib.rcParams["font.family"] = [family]
    matplotlib.rcParams["axes.unicode_minus"] = False  # the ASCII hyphen for negative ticks
    return family


def refresh() -> None:
    """Forget the choice, so the next call looks at the installed fonts again."""
    _choose.cache_clear()
