"""One set of numbers: every output that shows a headline number shows the same one.

For the demo data and for a small two-district data set worked out by hand (a firm on two
chains, a problem resolved last year, an ended support link, a body giving two services, a
district with a training base and one without), each headline number of domain.md ("One
set of numbers") is read back from every output that shows it — the city overview page,
each chain page, the report (HTML and Markdown), the three lists (Excel, read with
openpyxl) and ``qmap analyze city-overview --format json`` — and compared with
:mod:`graphmodel.headline`, which is itself checked against the hand-worked figures.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from click.testing import CliRunner

from graphmodel.cli import main
from graphmodel.demo import DEMO_YEAR, generate_demo
from graphmodel.headline import HEADLINES, city_numbers, percent
from graphmodel.intake import read_tables
from graphmodel.lists import write_lists
from graphmodel.maps import chain_map_html, city_overview_html
from graphmodel.model import build_graph, chains
from graphmodel.report import annual_report, to_html, to_markdown
from graphmodel.workbook import write_workbook
from handmade import dict_rows

YEAR = 2025


def two_districts() -> dict[str, list[dict]]:
    rows = dict_rows

    return {
        "chains": rows("chain_id seq name district leader key industry",
                       ("C1", 1, "光伏玻璃产业链质量提升", "普陀区", "普陀区市场监管局", "★", "光伏玻璃"),
                       ("C2", 2, "电线电缆行业质量提升", "奉贤区", "奉贤区市场监管局", "否", "电线电缆"),
                       ("C3", 3, "智能机器人产业链供应链质量提升", "普陀区", "普陀区市场监管局", "否", "机器人")),
        "enterprises": rows("enterprise_id name size district uscc",
                            ("E1", "沪光玻璃集团", "大型", "普陀区", None), ("E2", "申石英砂厂", "small", "金山区", None),
                            ("E3", "浦江镀膜科技", "中型", "普陀区", None), ("E4", "晶能组件公司", "micro", "嘉定区", None),
                            ("E5", "奉申电缆", "large", "奉贤区", None), ("E6", "铜材供应站", "小型", "奉贤区", None),
                            ("E7", "普陀机器人", "medium", "普陀区", None), ("E8", "减速器配套厂", "small", "普陀区", None)),
        "members": rows("chain_id enterprise_id role tier",
                        ("C1", "E1", "链主", 0), ("C1", "E2", "upstream", 2), ("C1", "E3", "上游", 1),
                        ("C1", "E4", "downstream", 1), ("C2", "E5", "owner", 0), ("C2", "E6", "上游", 1),
                        ("C2", "E3", "下游", 1),  # E3 sits on two chains
                        ("C3", "E7", "owner", 0), ("C3", "E8", "upstream", 1)),
        "supplies": rows("chain_id supplier_id customer_id product share critical",
                         ("C1", "E2", "E3", "石英砂", 0.6, "是"), ("C1", "E3", "E1", "镀膜液", 1, "否"),
                         ("C1", "E1", "E4", "光伏玻璃", None, None), ("C2", "E6", "E5", "铜杆", None, None),
                         ("C2", "E5", "E3", "电缆", None, None), ("C3", "E8", "E7", "减速器", None, None)),
        "support_bodies": rows("body_id name services accreditations",
                               ("B1", "示例计量检测中心", "计量；检验检测", "CMA"),  # two services, one link
                               ("B2", "示例标准化研究所", "standards", None),
                               ("B3", "示例质量培训基地", "培训", None)),
        "support_links": rows("body_id target_id service since status",
                              ("B1", "C1", None, None, "有效"), ("B1", "E2", "testing", None, "active"),
                              ("B2", "E6", "standards", None, "已结束"),  # ended: no support, no coverage
                              ("B2", "C2", "standards", None, None), ("B3", "C3", "training", None, None),
                              ("B1", "P3", "metrology", None, None)),
        "problems": rows("problem_id chain_id enterprise_id title category severity status needs raised_on resolved_on",
                         ("P1", "C1", "E2", "石英砂含铁量波动", "material", "medium", "未解决", "testing",
                          "2025-02-01", None),
                         ("P2", "C1", "E3", "镀膜均匀性差", "process", "high", "推进中", "standards", "2024-06-01",
                          None),
                         ("P3", "C2", "E6", "铜杆电阻率超差", "product", "high", "open", "standards;metrology",
                          "2025-03-01", None),
                         ("P4", "C2", "E5", "绝缘层老化", "product", "low", "resolved", "testing", "2024-01-10",
                          "2024-11-30"),  # resolved last year
                         ("P5", "C1", "E4", "组件认证周期长", "certification", "low", "已解决", "certification",
                          "2025-01-05", "2025-06-30"),
                         ("P6", "C3", "E8", "装配一致性", "process", "low", "open", None, "2025-04-01", None)),
        "projects": rows("project_id chain_id title lead_id tackles status due progress",
                         ("K1", "C1", "镀膜工艺攻关", "E1", "P2", "实施中", "2025-12-31", 0.5)),
        "indicators": rows("indicator_id name unit direction standard national_limit industry_limit",
                           ("I1", "透光率", "%", "越高越好", "GB/T 30984.1-2015", 91.5, 93.0)),
        "readings": rows("enterprise_id indicator_id year value", ("E1", "I1", 2025, 93.6), ("E5", "I1", 2025, 90.0)),
    }


#: The figures of two_districts() worked out on paper.
HAND = {
    "members": 8, "memberships": 9, "smes": 6,  # E2 E3 E4 E6 E7 E8; E3 counted once
    "open": 3, "in_progress": 1, "resolved": 2, "unresolved": 4, "resolved_this_year": 1,  # P4 was 2024
    "uncovered": 2, "covered": 2, "coverage": 0.5,  # P1 (B1→E2 testing), P6 (needs nothing) covered
    "sme_support_rate": 1 / 6,  # only E2; E6's link has ended
    "owner_meets": 0.5, "owner_leads": 0.5,  # C1's owner beats industry, C2's is below national, C3's reports none
    "per_chain": {"C1": (4, 3), "C2": (3, 2), "C3": (2, 2)},
    "training_bases": {"普陀区": ["B3"], "奉贤区": []},
}

DATASETS = {"two-districts": (lambda: build_graph(read_tables(two_districts(), source="两区手工数据")), YEAR),
            "demo": (lambda: build_graph(read_tables(generate_demo(), source="示例数据")), DEMO_YEAR)}


@pytest.fixture(scope="module", params=list(DATASETS))
def case(request, tmp_path_factory):
    make, year = DATASETS[request.param]
    G = make()
    folder = tmp_path_factory.mktemp(request.param)
    return request.param, G, year, city_numbers(G, year), folder


# --------------------------------------------------------------------------- readers of the outputs

class _Cells(HTMLParser):
    """data-headline cards and the data-v cells of each data-chain row of a page."""

    def __init__(self):
        super().__init__()
        self.cards: dict[str, str] = {}
        self.rows: dict[str, list[str]] = {}
        self._card = self._row = None
        self._in_b = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-headline" in a:
            self._card = a["data-headline"]
        if tag == "b" and self._card:
            self._in_b = True
        if tag == "tr" and "data-chain" in a:
            self._row = a["data-chain"]
            self.rows[self._row] = []
        if tag == "td" and self._row and "data-v" in a:
            self.rows[self._row].append(a["data-v"])

    def handle_endtag(self, tag):
        if tag == "b":
            self._in_b = False
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._in_b and self._card:
            self.cards[self._card] = data.strip()
            self._card, self._in_b = None, False


def cells(html: str) -> _Cells:
    p = _Cells()
    p.feed(html)
    return p


def _num(text: str):
    return None if text in ("—", "") else (text if text.endswith("%") else int(text))


# --------------------------------------------------------------------------- the hand-worked figures

def test_headline_numbers_match_the_hand_worked_figures():
    G = DATASETS["two-districts"][0]()
    city = city_numbers(G, YEAR)
    for key, want in HAND.items():
        if key == "per_chain":
            got = {c: (n.members, n.smes) for c, n in city.per_chain.items()}
        elif key == "training_bases":
            got = {d: city.training_bases.get(d, []) for d in want}
        else:
            got = city.value(key)
        assert got == pytest.approx(want) if isinstance(want, float) else got == want, key


def test_each_number_has_one_name_and_a_definition():
    names = [h.zh for h in HEADLINES.values()]
    assert len(names) == len(set(names))
    assert HEADLINES["members"].zh == "链上企业" and HEADLINES["memberships"].zh == "成员关系"
    assert HEADLINES["unresolved"].zh == "未解决" and HEADLINES["open"].zh == "待处理"
    assert all(h.definition.endswith("。") for h in HEADLINES.values())


# --------------------------------------------------------------------------- every output agrees

def test_city_overview_page(case):
    name, G, year, city, folder = case
    page = cells(city_overview_html(G))
    assert _num(page.cards["members"]) == city.members
    assert _num(page.cards["uncovered"]) == city.uncovered and _num(page.cards["covered"]) == city.covered
    assert _num(page.cards["resolved"]) == city.resolved
    assert page.cards["coverage"] == percent(city.coverage)
    html = city_overview_html(G)
    assert f"（中小企业 {city.smes}）" in html and f"各链之和 {city.memberships} 为“成员关系”数" in html
    assert 'title="链上企业：' in html  # the definition on hover
    for chain_id, row in page.rows.items():
        n = city.per_chain[chain_id]
        members, smes = int(row[3]), int(row[4])
        open_, in_progress, resolved = map(int, row[9:12])
        gaps, coverage = int(row[12]), float(row[14])
        assert (members, smes, open_, in_progress, resolved, gaps) == (n.members, n.smes, n.open, n.in_progress,
                                                                      n.resolved, n.uncovered), chain_id
        assert coverage == (-1 if n.coverage is None else pytest.approx(n.coverage)), chain_id
    assert set(page.rows) == set(chains(G))


class _Goals(HTMLParser):
    """The notice's goal cards (value, change), the district training-base rows and the goal cells per chain."""

    def __init__(self):
        super().__init__()
        self.goals: dict[str, list[str]] = {}
        self.bases: dict[str, int] = {}
        self.lacking: set[str] = set()
        self.owner: dict[str, tuple[str, str]] = {}
        self._goal = self._row = None
        self._grab = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("data-headline", "").startswith("goal-"):
            self._goal = a["data-headline"][5:]
            self.goals[self._goal] = []
        if tag in ("b", "em") and self._goal:
            self._grab = tag
        if tag == "tr" and "data-bases" in a:
            self.bases[a["data-base-district"]] = int(a["data-bases"])
            if "lacking" in (a.get("class") or ""):
                self.lacking.add(a["data-base-district"])
        if tag == "tr" and "data-chain" in a:
            self._row = a["data-chain"]
        if tag == "td" and self._row and "data-owner-meets" in a:
            self.owner[self._row] = (a["data-owner-meets"], self.owner.get(self._row, ("", ""))[1])
        if tag == "td" and self._row and "data-owner-leads" in a:
            self.owner[self._row] = (self.owner[self._row][0], a["data-owner-leads"])

    def handle_endtag(self, tag):
        if tag == self._grab:
            self._grab = None
        if tag == "div":
            self._goal = None
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._grab and self._goal and data.strip():
            self.goals[self._goal].append(data.strip())


