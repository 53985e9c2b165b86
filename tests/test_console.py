"""No command crashes on a GBK or ASCII console; Chinese stays readable on GBK; symbols degrade."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from graphmodel.cli import console
from handmade import handmade_rows, write_xlsx


def test_symbols_the_encoding_lacks_get_plain_stand_ins():
    text = "✔ 区1.xlsx：校验通过 valid ✘✖ ★ → … “x”（3）"
    assert text.encode("gbk", console.ERROR_HANDLER).decode("gbk") == "OK 区1.xlsx：校验通过 valid XX ★ → … “x”（3）"
    assert text.encode("ascii", console.ERROR_HANDLER).decode("ascii") == \
        'OK ?1.xlsx:???? valid XX * -> ... "x"(3)'
    assert "µ°\u00a0\u200b".encode("ascii", console.ERROR_HANDLER) == b"? deg "


@pytest.mark.parametrize("encoding", ["gbk", "ascii", "latin-1", "cp1252"])
def test_setup_streams_keeps_the_encoding_and_never_raises(monkeypatch, encoding):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding)
    monkeypatch.setattr(sys, "stdout", stream)
    console.setup_streams()
    console.setup_streams()  # twice is harmless
    print("✔ 校验通过 valid ★")
    stream.flush()
    raw.getvalue().decode(encoding)  # strict: what was written is valid in that encoding
    assert raw.getvalue().startswith(b"OK ")
    assert ("校验通过" in raw.getvalue().decode(encoding)) == (encoding == "gbk")


def test_utf8_streams_are_left_alone(monkeypatch):
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stream)
    console.setup_streams()
    assert stream.errors == "strict" and stream.encoding == "utf-8"


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("enc")
    good = write_xlsx(folder / "区1.xlsx", handmade_rows())
    rows = handmade_rows()
    rows["members"][1][2] = "ownr"
    bad = write_xlsx(folder / "错误.xlsx", rows)
    return folder, good, bad


def _qmap(encoding, cwd, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUTF8", "LC_ALL", "LANG")}
    env["PYTHONIOENCODING"] = encoding
    # the installed package, never a checkout in the working folder
    result = subprocess.run([sys.executable, "-c", "from graphmodel.cli import main; main()", *args],
                            cwd=cwd, env=env, capture_output=True, timeout=300)
    out, err = result.stdout.decode(encoding), result.stderr.decode(encoding)  # strict: valid bytes only
    assert "Traceback" not in err and "UnicodeEncodeError" not in err, err
    return result.returncode, out, err


COMMANDS = {  # command -> (its arguments, text it must show on GBK, text it must show on ASCII)
    "validate": (["validate", "区1.xlsx"], "OK 区1.xlsx：校验通过 valid", "OK ?1.xlsx:???? valid"),
    "analyze --list": (["analyze", "--list"], "未被任何机构覆盖所需服务的未解决质量问题 — unresolved problems",
                       "-- unresolved problems with a needed service no body covers"),
    "analyze": (["analyze", "uncovered-problems", "--data", "区1.xlsx"], "镀膜均匀性波动", "metrology"),
    "map": (["map", "--data", "区1.xlsx", "-o", "maps-{enc}"], "maps-{enc}", "maps-{enc}"),
    "lists": (["lists", "--data", "区1.xlsx", "-o", "lists-{enc}"], "C1-三张清单.xlsx", "C1-????.xlsx"),
}


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_commands_on_a_gbk_or_ascii_console(workbooks, encoding, command):
    folder, _, _ = workbooks
    args, on_gbk, on_ascii = COMMANDS[command]
    code, out, err = _qmap(encoding, folder, *[a.format(enc=encoding) for a in args])
    assert code == 0, err
    shown = out + err
    assert (on_gbk if encoding == "gbk" else on_ascii).format(enc=encoding) in shown, shown
    if encoding == "gbk":
        assert "?" not in shown.replace("file:///", "")  # every Chinese character survived
    if command == "map":
        assert (folder / f"maps-{encoding}" / "index.html").is_file()


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_errors_and_usage_messages_on_a_gbk_or_ascii_console(workbooks, encoding):
    folder, _, bad = workbooks
    code, out, err = _qmap(encoding, folder, "validate", bad.name)
    assert code == 2
    assert ("工作表 members，第 3 行，role 列" if encoding == "gbk" else "members") in err
    code, _, err = _qmap(encoding, folder, "analyze", "no-such-analysis")
    assert code == 2 and "unknown analysis" in err
    code, _, err = _qmap(encoding, folder, "validate", "--no-such-option")
    assert code == 2 and "No such option" in err
