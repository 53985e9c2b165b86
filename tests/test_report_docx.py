"""The November report as Word documents, read back with python-docx (and LibreOffice).

On the two-district data set worked out by hand (tests/test_consistency.py), with typical
cases and problem measures added as the intake will give them: every section of the
notice is there in order, the numbers in its tables are the headline numbers and the
analyses' rows, the charts are PNG images, the Chinese text is intact, the page is A4 with
page numbers, official fonts and a table of contents.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess

import docx
import pandas as pd
import pytest
from docx.oxml.ns import qn

from conftest import required_missing
from graphmodel import analyses
from graphmodel.headline import HEADLINES, city_numbers, percent
from graphmodel.intake import read_tables
from graphmodel.model import add_case, build_graph
from graphmodel.report import annual_report, write_report
from graphmodel.report_docx import APPENDIX, NUMERALS, SECTIONS, report_document
from test_consistency import YEAR, two_districts


def _graph():
    G = build_graph(read_tables(two_districts(), source="两区手工数据"))
    # What the intake's cases sheet and the problems' optional columns will give (domain.md).
    add_case(G, "CASE1", "C1", ["E2", "B1"], name="沪光玻璃“检测+标准”联动帮扶上游砂厂",
             title="沪光玻璃“检测+标准”联动帮扶上游砂厂", year=YEAR,
             summary="链主牵头、计量检测中心驻厂，石英砂含铁量波动由 ±30% 降到 ±8%。")
    add_case(G, "CASE0", "C1", [], name="往年案例", title="往年案例", year=YEAR - 1, summary="上一年度的案例。")
    G.nodes["P1"].update(measures="来料逐批检测；建立含铁量控制图", owner_unit="申石英砂厂质量部", deadline="2025-12-31")
    return G


@pytest.fixture(scope="module")
def G():
    return _graph()


@pytest.fixture(scope="module")
def written(G, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    paths = write_report(G, YEAR, out, baseline=G, unit="普陀区市场监督管理局", filed_on=dt.date(2025, 11, 28))
    return out, paths


def _doc(path):
    return docx.Document(str(path))


def _headings(doc, level=1):
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def _tables(doc) -> dict[str, list[list[str]]]:
    """Each table by the caption paragraph just before it."""
    body = doc.element.body
    found, caption = {}, None
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            style = child.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            if style is not None and style.get(qn("w:val")) == "Caption":
                caption = text
        elif child.tag == qn("w:tbl"):
            table = docx.table.Table(child, doc._body)
            found[caption] = [[c.text for c in row.cells] for row in table.rows]
    return found


def _section_text(doc, title: str) -> str:
    """The text of one Heading-1 section, up to the next."""
    out, inside = [], False
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            style = child.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            if style is not None and style.get(qn("w:val")) == "Heading1":
                inside = text.endswith(title)
                continue
        if inside:
            out.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
    return "\n".join(out)


def _headline_cells(rows):
    return {r[0]: r[1:] for r in rows[1:]}


def _expected(numbers, key):
    value = numbers.value(key)
    if HEADLINES[key].unit == "%":
        return percent(value).rstrip("%")
    return str(len(value) if isinstance(value, list) else value)


def test_the_files_written(written):
    out, paths = written
    names = sorted(p.relative_to(out).as_posix() for p in paths if p.suffix == ".docx")
    assert names == ["chains/C1-report-2025.docx", "chains/C2-report-2025.docx", "chains/C3-report-2025.docx",
                     "report-2025.docx"]


@pytest.mark.parametrize("name", ["report-2025.docx", "chains/C1-report-2025.docx"])
def test_every_section_of_the_notice_in_order(written, name):
    doc = _doc(written[0] / name)
    assert _headings(doc) == [f"{NUMERALS[i]}、{s}" for i, s in enumerate(SECTIONS)] + [APPENDIX]
    # the table of contents: a TOC field Word updates on opening, pre-filled with the headings
    xml = doc.element.body.xml
    assert re.search(r"<w:instrText[^>]*> TOC \\o &quot;1-2&quot;", xml) or 'TOC \\o "1-2"' in xml
    toc = [p.text for p in doc.paragraphs[:40]]
    assert all(h in toc for h in _headings(doc))
    assert doc.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"


def test_page_fonts_and_page_numbers(written):
    doc = _doc(written[0] / "report-2025.docx")
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    footer = section.footer.paragraphs[0]._p.xml
    assert " PAGE " in footer and " NUMPAGES " in footer and "第 " in section.footer.paragraphs[0].text
    fonts = lambda style: doc.styles[style].element.rPr.rFonts  # noqa: E731
    assert fonts("Normal").get(qn("w:eastAsia")) == "仿宋" and fonts("Heading 1").get(qn("w:eastAsia")) == "黑体"
    assert fonts("Heading 1").get(qn("w:asciiTheme")) is None  # no theme font overriding it
    font_table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")).blob
    assert 'w:name="仿宋"' in font_table.decode() and 'w:val="FangSong"' in font_table.decode()
    meta = [p.text for p in doc.paragraphs[:4]]
    assert "填报单位：普陀区市场监督管理局　填报日期：2025 年 11 月 28 日" in meta


def test_the_city_report_numbers_are_the_headline_numbers(G, written):
    city = city_numbers(G, YEAR)
    doc = _doc(written[0] / "report-2025.docx")
    tables = _tables(doc)
    main = _headline_cells(tables["全市主要数字"])
    assert tables["全市主要数字"][0] == ["指标", "数值", "单位", "上期", "变化"]  # with the baseline
    for key in ("chains", "members", "memberships", "smes", "unresolved", "resolved", "resolved_this_year",
                "coverage", "sme_support_rate", "owner_meets", "owner_leads", "projects"):
        assert main[HEADLINES[key].zh][:2] == [_expected(city, key), HEADLINES[key].unit], key
    assert main["链上企业"] == ["8", "家", "8", "持平"] and main["覆盖率"][:2] == ["50", "%"]
    progress = {r[0]: r[1:] for r in tables["各链质量问题进展"][1:]}
    for chain_id, n in city.per_chain.items():
        row = next(v for k, v in progress.items() if k.endswith(G.nodes[chain_id]["name"]))
        assert row == [str(n.open), str(n.in_progress), str(n.resolved), str(n.resolved_this_year),
                       str(n.uncovered), _expected(n, "coverage")], chain_id
    assert progress["全市"] == [str(city.open), str(city.in_progress), str(city.resolved),
                              str(city.resolved_this_year), str(city.uncovered), _expected(city, "coverage")]
    bases = {r[0]: r[1:] for r in tables["各区质量提升培训基地"][1:]}
    assert bases["普陀区"][0] == "1" and "B3" in bases["普陀区"][1] and bases["普陀区"][2] == "是"
    assert bases["奉贤区"][:1] == ["0"] and bases["奉贤区"][2].startswith("否")
    smes = {r[0]: r[1:] for r in tables["各链中小企业帮扶"][1:]}
    assert smes["全市（去重）"][:3] == [str(city.smes), str(city.smes_supported), _expected(city, "sme_support_rate")]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "奉贤区尚无" in _section_text(doc, "质量提升培训基地") and "奉贤区" in _section_text(doc, "下一步工作")
    assert f"链主达标 {percent(city.owner_meets)}" in text and f"链主领跑 {percent(city.owner_leads)}" in text


def test_a_chain_report_numbers_are_the_headline_numbers_and_analyses(G, written):
    doc = _doc(written[0] / "chains" / "C1-report-2025.docx")
    n = city_numbers(G, YEAR).per_chain["C1"]
    tables = _tables(doc)
    main = _headline_cells(tables["本链主要数字"])
    for key in ("members", "smes", "bodies", "problems", "unresolved", "resolved", "resolved_this_year",
                "coverage", "sme_support_rate", "training_bases", "projects"):
        assert main[HEADLINES[key].zh][:2] == [_expected(n, key), HEADLINES[key].unit], key
    pillars = analyses.to_records(analyses.nqi_coverage(G, "C1"))
    got = tables["按支柱的问题覆盖（nqi-coverage）"][1:]
    assert [[r[0], r[2], r[3]] for r in got] == [[{"metrology": "计量", "standards": "标准", "testing": "检验检测",
                                                  "certification": "认证认可"}[p["service"]], str(p["needing"]),
                                                 str(p["covered"])] for p in pillars]
    bench = tables["链主企业主要质量指标对标（owner-benchmark）"]
    assert bench[1] == ["透光率", "%", "2025", "93.6", "91.5", "93", "优于行业标准"]
    unsupported = analyses.to_records(analyses.sme_unsupported(G, "C1"))
    rows = tables.get("有未解决问题却无帮扶的中小企业（sme-unsupported）", [[]])[1:]
    assert [r[0] for r in rows] == [f"{G.nodes[u['enterprise_id']]['name']}（{u['enterprise_id']}）" for u in unsupported]
    problems = {r[0]: r for r in tables["质量问题清单"][1:]}
    assert problems["P1"][6:9] == ["来料逐批检测；建立含铁量控制图", "申石英砂厂质量部", "2025-12-31"]
    gaps = _section_text(doc, "下一步工作")
    assert "镀膜均匀性差（P2）（缺标准）" in gaps  # the uncovered problem and its missing service


def test_every_table_names_its_units(written):
    unit = re.compile(r"（[^）]*(家|个|%|项|条|日期)[^）]*）")
    for name in ("report-2025.docx", "chains/C1-report-2025.docx", "chains/C3-report-2025.docx"):
        for caption, rows in _tables(_doc(written[0] / name)).items():
            header, body = rows[0], rows[1:]
            for i, h in enumerate(header):
                cells = [r[i] for r in body if r[i] not in ("—", "")]
                numeric = cells and all(re.fullmatch(r"[−+-]?\d+(\.\d+)?", c) for c in cells)
                if numeric and h not in ("序号", "年份", "排序（第几位）"):
                    assert unit.search(h) or "单位" in header or h in ("数值", "上期", "实测值", "国家标准限值",
                                                                       "行业标准限值", "目标值",
                                                                       f"{YEAR} 年实测值"), (name, caption, h)


def test_charts_are_images_and_chinese_is_intact(written):
    chain = _doc(written[0] / "chains" / "C1-report-2025.docx")
    city = _doc(written[0] / "report-2025.docx")
    assert len(chain.inline_shapes) == 3 and len(city.inline_shapes) == 2  # status, pillars (+ indicators)
    images = [p for p in chain.part.package.parts if p.content_type == "image/png"]
    assert len(images) == 3 and all(p.blob.startswith(b"\x89PNG\r\n\x1a\n") for p in images)
    captions = [p.text for p in chain.paragraphs if p.text.startswith("图：")]
    assert captions == ["图：质量问题按状态（个）", "图：按支柱的问题覆盖（个）", "图：链主指标实测值、目标值与国家标准、行业标准限值"]
    text = "\n".join(p.text for p in chain.paragraphs)
    assert "光伏玻璃产业链质量提升（C1）为重点项目（★）" in text and "沪光玻璃集团" in text
    assert "\ufffd" not in text and "?" * 3 not in text


def test_typical_cases_of_the_year_with_what_they_are_about(written):
    doc = _doc(written[0] / "chains" / "C1-report-2025.docx")
    cases = _section_text(doc, "典型案例")
    assert "沪光玻璃“检测+标准”联动帮扶上游砂厂" in cases and "±30% 降到 ±8%" in cases
    assert "相关对象：示例计量检测中心（B1）、申石英砂厂（E2）" in cases
    assert "往年案例" not in cases  # another year's case
    assert "尚未填报典型案例" in _section_text(_doc(written[0] / "chains" / "C2-report-2025.docx"), "典型案例")
    city = _section_text(_doc(written[0] / "report-2025.docx"), "典型案例")
    assert "光伏玻璃产业链质量提升：沪光玻璃“检测+标准”联动帮扶上游砂厂" in city


def test_support_suggestions_are_listed_once_the_analysis_exists(G, monkeypatch):
    # the real analysis: its first suggestion for the uncovered problem P2
    report = annual_report(G, YEAR)
    rows = _tables(report_document(G, report.for_chain(report.chains[0], G)))["供需对接建议（每项缺失服务最多 3 家机构）"]
    assert rows[1] == ["镀膜均匀性差（P2）", "质量问题", "标准", "示例标准化研究所（B2）", "全市", "1"]

    # a build without the analysis says so instead of an empty table
    with monkeypatch.context() as m:
        m.delitem(analyses.ANALYSES, "support-suggestions")
        doc = report_document(G, annual_report(G, YEAR, chains=["C1"]).for_chain(annual_report(G, YEAR).chains[0], G))
        assert "尚未提供“support-suggestions”" in _section_text(doc, "帮扶中小企业")

    def suggestions(G, chain=None):
        return pd.DataFrame([{"chain_id": "C1", "target_id": "P2", "target_kind": "problem", "service": "standards",
                              "body_id": "B2", "reach": "district", "rank": 1}])

    fake = analyses.Analysis("support-suggestions", suggestions, "chain", "供需对接", "support suggestions",
                             "support-suggestions.cypher", (), (), ())
    monkeypatch.setitem(analyses.ANALYSES, "support-suggestions", fake)
    report = annual_report(G, YEAR)
    doc = report_document(G, report.for_chain(report.chains[0], G))
    rows = _tables(doc)["供需对接建议（每项缺失服务最多 3 家机构）"]
    assert rows[1] == ["镀膜均匀性差（P2）", "质量问题", "标准", "示例标准化研究所（B2）", "本区", "1"]
    assert "尚未提供" not in _section_text(doc, "帮扶中小企业")


def test_without_a_baseline_there_is_no_comparison_column(G, tmp_path):
    report = annual_report(G, YEAR)
    doc = report_document(G, report)
    assert _tables(doc)["全市主要数字"][0] == ["指标", "数值", "单位"]
    assert "未提供上期工作簿" in _section_text(doc, "工作开展情况")


def test_libreoffice_converts_a_report_to_pdf(written, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        required_missing("LibreOffice (Debian: libreoffice-writer-nogui) is not installed", "the PDF test")
    from pypdf import PdfReader

    source = written[0] / "chains" / "C1-report-2025.docx"
    env = {**os.environ, "HOME": str(tmp_path)}  # a profile of its own: never the user's, never shared
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=240, env=env)
    reader = PdfReader(str(tmp_path / "C1-report-2025.pdf"))
    assert 4 <= len(reader.pages) <= 20
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    for words in ("光伏玻璃产业链质量提升", "质量问题清单进展", "链主企业主要质量指标对标国家标准、行业标准", "典型案例",
                  "沪光玻璃", "第1页"):
        assert words in text, words
