"""Many workbooks, one city graph (domain.md "Many workbooks: one city graph"; issue 13).

The demo split by district and read together is the city's demo graph; merging the 16
gives a workbook that reads back to it; sources that disagree are refused, naming every
source, sheet, row and value; a blank never disagrees; provenance reaches the model,
the maps and the lists.
"""

from __future__ import annotations

import copy
import json
import re

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import assert_same_graph
from handmade import handmade_rows, write_csv_folder, write_xlsx

from graphmodel.analyses import ANALYSES
from graphmodel.cli import main
from graphmodel.intake import IntakeError, read_dataset, read_sources, same_value, source_names
from graphmodel.model import (build_graph, chains, finish_node, nodes_of, shown_sources, source_graph,
                              source_rels)

DISTRICTS = 16


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo16") / "demo"
    result = CliRunner().invoke(main, ["demo", "--by-district", "--no-maps", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def district_files(demo):
    return sorted((demo / "districts").glob("*.xlsx"))


@pytest.fixture(scope="module")
def city(demo):
    return build_graph(read_dataset(demo / "shanghai-demo.xlsx"))


@pytest.fixture(scope="module")
def city16(district_files):
    return build_graph(read_sources(district_files))


# --------------------------------------------------------------------------- the demo by district

def test_demo_by_district_writes_one_valid_workbook_per_district(demo, district_files, city):
    assert len(district_files) == DISTRICTS
    districts = {city.nodes[c]["district"] for c in chains(city)}
    assert {p.stem for p in district_files} == districts
    for path in district_files:  # each district's workbook is valid on its own
        ds = read_dataset(path)
        assert {d for d in ds["chains"]["district"]} == {path.stem}


def test_sixteen_sources_are_the_city_graph(city, city16, district_files):
    assert_same_graph(city, city16, ignore=("sources",))
    names = sorted(p.name for p in district_files)
    assert city16.graph["sources"] == names
    assert city.graph["sources"] == ["shanghai-demo.xlsx"]
    assert all(d["sources"] == ["shanghai-demo.xlsx"] for *_, d in city.edges(data=True))
    # every node and relationship says where it came from; shared firms name every district
    assert all(d["sources"] and set(d["sources"]) <= set(names) for _, d in city16.nodes(data=True))
    assert all(d["sources"] and set(d["sources"]) <= set(names) for *_, d in city16.edges(data=True))
    for chain_id in chains(city16):
        assert city16.nodes[chain_id]["sources"] == [f"{city16.nodes[chain_id]['district']}.xlsx"]
    shared = [n for n in nodes_of(city16, "Enterprise") if len(city16.nodes[n]["sources"]) > 1]
    assert shared, "the demo has firms on chains of two districts"


def test_a_folder_of_workbooks_reads_as_its_workbooks(demo, city16):
    G = build_graph(read_dataset(demo / "districts"))
    assert_same_graph(city16, G)
    assert_same_graph(city16, build_graph(read_sources([demo / "districts"])))


def test_every_analysis_answers_the_same_on_sixteen_sources(city, city16):
    for name, analysis in ANALYSES.items():
        if analysis.scope == "chain":
            runs = [{"chain": c} for c in chains(city)]
        elif analysis.scope == "problem":
            runs = [{"problem": p} for p in nodes_of(city, "Problem")]
        else:
            runs = [{}]
        for kwargs in runs:
            want = analysis.run(city, **kwargs).reset_index(drop=True)
            got = analysis.run(city16, **kwargs).reset_index(drop=True)
            pd.testing.assert_frame_equal(want, got, obj=f"{name} {kwargs}")


def test_commands_take_data_many_times_or_a_folder(runner, demo, district_files):
    many = [a for p in district_files for a in ("--data", str(p))]
    one = ["--data", str(demo / "shanghai-demo.xlsx")]
    folder = ["--data", str(demo / "districts")]
    answers = []
    for data in (one, many, folder):
        result = runner.invoke(main, ["analyze", "city-overview", "--format", "json", *data])
        assert result.exit_code == 0, result.output
        answers.append(json.loads(result.stdout))
    assert answers[0] == answers[1] == answers[2] and len(answers[0]) == 28
    checked = runner.invoke(main, ["validate", *map(str, district_files), "--format", "json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["sources"] == sorted(p.name for p in district_files)
    table = runner.invoke(main, ["validate", str(demo / "districts")])
    assert table.exit_code == 0, table.output
    assert "来源 sources（16）" in table.stdout and "普陀区.xlsx" in table.stdout


def test_outputs_never_replace_any_of_the_sources(runner, district_files, tmp_path):
    target = district_files[3]
    before = target.read_bytes()
    many = [a for p in district_files for a in ("--data", str(p))]
    result = runner.invoke(main, ["analyze", "city-overview", "--format", "csv", "-o", str(target), "--force",
                                  *many])
    assert result.exit_code == 2 and "输入" in result.output
    assert target.read_bytes() == before


# --------------------------------------------------------------------------- qmap merge

def test_merge_reproduces_a_workbook_that_reads_back_to_the_city(runner, demo, city, tmp_path):
    target = tmp_path / "上海市-2025.xlsx"
    result = runner.invoke(main, ["merge", str(demo / "districts"), "-o", str(target), "-q"])
    assert result.exit_code == 0, result.output
    assert "16 个来源" in result.stdout
    merged = build_graph(read_dataset(target))
    assert_same_graph(city, merged, ignore=("sources",))
    assert merged.graph["sources"] == [target.name]  # read back, the archive is a source of its own
    wb = openpyxl.load_workbook(target)
    assert "产业链项目" in wb.sheetnames and "链上成员" in wb.sheetnames
    assert [c.value for c in wb["企业"][1]][:2] == ["企业编号", "企业名称"]
    notes = [[c.value for c in row] for row in wb["说明-合并来源 Sources"].iter_rows()]
    assert [r[0] for r in notes[1:17]] == sorted(f"{d}.xlsx" for d in {city.nodes[c]["district"]
                                                                           for c in chains(city)})
    assert notes[-1][0] == "合并后 merged" and notes[-1][2] == 28  # 产业链项目, merged
    # never replaced without --force; never over one of its inputs, even with --force
    again = runner.invoke(main, ["merge", str(demo / "districts"), "-o", str(target)])
    assert again.exit_code == 2 and "--force" in again.output
    forced = runner.invoke(main, ["merge", str(demo / "districts"), "-o", str(target), "--force", "-q"])
    assert forced.exit_code == 0, forced.output
    victim = demo / "districts" / "普陀区.xlsx"
    before = victim.read_bytes()
    refused = runner.invoke(main, ["merge", str(demo / "districts"), "-o", str(victim), "--force"])
    assert refused.exit_code == 2 and victim.read_bytes() == before


# --------------------------------------------------------------------------- two small districts

def district_rows():
    """handmade_rows() as two district bureaus keep them: 普陀区 has C1, 奉贤区 C2; E3 is on both."""
    rows = handmade_rows()

    def pick(sheet, keep):
        return [r for r in rows[sheet] if keep(r)]

    a = {
        "chains": pick("chains", lambda r: r[0] == "C1"),
        "enterprises": pick("enterprises", lambda r: r[0] in ("E1", "E2", "E3", "E4")),
        "members": pick("members", lambda r: r[0] == "C1"),
        "supplies": pick("supplies", lambda r: r[0] == "C1"),
        "support_bodies": rows["support_bodies"],
        "support_links": pick("support_links", lambda r: r[1] in ("C1", "E3", "P1", "K1")),
        "problems": pick("problems", lambda r: r[1] == "C1"),
        "projects": rows["projects"],
        "policy_tools": pick("policy_tools", lambda r: r[0] == "T1"),
        "indicators": rows["indicators"],
        "readings": rows["readings"],
        "targets": rows["targets"],
    }
    b = {
        "chains": pick("chains", lambda r: r[0] == "C2"),
        "enterprises": pick("enterprises", lambda r: r[0] in ("E3", "E5", "E6")),
        "members": pick("members", lambda r: r[0] == "C2"),
        "supplies": pick("supplies", lambda r: r[0] == "C2"),
        "support_bodies": pick("support_bodies", lambda r: r[0] == "B2"),
        "support_links": pick("support_links", lambda r: r[1] == "C2"),
        "problems": pick("problems", lambda r: r[1] == "C2"),
        "policy_tools": pick("policy_tools", lambda r: r[0] == "T2"),
    }
    return copy.deepcopy(a), copy.deepcopy(b)


def write_pair(tmp_path, a, b, b_csv=False):
    (tmp_path / "a").mkdir(exist_ok=True)
    pa = write_xlsx(tmp_path / "a" / "普陀区.xlsx", a, chinese=True)
    pb = write_csv_folder(tmp_path / "奉贤区", b) if b_csv else write_xlsx(tmp_path / "奉贤区.xlsx", b)
    return pa, pb


def firm(rows, firm_id):
    return next(r for r in rows["enterprises"] if r[0] == firm_id)


def test_two_districts_read_together_are_the_handmade_graph(tmp_path):
    a, b = district_rows()
    pa, pb = write_pair(tmp_path, a, b, b_csv=True)
    G = build_graph(read_sources([pb, pa]))  # the order given does not matter
    whole = build_graph(read_dataset(write_xlsx(tmp_path / "whole.xlsx", handmade_rows())))
    assert_same_graph(whole, G, ignore=("sources",))
    assert G.graph["sources"] == ["奉贤区", "普陀区.xlsx"]
    assert G.nodes["E3"]["sources"] == ["奉贤区", "普陀区.xlsx"]
    assert G.nodes["E5"]["sources"] == ["奉贤区"] and G.nodes["C1"]["sources"] == ["普陀区.xlsx"]
    assert G.edges["B1", "E3", "SUPPORTS|testing"]["sources"] == ["普陀区.xlsx"]
    assert G.nodes["district:奉贤区"]["sources"] == ["奉贤区"]


def test_per_source_values_rebuild_every_node(tmp_path):
    a, b = district_rows()
    firm(b, "E3")[2] = None  # 奉贤区 does not say E3's size: it gives no sme either
    G = build_graph(read_sources(write_pair(tmp_path, a, b)))
    values = G.graph["source_values"]
    assert set(values) == {"普陀区.xlsx", "奉贤区.xlsx"}
    assert values["奉贤区.xlsx"]["nodes"]["E3"] == {"id": "E3", "name": "浦江镀膜科技", "district": "普陀区"}
    assert values["普陀区.xlsx"]["nodes"]["E3"]["size"] == "medium"
    for node, d in G.nodes(data=True):
        union = {}
        for source in d["sources"]:
            for k, v in values[source]["nodes"][node].items():
                union.setdefault(k, v)
        labels, props = finish_node(d["label"], union)
        assert labels == d["labels"] and {**props, "sources": d["sources"]} == {k: v for k, v in d.items()
                                                                               if k not in ("label", "labels")}
    for u, v, key, props in source_rels(G, "奉贤区.xlsx"):
        assert "奉贤区.xlsx" in G.edges[u, v, key]["sources"]
        assert all(G.edges[u, v, key][k] == x for k, x in props.items())
    H = source_graph(G, "奉贤区.xlsx")
    assert H.graph["sources"] == ["奉贤区.xlsx"] and H.nodes["E5"]["sources"] == ["奉贤区.xlsx"]
    assert H.nodes["E3"]["sme"] is True and "size" not in H.nodes["E3"]  # what 奉贤区 alone says
    assert "C1" not in H and H.nodes["E6"]["sources"] == ["奉贤区.xlsx"]
    json.dumps(G.graph, ensure_ascii=False)  # provenance still serialises (node-link exports)


def test_a_reference_may_name_what_another_source_lists(tmp_path):
    a, b = district_rows()
    b["support_bodies"] = []  # 奉贤区's link to B2 names a body only 普陀区 lists
    pa, pb = write_pair(tmp_path, a, b)
    G = build_graph(read_sources([pa, pb]))
    assert G.edges["B2", "C2", "ENABLES|standards"]["sources"] == ["奉贤区.xlsx"]
    assert G.nodes["B2"]["sources"] == ["普陀区.xlsx"]
    with pytest.raises(IntakeError) as alone:
        read_dataset(pb)
    assert "B2" in str(alone.value)


def test_the_same_firm_written_two_ways_is_a_conflict_naming_both_sides(tmp_path, runner):
    a, b = district_rows()
    e3 = firm(b, "E3")
    e3[1], e3[2], e3[3], e3[4] = "浦江镀膜科技（乙区写法）", "小型", "奉贤区", "91310000MA1FL0XX09"
    pa, pb = write_pair(tmp_path, a, b)
    with pytest.raises(IntakeError) as caught:
        read_sources([pa, pb])
    conflicts = [i for i in caught.value.issues if i.message.startswith("冲突：企业“E3”")]
    assert len(conflicts) == 1  # one entity, one error: every column in it
    [issue] = conflicts
    text = str(issue)
    for part in ("普陀区.xlsx 工作表 企业 第 4 行", "奉贤区.xlsx 工作表 enterprises 第 2 行", "“浦江镀膜科技”",
                 "“浦江镀膜科技（乙区写法）”", "中型（medium）", "小型（small）", "企业名称", "规模", "所在区"):
        assert part in text, (part, text)
    assert {s[0] for s in issue.conflict} == {"普陀区.xlsx", "奉贤区.xlsx"}
    assert ("普陀区.xlsx", "企业", 4, "size", "中型（medium）") in issue.conflict  # tab in Chinese, headers in English
    assert ("奉贤区.xlsx", "enterprises", 2, "size", "小型（small）") in issue.conflict
    # E3 now shares E1's uscc from the other district: a second conflict, reported at the same time
    assert any("91310000MA1FL0XX09" in i.message and "E1" in i.message and "E3" in i.message
               for i in caught.value.issues)
    # the CLI: exit 2, every error, nothing written
    target = tmp_path / "city.xlsx"
    result = runner.invoke(main, ["merge", str(pa), str(pb), "-o", str(target)])
    assert result.exit_code == 2 and not target.exists()
    assert "冲突" in result.output and "普陀区.xlsx" in result.output and "奉贤区.xlsx" in result.output
    checked = runner.invoke(main, ["validate", str(pa), str(pb), "--format", "json"])
    assert checked.exit_code == 2
    # sources in name order: 奉贤区 before 普陀区; the entity is located in the first that gives it
    [e3_json] = [i for i in json.loads(checked.stdout) if i["message"].startswith("冲突：企业“E3”")]
    assert e3_json["source"] == "奉贤区.xlsx" and e3_json["row"] == 2 and e3_json["column"] == "name"
    assert {c["source"] for c in e3_json["conflict"]} == {"普陀区.xlsx", "奉贤区.xlsx"}


@pytest.mark.parametrize("column, value, shown", [(1, "另一个名称", "另一个名称"), (2, "large", "大型（large）"),
                                                  (3, "嘉定区", "嘉定区"), (4, "91310107MA1G00000Q", "91310107MA1G00000Q")])
def test_each_disagreeing_property_is_a_conflict(tmp_path, column, value, shown):
    a, b = district_rows()
    firm(a, "E3")[4] = "91350100M000100Y43"
    firm(b, "E3")[4] = "91350100M000100Y43"
    firm(b, "E3")[column] = value
    with pytest.raises(IntakeError) as caught:
        read_sources(write_pair(tmp_path, a, b))
    [issue] = caught.value.issues
    assert issue.source == "奉贤区.xlsx" and issue.row == 2 and "冲突" in issue.message
    assert f"奉贤区.xlsx 工作表 enterprises 第 2 行为“{shown}”" in issue.message
    assert "普陀区.xlsx 工作表 企业 第 4 行为“" in issue.message


def test_the_same_uscc_under_two_ids_is_a_conflict(tmp_path):
    a, b = district_rows()
    firm(b, "E5")[4] = "91310000MA1FL0XX09"  # E1's code (普陀区) under E5 (奉贤区)
    with pytest.raises(IntakeError) as caught:
        read_sources(write_pair(tmp_path, a, b))
    [issue] = caught.value.issues
    assert "91310000MA1FL0XX09" in issue.message and "E1" in issue.message and "E5" in issue.message
    assert "普陀区.xlsx 工作表 企业 第 2 行" in issue.message and "奉贤区.xlsx 工作表 enterprises 第 3 行" in issue.message


def test_a_blank_never_disagrees_and_normalised_values_agree(tmp_path):
    a, b = district_rows()
    e3 = firm(b, "E3")
    e3[1], e3[2], e3[3] = "浦江镀膜科技", None, None  # blank size and district: no conflict
    firm(a, "E1")[3] = "普陀"  # 普陀 and 普陀区 are one district
    b["enterprises"].append(["E1", "沪光玻璃集团", "large", "310107", None])  # 大型 = large, 310107 = 普陀区
    a["support_bodies"][0][2] = "testing；计量"  # the same services in another order
    b["support_bodies"].append(["B1", "示例计量检测中心", "计量;检验检测", None])
    G = build_graph(read_sources(write_pair(tmp_path, a, b)))
    assert G.nodes["E3"]["size"] == "medium" and G.nodes["E3"]["district"] == "普陀区"
    assert G.nodes["E1"]["district"] == "普陀区" and G.nodes["E1"]["uscc"] == "91310000MA1FL0XX09"
    assert G.nodes["E1"]["sources"] == ["奉贤区.xlsx", "普陀区.xlsx"]
    assert G.nodes["B1"]["accreditations"] == ["CMA", "CNAS"]  # given by one source only
    assert same_value(["testing", "metrology"], ["metrology", "testing"]) and not same_value(1.0, 1.5)


def test_the_same_relationship_from_two_sources_is_one_and_must_agree(tmp_path):
    a, b = district_rows()
    b["members"].append(["C1", "E3", "upstream", 1])  # 奉贤区 repeats 普陀区's membership: one relationship
    G = build_graph(read_sources(write_pair(tmp_path, a, b)))
    assert G.edges["E3", "C1", "MEMBER_OF"]["sources"] == ["奉贤区.xlsx", "普陀区.xlsx"]
    assert G.number_of_edges("E3", "C1") == 1
    b["members"][-1] = ["C1", "E3", "下游", 1]
    with pytest.raises(IntakeError) as caught:
        read_sources(write_pair(tmp_path, a, b))
    [issue] = caught.value.issues
    assert "链上成员" in issue.message and "上游（upstream）" in issue.message and "下游（downstream）" in issue.message
    assert issue.source == "奉贤区.xlsx" and issue.sheet == "members" and "普陀区.xlsx 工作表 链上成员" in issue.message


def test_row_errors_and_conflicts_of_every_source_come_at_once(tmp_path):
    a, b = district_rows()
    firm(b, "E5")[2] = "巨型"  # a bad size in 奉贤区
    firm(a, "E2")[3] = "松江区"  # and 普陀区 and 奉贤区 disagree on E3 below
    firm(b, "E3")[1] = "别名"
    a["members"].append(["C1", "E9", "upstream", 1])  # an unknown firm in 普陀区
    with pytest.raises(IntakeError) as caught:
        read_sources(write_pair(tmp_path, a, b))
    texts = [str(i) for i in caught.value.issues]
    assert any(t.startswith("来源 奉贤区.xlsx，工作表 enterprises，第 3 行，size 列") for t in texts), texts
    assert any(t.startswith("来源 普陀区.xlsx，工作表 链上成员") and "E9" in t for t in texts), texts
    assert any("冲突" in t and "别名" in t for t in texts), texts
    assert caught.value.source.startswith("普陀区.xlsx、奉贤区.xlsx") or "奉贤区.xlsx" in caught.value.source


def test_source_names_are_file_names_made_unique_by_their_folders(tmp_path):
    assert source_names(["x/2024/普陀区.xlsx", "x/2025/普陀区.xlsx", "y/奉贤区"]) == [
        "2024/普陀区.xlsx", "2025/普陀区.xlsx", "奉贤区"]
    a, b = district_rows()
    (tmp_path / "2024").mkdir()
    (tmp_path / "2025").mkdir()
    p1 = write_xlsx(tmp_path / "2024" / "区.xlsx", a)
    p2 = write_xlsx(tmp_path / "2025" / "区.xlsx", b)
    ds = read_sources([p2, p1, p1])  # the same file twice is read once
    assert ds.sources == ["2024/区.xlsx", "2025/区.xlsx"]


def test_one_workbook_still_reads_as_one_source(tmp_path):
    path = write_xlsx(tmp_path / "h.xlsx", handmade_rows())
    ds = read_sources([path])
    assert ds.sources == ["h.xlsx"] and ds.contributions is None and ds.source == str(path)
    G = build_graph(ds)
    assert G.graph["sources"] == ["h.xlsx"] and G.nodes["E3"]["sources"] == ["h.xlsx"]
    assert shown_sources(G, "E3") == []  # one workbook does not print its name on every row


# --------------------------------------------------------------------------- provenance shown

def _page_blocks(html: str) -> str:
    blocks = re.findall(r'<script type="application/json" id="qmap-[a-z]+">(.*?)</script>', html, re.S)
    return json.dumps([json.loads(b) for b in blocks], ensure_ascii=False)


def test_map_tooltips_and_lists_say_where_a_fact_came_from(tmp_path):
    from graphmodel.lists import three_lists
    from graphmodel.maps import chain_map_html

    a, b = district_rows()
    b["problems"].append(["P1", "C1", "E3", "镀膜均匀性波动", "工艺", "高", "未解决", "标准；计量", "2024-06-10", None])
    G = build_graph(read_sources(write_pair(tmp_path, a, b)))
    assert shown_sources(G, "E3") == ["奉贤区.xlsx", "普陀区.xlsx"]
    page = _page_blocks(chain_map_html(G, "C1"))
    assert '["来源", "奉贤区.xlsx、普陀区.xlsx"]' in page and '["来源", "普陀区.xlsx"]' in page
    single = build_graph(read_dataset(write_xlsx(tmp_path / "h.xlsx", handmade_rows())))
    assert '"来源"' not in _page_blocks(chain_map_html(single, "C1"))
    problems = three_lists(G, "C1")["质量问题清单"].set_index("问题编号")
    assert problems.loc["P1", "来源"] == "奉贤区.xlsx；普陀区.xlsx" and problems.loc["P2", "来源"] == "普陀区.xlsx"


# --------------------------------------------------------------------------- qmap load of several sources

def test_load_reads_several_workbooks_as_one_graph(neo4j_db, runner, tmp_path):
    a, b = district_rows()
    pa, pb = write_pair(tmp_path, a, b)
    result = runner.invoke(main, ["load", str(pa), str(pb), "-q"])
    assert result.exit_code == 0, result.output
    G = build_graph(read_sources([pa, pb]))
    H = neo4j_db.read_graph()
    assert_same_graph(G, H)
    assert H.nodes["E3"]["sources"] == ["奉贤区.xlsx", "普陀区.xlsx"]
    # two districts that disagree: refused before anything is written
    neo4j_db.wipe()
    firm(b, "E3")[2] = "小型"
    (tmp_path / "x").mkdir()
    pa, pb = write_pair(tmp_path / "x", a, b)
    refused = runner.invoke(main, ["load", str(pa), str(pb)])
    assert refused.exit_code == 2 and "冲突" in refused.output
    assert neo4j_db.query("MATCH (n) RETURN count(n)")[1] == [[0]]


@pytest.mark.parametrize("order", [("普陀区.xlsx", "奉贤区.xlsx"), ("奉贤区.xlsx", "普陀区.xlsx")])
def test_loading_districts_one_by_one_keeps_what_the_other_sized(neo4j_db, tmp_path, order):
    # 普陀区 sizes the shared firm E3 large (no SME) and marks C1 key; 奉贤区 leaves E3's size
    # blank, so alone it would make E3 an SME. Loaded one by one, in either order, the server
    # holds what the two read together give: a blank neither overwrites nor clashes.
    a, b = district_rows()
    firm(a, "E3")[2] = "large"
    firm(b, "E3")[2] = None
    pa, pb = write_pair(tmp_path, a, b)
    paths = {"普陀区.xlsx": pa, "奉贤区.xlsx": pb}
    together = build_graph(read_sources([pa, pb]))
    assert together.nodes["E3"]["sme"] is False
    for name in order:
        neo4j_db.load(build_graph(read_dataset(paths[name])))
    assert_same_graph(together, neo4j_db.read_graph())
    # 普陀区 reloaded with E3's size left blank: no source sizes it now -- an SME again
    firm(a, "E3")[2] = None
    (tmp_path / "x").mkdir()
    pa2, pb2 = write_pair(tmp_path / "x", a, b)
    neo4j_db.load(build_graph(read_dataset(pa2)))
    H = neo4j_db.read_graph()
    assert H.nodes["E3"]["sme"] is True and "size" not in H.nodes["E3"]
    assert_same_graph(build_graph(read_sources([pa2, pb2])), H)