def test_city_overview_shows_the_notice_goals(case):
    name, G, year, city, folder = case
    html = city_overview_html(G, year=year)
    page = _Goals()
    page.feed(html)
    goals = {k: v[0] for k, v in page.goals.items()}
    assert goals["owner_meets"] == percent(city.owner_meets) and goals["owner_leads"] == percent(city.owner_leads)
    assert goals["sme_support_rate"] == percent(city.sme_support_rate)
    assert int(goals["resolved_this_year"]) == city.resolved_this_year
    assert goals["project_progress"] == percent(city.project_progress)
    assert int(goals["training_bases"]) == len({b for bs in city.training_bases.values() for b in bs})
    assert page.bases == {d: len(b) for d, b in city.training_bases.items()}
    assert page.lacking == {d for d, b in city.training_bases.items() if not b}
    for chain_id, n in city.per_chain.items():
        flag = lambda v: "—" if v is None else ("是" if v else "否")  # noqa: E731
        assert page.owner[chain_id] == (flag(n.owner_meets), flag(n.owner_leads)), chain_id
    for key in ("owner_meets", "owner_leads", "sme_support_rate", "resolved_this_year", "project_progress",
                "training_bases"):
        assert f'title="{HEADLINES[key].zh}' in html, key  # the definition on hover
    if name == "two-districts":
        # worked by hand: 普陀区 has B3 (ENABLES C3), 奉贤区 none; C1's owner beats industry, C2's is below
        # national, C3's reports nothing; only E2 of six SMEs is supported; K1 at 50 %
        assert page.bases == {"普陀区": 1, "奉贤区": 0} and page.lacking == {"奉贤区"}
        assert (goals["owner_meets"], goals["owner_leads"], goals["sme_support_rate"]) == ("50%", "50%", "17%")
        assert goals["resolved_this_year"] == "1" and goals["project_progress"] == "50%"
        assert page.owner == {"C1": ("是", "是"), "C2": ("否", "否"), "C3": ("—", "—")}
        assert "无培训基地" in html and not any(len(v) > 1 for v in page.goals.values())  # no change without a baseline


