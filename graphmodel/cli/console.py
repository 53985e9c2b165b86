"""Terminal output that never crashes on an encoding (GBK consoles, ASCII pipes, Latin-1 locales).

A Chinese Windows machine writes redirected output as GBK (cp936), and a misconfigured
server may say ASCII. Python's streams are strict: one ``✔`` that GBK lacks raised
``UnicodeEncodeError`` and the command died. :func:`setup_streams` keeps each stream's
encoding (so Chinese stays readable on GBK) and gives it the ``qmap-degrade`` error
handler: a symbol the encoding lacks becomes a plain ASCII stand-in (``✔`` → ``OK``,
``✘`` → ``X``, ``→`` → ``->``, full-width punctuation → ASCII), anything else ``?``.
Symbols the encoding has stay as they are (GBK has ``★``, ``→`` and ``—``).

ASCII streams get an ASCII codec under another name (``qmap-ascii``): click treats a
stream whose codec is called ``ascii`` as misconfigured and writes UTF-8 into it anyway,
which an ASCII reader shows as mojibake.

>>> "✔ 校验通过 valid ★ → ".encode("gbk", "qmap-degrade").decode("gbk")
'OK 校验通过 valid ★ → '
>>> "✔ 校验通过 valid ★ → ".encode("ascii", "qmap-degrade").decode("ascii")
'OK ???? valid * -> '
"""

from __future__ import annotations

import codecs
import sys
import unicodedata

__all__ = ["setup_streams", "degrade", "ERROR_HANDLER", "SYMBOLS"]

ERROR_HANDLER = "qmap-degrade"
_ASCII_ALIAS = "qmap-ascii"

#: Plain stand-ins for the symbols qmap (and click, pandas) print. Each is ASCII, so it
#: fits every encoding a stream can have.
SYMBOLS = {
    "✔": "OK", "✓": "OK", "✅": "OK", "☑": "OK",
    "✘": "X", "✖": "X", "✗": "X", "❌": "X", "☒": "X",
    "→": "->", "←": "<-", "⇒": "=>", "↔": "<->", "↑": "^", "↓": "v",
    "★": "*", "☆": "*", "•": "*", "●": "*", "○": "o", "◆": "*", "◇": "*", "■": "#", "□": "#",
    "▲": "^", "△": "^", "▶": ">", "►": ">", "⚠": "!", "❗": "!",
    "…": "...", "—": "--", "–": "-", "―": "--", "‐": "-", "−": "-",
    "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "·": "-", "×": "x", "÷": "/",
    "≥": ">=", "≤": "<=", "≠": "!=", "≈": "~", "±": "+/-", "°": " deg",
    "、": ",", "。": ".", "【": "[", "】": "]", "《": "<", "》": ">", "「": '"', "」": '"',
    "─": "-", "━": "-", "│": "|", "┃": "|", "═": "=", "║": "|",
    "┌": "+", "┐": "+", "└": "+", "┘": "+", "├": "+", "┤": "+", "┬": "+", "┴": "+", "┼": "+",
    "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
}


def _stand_in(char: str) -> str:
    known = SYMBOLS.get(char)
    if known is not None:
        return known
    folded = unicodedata.normalize("NFKC", char)  # full-width （：；，！？ and no-break spaces
    if folded != char and folded.isascii():
        return folded
    return "?"


def degrade(error: UnicodeError):
    """The ``qmap-degrade`` codec error handler: ASCII stand-ins for what the encoding lacks."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return "".join(_stand_in(c) for c in error.object[error.start:error.end]), error.end


def _ascii_under_another_name(name: str):
    if name != _ASCII_ALIAS.replace("-", "_"):
        return None
    ascii_codec = codecs.lookup("ascii")
    return codecs.CodecInfo(ascii_codec.encode, ascii_codec.decode, name=_ASCII_ALIAS,
                            incrementalencoder=ascii_codec.incrementalencoder,
                            incrementaldecoder=ascii_codec.incrementaldecoder,
                            streamreader=ascii_codec.streamreader, streamwriter=ascii_codec.streamwriter)


codecs.register_error(ERROR_HANDLER, degrade)
codecs.register(_ascii_under_another_name)


def setup_streams() -> None:
    """Give ``sys.stdout`` and ``sys.stderr`` the degrading error handler (idempotent).

    UTF-8 streams are left alone: every character fits.
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = getattr(stream, "encoding", None)
        if reconfigure is None or not encoding:
            continue  # no stream (pythonw), or not a text file we can retune
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            continue
        if codec.startswith("utf"):
            continue
        try:
            stream.flush()
            if codec == "ascii":
                reconfigure(encoding=_ASCII_ALIAS, errors=ERROR_HANDLER)
            else:
                reconfigure(errors=ERROR_HANDLER)
        except (OSError, ValueError):
            continue  # a closed or detached stream: nothing will be written to it
