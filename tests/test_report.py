import copy
import re

import pytest
from click.testing import CliRunner

from graphmodel.cli import main
from graphmodel.intake import read_dataset
from graphmodel.model import build_graph
from graphmodel.report import annual_report, to_html, write_report
from handmade import handmade_rows, write_xlsx


def graph(rows, tmp_path, name):
    return build_graph(read_dataset(write_xlsx(tmp_path / name, rows)))


@pytest.fixture
def current(tmp_path):
    rows = handmade_rows()
    rows["enterprises"][4][1] = "<script>alert(1)</script>奉申电缆"  # E5, owner of C2
    return graph(rows, tmp_path, "now.xlsx")


def test_year_figures(current):
    r = {c.chain_id: c for c in annual_report(current, 2025).chains}
    assert (r["C1"].members, r["C1"].smes, r["C1"].owner) == (4, 3, "沪光玻璃集团")
    assert r["C1"].bodies_by_pillar["metrology"] == ["B1"] and r["C1"].bodies_by_pillar["certification"] == []
    # B3 (培训) gives C1 training only through project K1; a 培训基地 is a training body that ENABLES a chain.
    assert r["C1"].training_bases == [] and r["C1"].training_reach == []
    assert r["C2"].problems_raised == ["P3"] and r["C1"].problems_raised == []
    assert annual_report(current, 2024).chains[0].problems_resolved == ["P2"]
    assert r["C1"].projects_by_status == {"active": 1}
    bench = r["C1"].owner_benchmark
    assert [(b["indicator_id"], b["year"], b["status"]) for b in bench] == [("I1", 2025, "beats_industry")]
    assert [(t["target"], t["value"], t["met"]) for t in r["C1"].targets] == [(93.0, 93.6, True)]
    # 2024: the owner read 92.0 - meets national (91.5) but not industry (93.0); no 2024 target
    r24 = annual_report(current, 2024).chains[0]
    assert [(b["year"], b["status"]) for b in r24.owner_benchmark] == [(2024, "meets_national")]
    assert r24.targets == []


def test_baseline_changes(current, tmp_path):
    old = copy.deepcopy(handmade_rows())
    old["members"] = [m for m in old["members"] if m[1] != "E4"]
    old["supplies"] = [s for s in old["supplies"] if "E4" not in s[1:3]]
    old["problems"][1][6], old["problems"][1][9] = "open", None  # P2 was still open
    old["problems"] = [p for p in old["problems"] if p[0] != "P3"]
    old["readings"] = [["E1", "I1", 2024, 94.0]]  # the owner read better last time
    B = graph(old, tmp_path, "old.xlsx")
    r = {c.chain_id: c for c in annual_report(current, 2025, baseline=B).chains}
    assert r["C1"].changes["new_members"] == ["E4"]
    assert r["C1"].changes["resolved_since"] == ["P2"]
    assert r["C2"].changes["new_problems"] == ["P3"]
    assert r["C1"].changes["worsened"] == [("E1", "I1", 94.0, 93.6)] and r["C1"].changes["improved"] == []


def test_html_is_offline_and_escaped(current, tmp_path):
    page = to_html(current, annual_report(current, 2025, baseline=current))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;奉申电缆" in page
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page)
    paths = write_report(current, 2025, tmp_path)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in paths)
    assert names == ["chains/C1-report-2025.docx", "chains/C1-report-2025.html", "chains/C1-report-2025.md",
                     "chains/C2-report-2025.docx", "chains/C2-report-2025.html", "chains/C2-report-2025.md",
                     "report-2025.docx", "report-2025.html", "report-2025.md"]
    md = (tmp_path / "report-2025.md").read_text("utf-8")
    assert "| 1★ | 光伏玻璃产业链质量提升 | 普陀区 | 沪光玻璃集团 | 4 | 3 |" in md


def test_report_command(tmp_path):
    path = write_xlsx(tmp_path / "h.xlsx", handmade_rows())
    result = CliRunner().invoke(main, ["report", "--data", str(path), "--year", "2025", "--baseline", str(path),
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "与上期对比" in (tmp_path / "out" / "report-2025.html").read_text("utf-8")
    assert (tmp_path / "out" / "report-2025.docx").is_file() and "report-2025.docx" in result.stdout