def test_city_overview_changes_against_the_baseline():
    G = DATASETS["two-districts"][0]()
    before = read_tables({**two_districts(), "support_links": [
        r for r in two_districts()["support_links"] if r["target_id"] != "E2"]})  # E2 unsupported last year
    B = build_graph(before)
    page = _Goals()
    page.feed(city_overview_html(G, year=YEAR, baseline=B))
    assert page.goals["sme_support_rate"] == ["17%", "较上年 +17 个百分点"]
    assert page.goals["training_bases"] == ["1", "较上年 持平"]
    assert page.goals["resolved_this_year"][1].startswith("较上年 ")


def test_each_chain_page(case):
    name, G, year, city, folder = case
    for chain_id in chains(G):
        n = city.per_chain[chain_id]
        page = cells(chain_map_html(G, chain_id))
        got = {k: _num(v) for k, v in page.cards.items()}
        assert got == {"members": n.members, "smes": n.smes, "bodies": n.bodies, "uncovered": n.uncovered,
                       "covered": n.covered, "resolved": n.resolved, "coverage": percent(n.coverage)
                       if n.coverage is not None else None}, chain_id


def _report_summary_numbers(text: str) -> dict:
    m = re.search(r"链上企业 (\d+) 家（中小企业 (\d+) 家；成员关系 (\d+) 个）；本年度新提出质量问题 (\d+) 个，本年度解决 (\d+) 个，"
                  r"未解决 (\d+) 个（覆盖率 ([\d%—]+)）；中小企业帮扶率 ([\d%—]+)；链主达标 ([\d%—]+)，链主领跑 ([\d%—]+)", text)
    assert m, text[:400]
    keys = ("members", "smes", "memberships", "raised_this_year", "resolved_this_year", "unresolved", "coverage",
            "sme_support_rate", "owner_meets", "owner_leads")
    return {k: (v if not v.isdigit() else int(v)) for k, v in zip(keys, m.groups())}


