"""qmap analyze on the embedded backend: listing, output formats, clear errors.

(The same command on Neo4j, and its agreement with --data, is in test_analyses_neo4j.py.)
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from graphmodel.analyses import ANALYSES, to_records
from graphmodel.cli import main
from graphmodel.intake import read_dataset
from graphmodel.model import build_graph
from graphmodel.workbook import write_workbook
import test_analyses as hand  # the row builders


@pytest.fixture
def runner(monkeypatch):
    # The embedded backend must not depend on the caller's environment.
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return CliRunner()


def _workbook(path, **sheets):
    return write_workbook(hand.tables(**sheets), path)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    return _workbook(tmp_path_factory.mktemp("wb") / "hand.xlsx", **_rows())


def _rows():
    """A coverage chain C1 and chains X and Y sharing firm c (upstream on Y, downstream on X)."""
    c, f, m, s, b, ln, p, j = (hand.chain, hand.firm, hand.member, hand.supply, hand.body, hand.link, hand.problem,
                               hand.project)
    return dict(
        chains=[c("C1", 1, district="普陀区", key="★"), c("X", 2), c("Y", 3)],
        enterprises=[f("O", "large"), f("A", "小型"), f("B", "micro"), f("D", "medium"), f("E")]
        + [f(x, "small") for x in ("fa", "fb", "fc", "fd", "fe", "ff")],  # not a…f: ids differ by more than case
        members=[m("C1", "O", "链主", 0), m("C1", "A", "upstream", 1), m("C1", "B", "upstream", 2),
                 m("C1", "D", "downstream", 1), m("C1", "E", "midstream", 1),
                 m("X", "fa", "owner", 0), m("X", "fb", "downstream"), m("X", "fc", "downstream"),
                 m("X", "fd", "downstream"), m("Y", "fc", "upstream"), m("Y", "fe", "owner", 0),
                 m("Y", "ff", "downstream")],
        supplies=[s("X", "fa", "fb", "玻璃"), s("X", "fb", "fc"), s("X", "fa", "fc"), s("X", "fc", "fd"),
                  s("X", "fd", "fb"), s("Y", "fc", "fe"), s("Y", "fe", "ff")],
        support_bodies=[b("B1", "testing;计量"), b("B2", "standards")],
        support_links=[ln("B1", "A"), ln("B2", "P2", "metrology"), ln("B1", "C1")],
        problems=[p("P1", "C1", "A", "open", "testing;standards"), p("P2", "C1", "B", "in_progress", "metrology"),
                  p("PCX", "X", "fc", "open"), p("PCY", "Y", "fc", "open")],
        projects=[j("J1", "C1", "active", "P2")],
    )


def test_list_shows_ten_analyses_one_line_each(runner):
    result = runner.invoke(main, ["analyze", "--list"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 10
    assert [line.split()[0] for line in lines] == list(ANALYSES)
    assert "未被任何机构覆盖" in lines[0] and "--problem" in lines[1]
    listed = json.loads(runner.invoke(main, ["analyze", "--list", "--format", "json"]).stdout)
    assert [a["name"] for a in listed] == list(ANALYSES)
    assert listed[0]["keys"] == ["problem_id", "enterprise_id", "missing"]


@pytest.mark.parametrize("name", list(ANALYSES))
def test_json_is_the_library_answer_with_the_contract_keys(runner, workbook, name):
    G = build_graph(read_dataset(workbook))
    args = ["analyze", name, "--data", str(workbook), "--format", "json"]
    if ANALYSES[name].scope == "problem":
        args += ["--problem", "PCX"]
        expected = ANALYSES[name].run(G, problem="PCX")
    else:
        expected = ANALYSES[name].run(G)
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows == to_records(expected)
    for row in rows:
        assert set(ANALYSES[name].keys) <= set(row)


def test_problem_impact_of_a_multi_chain_firm_stays_in_its_chain(runner, workbook):
    def impact(problem):
        result = runner.invoke(main, ["analyze", "problem-impact", "--problem", problem, "--data", str(workbook),
                                      "--format", "json"])
        assert result.exit_code == 0, result.output
        return [(r["enterprise_id"], r["hops"]) for r in json.loads(result.stdout)]

    assert impact("PCX") == [("fd", 1), ("fb", 2)]  # fc→fd→fb on X; fd→fb→fc loops back to fc
    assert impact("PCY") == [("fe", 1), ("ff", 2)]  # Y's supplies only


def _cells(line):
    return [c.strip() for c in line.split("|")]


def test_chain_option_and_table_output_in_codes_with_lang_en(runner, workbook):
    result = runner.invoke(main, ["analyze", "uncovered-problems", "--chain", "C1", "--data", str(workbook),
                                  "--lang", "en"])
    assert result.exit_code == 0, result.output
    header, rule, *body, footer = result.stdout.strip().splitlines()
    assert _cells(header)[:4] == ["chain_id", "problem_id", "enterprise_id", "missing"]
    assert set(rule) <= {"-", "+"} and footer == "(1 行 rows)"
    assert len(body) == 1 and _cells(body[0])[:4] == ["C1", "P1", "A", "standards"]  # testing covered by B1
    assert _cells(body[0])[5:7] == ["high", "open"]
    empty = runner.invoke(main, ["analyze", "single-source", "--chain", "C1", "--data", str(workbook)])
    assert empty.exit_code == 0 and "无结果" in empty.stdout


def test_tables_speak_chinese_by_default_with_a_name_beside_every_id(runner, workbook):
    result = runner.invoke(main, ["analyze", "uncovered-problems", "--chain", "C1", "--data", str(workbook)])
    assert result.exit_code == 0, result.output
    header, rule, *body, footer = result.stdout.strip().splitlines()
    assert _cells(header) == ["产业链", "质量问题", "企业", "缺少的服务", "问题", "严重程度", "状态"]
    assert _cells(body[0])[:4] == ["C1 C1 产业链", "P1 问题P1", "A 企业A", "标准"]
    assert _cells(body[0])[5:] == ["高", "待处理"]
    city = runner.invoke(main, ["analyze", "city-overview", "--data", str(workbook)]).stdout.splitlines()
    assert _cells(city[0])[:3] == ["产业链", "序号", "区"] and "名称" not in _cells(city[0])
    row = _cells(city[2])
    assert "待处理 1，推进中 1，已解决 0" in row and "计量 1，标准 0，检验检测 1，认证认可 0" in row and "50%" in row
    assert "是" in row  # key ★
    sme = runner.invoke(main, ["analyze", "sme-unsupported", "--data", str(workbook), "--chain", "X"]).stdout
    assert "小型" in sme and "small" not in sme


def test_scores_are_rounded_for_people(runner, workbook):
    result = runner.invoke(main, ["analyze", "critical-suppliers", "--chain", "X", "--data", str(workbook)])
    assert result.exit_code == 0, result.output
    scores = [_cells(line)[2] for line in result.stdout.strip().splitlines()[2:-1]]
    assert scores and all(len(s.partition(".")[2]) <= 2 for s in scores), scores
    assert not any(s.endswith(".0") or "000" in s for s in scores)


def test_json_and_csv_keep_the_contract_keys_and_codes_whatever_the_language(runner, workbook):
    for lang in ("zh", "en"):
        out = runner.invoke(main, ["analyze", "uncovered-problems", "--data", str(workbook), "--format", "json",
                                   "--lang", lang]).stdout
        rows = json.loads(out)
        assert rows[0]["missing"] == ["standards"] and rows[0]["status"] == "open"
        text = runner.invoke(main, ["analyze", "uncovered-problems", "--data", str(workbook), "--format", "csv",
                                    "--lang", lang]).stdout
        assert text.startswith("chain_id,problem_id,enterprise_id,missing") and "标准" not in text


def test_columns_line_up_with_chinese_names_measured_with_wcwidth(runner, tmp_path):
    from wcwidth import wcswidth

    long_names = dict(
        chains=[hand.chain("C1", 1)],
        enterprises=[{"enterprise_id": "E1", "name": "上海示例精密仪器有限公司", "size": "small"},
                     {"enterprise_id": "E22", "name": "Acme 贸易", "size": "小型"},
                     {"enterprise_id": "E333", "name": "申", "size": "micro"}],
        members=[hand.member("C1", "E1", "owner", 0), hand.member("C1", "E22", "upstream", 1),
                 hand.member("C1", "E333", "upstream", 2)],
        problems=[hand.problem("P1", "C1", "E22", "open", "testing"), hand.problem("P2", "C1", "E333", "open")],
    )
    path = _workbook(tmp_path / "names.xlsx", **long_names)
    for name in ("sme-unsupported", "critical-suppliers"):
        result = runner.invoke(main, ["analyze", name, "--data", str(path)])
        assert result.exit_code == 0, result.output
        lines = result.stdout.rstrip("\n").splitlines()[:-1]  # the row-count footer is free text
        assert any("上海示例精密仪器有限公司" in line or "申" in line for line in lines)
        # every separator sits in the same terminal column on every line
        bars = [[wcswidth(line[:i]) for i, ch in enumerate(line) if ch in "|+"] for line in lines]
        assert all(b == bars[0] for b in bars), (name, bars)


@pytest.mark.parametrize("spelling", ["c1", "C1", "C1 产业链", " C1 产业链 "])
def test_chain_by_any_letter_case_or_its_exact_name(runner, workbook, spelling):
    result = runner.invoke(main, ["analyze", "uncovered-problems", "--chain", spelling, "--data", str(workbook),
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["chain_id"] for r in json.loads(result.stdout)] == ["C1"]


def test_city_overview_json_has_objects_by_status_and_pillar(runner, workbook):
    result = runner.invoke(main, ["analyze", "city-overview", "--data", str(workbook), "--format", "json"])
    rows = {r["chain_id"]: r for r in json.loads(result.stdout)}
    assert list(rows) == ["C1", "X", "Y"]
    assert rows["C1"]["bodies"] == {"metrology": 1, "standards": 0, "testing": 1, "certification": 0}
    assert rows["C1"]["problems"] == {"open": 1, "in_progress": 1, "resolved": 0}
    assert rows["C1"]["coverage"] == 0.5 and rows["X"]["coverage"] == 1.0  # PCX needs nothing


def test_csv_to_a_file_has_a_bom_for_excel(runner, workbook, tmp_path):
    target = tmp_path / "out" / "缺口.csv"
    result = runner.invoke(main, ["analyze", "nqi-coverage", "--chain", "C1", "--data", str(workbook),
                                  "--format", "csv", "-o", str(target)])
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["service"] for r in table] == ["metrology", "standards", "testing", "certification"]
    assert table[0]["bodies"] == "B1" and table[0]["needing"] == "1" and table[0]["covered"] == "1"
    assert sorted(p.name for p in target.parent.iterdir()) == ["缺口.csv"]  # no temp file left


@pytest.mark.parametrize("args, message", [
    (["analyze", "single-source", "--chain", "NOPE"], "unknown chain id: NOPE"),
    (["analyze", "single-source", "--chain", "A"], "unknown chain id: A"),
    (["analyze", "problem-impact", "--problem", "NOPE"], "unknown problem id: NOPE"),
    (["analyze", "problem-impact"], "needs --problem"),
    (["analyze", "city-overview", "--chain", "C1"], "takes no --chain"),
    (["analyze", "problem-impact", "--problem", "PCX", "--chain", "X"], "takes no --chain"),
    (["analyze", "single-source", "--problem", "P1"], "takes no --problem"),
    (["analyze", "nope"], "unknown analysis"),
    (["analyze"], "missing NAME"),
    (["analyze", "single-source", "--neo4j"], "--data or --neo4j, not both"),
])
def test_bad_options_are_one_clear_line_and_exit_2(runner, workbook, args, message):
    result = runner.invoke(main, args + ["--data", str(workbook)])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_without_data_or_server_it_says_how_to_choose(runner):
    result = runner.invoke(main, ["analyze", "single-source"])
    assert result.exit_code == 2 and "--data PATH or --neo4j" in result.stderr


def test_neo4j_uri_in_the_environment_selects_neo4j(runner, monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")  # nothing listens there
    result = runner.invoke(main, ["analyze", "single-source"])
    assert result.exit_code == 1
    assert "cannot reach Neo4j at bolt://127.0.0.1:1" in result.stderr


def test_a_bad_workbook_lists_its_errors_and_exits_2(runner, tmp_path):
    path = _workbook(tmp_path / "bad.xlsx", chains=[hand.chain("C1", 1)],
                     members=[hand.member("C1", "ghost", "owner")])
    result = runner.invoke(main, ["analyze", "single-source", "--data", str(path)])
    assert result.exit_code == 2 and "ghost" in result.stderr and result.stdout == ""