def _expected_summary(city) -> dict:
    return {"members": city.members, "smes": city.smes, "memberships": city.memberships,
            "raised_this_year": city.raised_this_year, "resolved_this_year": city.resolved_this_year,
            "unresolved": city.unresolved, "coverage": percent(city.coverage),
            "sme_support_rate": percent(city.sme_support_rate), "owner_meets": percent(city.owner_meets),
            "owner_leads": percent(city.owner_leads)}


def test_report_markdown_and_html(case):
    name, G, year, city, folder = case
    report = annual_report(G, year)
    md, page = to_markdown(G, report), to_html(G, report)
    for text in (md, re.sub(r"<[^>]+>", "", page)):
        assert _report_summary_numbers(text) == _expected_summary(city)
        assert "链上企业：在链上（链上成员）的企业，去重计数" in text and "本年度解决：解决日期在报告年度内" in text
    rows = [line.strip("|").split("|") for line in md.splitlines() if re.match(r"^\| \d+★? \|", line)]
    assert len(rows) == city.chains
    for row, chain_id in zip(rows, chains(G)):
        n = city.per_chain[chain_id]
        cellv = [c.strip() for c in row]
        assert [int(cellv[i]) for i in (4, 5, 6, 7, 8)] == [n.members, n.smes, n.raised_this_year,
                                                           n.resolved_this_year, n.unresolved], chain_id
        assert cellv[9] == percent(n.coverage)
    for chain_id, n in city.per_chain.items():
        assert (f"链上企业 {n.members} 家，其中中小企业 {n.smes} 家" in md
                and f"未解决 {n.unresolved} 个（待处理 {n.open}，推进中 {n.in_progress}），已解决 {n.resolved} 个" in md)


def test_three_lists(case):
    name, G, year, city, folder = case
    write_lists(G, folder / "lists")
    ws = openpyxl.load_workbook(folder / "lists" / "全市-三张清单.xlsx")["质量问题清单"]
    header, *rows = [[c.value for c in r] for r in ws[ws.auto_filter.ref]]
    col = {h: i for i, h in enumerate(header)}
    per_chain: dict[str, dict[str, int]] = {}
    for r in rows:
        counts = per_chain.setdefault(r[col["产业链编号"]], {"待处理": 0, "推进中": 0, "已解决": 0, "已覆盖": 0,
                                                              "缺服务": 0})
        counts[r[col["状态"]]] += 1
        if r[col["覆盖情况"]] == "已覆盖":
            counts["已覆盖"] += 1
        elif r[col["覆盖情况"]] in ("未覆盖", "部分覆盖"):
            counts["缺服务"] += 1
    for chain_id, n in city.per_chain.items():
        got = per_chain.get(chain_id, {"待处理": 0, "推进中": 0, "已解决": 0, "已覆盖": 0, "缺服务": 0})
        assert got == {"待处理": n.open, "推进中": n.in_progress, "已解决": n.resolved, "已覆盖": n.covered,
                       "缺服务": n.uncovered}, chain_id
    total_unresolved = sum(c["待处理"] + c["推进中"] for c in per_chain.values())
    total_covered = sum(c["已覆盖"] for c in per_chain.values())
    assert total_unresolved == city.unresolved and percent(total_covered / total_unresolved) == percent(city.coverage)


def test_analyze_city_overview_json(case):
    name, G, year, city, folder = case
    path = folder / "data.xlsx"
    if not path.exists():
        tables = two_districts() if name == "two-districts" else generate_demo()
        write_workbook({k: (v if hasattr(v, "columns") else __import__("pandas").DataFrame(v))
                        for k, v in tables.items()}, path)
    result = CliRunner().invoke(main, ["analyze", "city-overview", "--data", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    for row in json.loads(result.stdout):
        n = city.per_chain[row["chain_id"]]
        assert (row["members"], row["smes"], row["problems"], row["unresolved"]) == (
            n.members, n.smes, {"open": n.open, "in_progress": n.in_progress, "resolved": n.resolved}, n.unresolved)
        assert row["coverage"] == (None if n.coverage is None else pytest.approx(n.coverage))


def test_qmap_map_takes_a_year_and_a_baseline(tmp_path):
    path = tmp_path / "two.xlsx"
    write_workbook({k: __import__("pandas").DataFrame(v) for k, v in two_districts().items()}, path)
    result = CliRunner().invoke(main, ["map", "--data", str(path), "--year", "2025", "--baseline", str(path), "-q",
                                       "-o", str(tmp_path / "maps")])
    assert result.exit_code == 0, result.output
    page = _Goals()
    page.feed((tmp_path / "maps" / "index.html").read_text("utf-8"))
    assert page.goals["resolved_this_year"][0] == "1" and page.goals["sme_support_rate"] == ["17%", "较上年 持平"]


def test_word_report(case):
    """The Word report's summary sentence and its city table carry the same numbers (python-docx)."""
    import docx as python_docx

    from graphmodel.report_docx import report_document

    name, G, year, city, folder = case
    path = folder / "report.docx"
    report_document(G, annual_report(G, year)).save(str(path))
    doc = python_docx.Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert _report_summary_numbers(text) == _expected_summary(city)
    main_table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:3] == ["指标", "数值", "单位"])
    cells = {r.cells[0].text: r.cells[1].text for r in main_table.rows[1:]}
    for key in ("members", "memberships", "smes", "unresolved", "resolved", "resolved_this_year", "coverage",
                "sme_support_rate", "owner_meets", "owner_leads"):
        want = percent(city.value(key)).rstrip("%") if HEADLINES[key].unit == "%" else str(city.value(key))
        assert cells[HEADLINES[key].zh] == want, key
    assert "链上企业：在链上（链上成员）的企业，去重计数" in text  # the definitions
