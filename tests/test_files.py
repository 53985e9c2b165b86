"""The output layer (graphmodel.files), at the library level: safe names, the overwrite and
--force rules, staging and rollback, inert spreadsheet cells.

Hostile ids here are put into graphs directly (graphmodel.model.add_node / relabelled nodes),
never through the intake, so these guarantees hold for a notebook that builds its own graph.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

import networkx as nx
import openpyxl
import pytest

from graphmodel import files
from graphmodel.export import FORMATS, ExportExists, export_chain
from graphmodel.files import (MANIFEST, MAX_NAME_BYTES, OutputError, csv_text, output_folder, protect_input,
                              command_inputs, safe_name, safe_names, write_file)
from graphmodel.intake import read_dataset, read_tables
from graphmodel.lists import write_lists
from graphmodel.maps import map_filenames, write_chain_map, write_maps
from graphmodel.model import add_node, build_graph, nodes_of
from graphmodel.report import _md_table, write_report
from graphmodel.workbook import write_workbook
from handmade import handmade_rows, write_xlsx

# --------------------------------------------------------------------------- hostile ids

#: Ids a notebook could put in a graph. The intake rejects several (path characters, control
#: characters, > 64 characters, ids differing only by case); the writers must be safe anyway.
HOSTILE = [
    "../../escaped", "../etc/passwd", "/etc/passwd", "C:\\Windows\\win.ini", "\\\\server\\share\\x", "..", ".",
    "...", "CON", "nul", "Com1", "LPT9.txt", "aux.tar.gz", "COM¹", 'a<b>c:d"e|f?g*h', "tab\there",
    "new\nline", "nul\x00byte", "bell\x07", "zero\u200bwidth", "rtl\u202egnp.exe", "x" * 300, "链" * 130,
    "x" * 299 + "y", "链" * 129 + "条", "A.1", "A.2", "SH1", "sh1", "trailing.", ".hidden", "-rf",
    "index", "全市", "\u00e9t\u00e9", "e\u0301te\u0301", "~", "$HOME", "%2e%2e%2f", "浦东-01",
]
#: Ids with surrounding spaces (the model trims what it is asked for, so a graph holds no such id): names only.
SPACED = ["con ", "trailing ", " lead"]
#: Characters no name may contain: path separators, those Windows forbids, and every control character.
FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e]')
DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in "0123456789¹²³")}


def assert_safe(name: str) -> None:
    assert not FORBIDDEN.search(name), name
    assert ".." not in name and not name.startswith(".") and not name.endswith((".", " ")), name
    assert name.split(".")[0].rstrip(" ").upper() not in DEVICES, name
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES, (name, len(name.encode("utf-8")))
    assert name == unicodedata.normalize("NFC", name)


def every_file(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def hostile_graph(ids=HOSTILE) -> nx.MultiDiGraph:
    """The handmade graph with its two chains renamed to the first two ids, plus one empty chain per other id."""
    G = build_graph(read_dataset_rows())
    mapping = {"C1": ids[0], "C2": ids[1]}
    H = nx.relabel_nodes(G, mapping, copy=True)
    for new in mapping.values():
        H.nodes[new]["id"] = new
    for _, _, d in H.edges(data=True):
        d["chain"] = mapping.get(d.get("chain"), d.get("chain"))
    for seq, chain_id in enumerate(ids[2:], 3):
        add_node(H, chain_id, ("Chain",), seq=seq, name=f"链 {chain_id!r}", key=False)
    H.graph["source"] = "<hostile>"
    return H


def read_dataset_rows():
    return read_tables({sheet: [dict(zip(_headers(sheet), row)) for row in rows]
                        for sheet, rows in handmade_rows().items()})


def _headers(sheet):
    from handmade import HEADERS

    return HEADERS[sheet]


@pytest.fixture(scope="module")
def G():
    return hostile_graph()


# --------------------------------------------------------------------------- safe names

@pytest.mark.parametrize("chain_id", HOSTILE + SPACED, ids=[repr(i)[:30] for i in HOSTILE + SPACED])
def test_every_hostile_id_gets_a_safe_name(chain_id, tmp_path):
    name = safe_name(chain_id, ".html")
    assert_safe(name)
    assert name.endswith(".html")
    (tmp_path / name).write_text("x", encoding="utf-8")  # a real file of that name, right here
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_names_in_one_folder_are_distinct_ignoring_case_and_unicode_form():
    names = safe_names(HOSTILE + SPACED, ".html", reserved=["index.html"])
    assert set(names) == set(HOSTILE + SPACED)
    folded = [unicodedata.normalize("NFC", n).casefold() for n in names.values()]
    assert len(set(folded)) == len(names) and "index.html" not in folded
    for name in names.values():
        assert_safe(name)


def test_collisions_get_a_stable_hash_and_exact_names_stay_readable():
    names = safe_names(["SH1", "sh1", "A.1", "A.2", "浦东-01", "a/b", "a_b"], ".html")
    assert names["A.1"] == "A.1.html" and names["A.2"] == "A.2.html" and names["浦东-01"] == "浦东-01.html"
    assert names["SH1"].startswith("SH1-") and names["sh1"].startswith("sh1-")  # both spelled exactly: both marked
    assert names["a_b"] == "a_b.html" and re.fullmatch(r"a_b-[0-9a-f]{8}\.html", names["a/b"])
    again = safe_names(["a_b", "a/b", "A.2", "sh1", "浦东-01", "SH1", "A.1"], ".html")  # order does not matter
    assert again == names


def test_long_ids_are_cut_with_a_hash_of_the_whole_id():
    latin = safe_names(["x" * 300, "x" * 299 + "y"], ".html")
    chinese = safe_names(["链" * 130, "链" * 129 + "条"], "-三张清单.xlsx")
    for name in [*latin.values(), *chinese.values()]:
        assert_safe(name)
    assert len(set(latin.values())) == 2 and len(set(chinese.values())) == 2
    assert all(n.startswith("链" * 20) for n in chinese.values())  # still readable


def test_reserved_names_of_the_folder_are_never_given_to_an_id():
    assert map_filenames(["index", "C1"])["index"] != "index.html"
    from graphmodel.lists import list_filenames

    assert list_filenames(["全市", "C1"])["全市"] != "全市-三张清单.xlsx"


# --------------------------------------------------------------------------- writers on hostile graphs

def test_maps_of_hostile_ids_stay_inside_and_none_is_lost(G, tmp_path):
    out = tmp_path / "out" / "maps"
    write_maps(G, out)
    found = every_file(tmp_path)
    assert all(k.startswith("out/maps/") for k in found)
    chains = nodes_of(G, "Chain")
    pages = [k for k in found if k.endswith(".html") and not k.endswith("/index.html")]
    assert len(pages) == len(chains)
    for page in pages:
        assert_safe(page.rsplit("/", 1)[1])
    index = (out / "index.html").read_text("utf-8")
    from urllib.parse import unquote

    hrefs = set(re.findall(r'href="([^"#]+\.html)"', index))
    assert {unquote(h) for h in hrefs} == {p.rsplit("/", 1)[1] for p in pages}  # every link resolves


def test_lists_and_report_of_hostile_ids_stay_inside_and_none_is_lost(tmp_path):
    ids = [i for i in HOSTILE if not re.search(r"[\x00-\x1f]", i)]  # no control characters in Excel cells
    H = hostile_graph(ids)
    write_lists(H, tmp_path / "lists")
    write_report(H, 2025, tmp_path / "report")
    found = every_file(tmp_path)
    assert all(k.startswith(("lists/", "report/")) for k in found)
    workbooks = [k for k in found if k.startswith("lists/") and k.endswith(".xlsx")]
    assert len(workbooks) == len(ids) + 1  # one per chain and the city-wide one
    chain_reports = [k for k in found if k.startswith("report/chains/")]
    assert len(chain_reports) == 3 * len(ids) + 1  # .md, .html and .docx per chain, and the manifest
    for name in workbooks + [k for k in chain_reports if not k.endswith(MANIFEST)]:
        assert_safe(name.rsplit("/", 1)[1])


def test_lists_with_a_control_character_fail_whole(tmp_path):
    H = hostile_graph(["ok", "bell\x07"])
    out = tmp_path / "lists"
    out.mkdir()
    (out / "notes.docx").write_bytes(b"mine")
    with pytest.raises(Exception):
        write_lists(H, out)  # Excel cannot hold a control character; the intake rejects them
    assert every_file(tmp_path) == {"lists/notes.docx": b"mine"}


@pytest.mark.parametrize("fmt", ["html", "dot", "mermaid", "json", "csv"])
def test_exports_of_hostile_ids_through_the_output_layer(G, tmp_path, fmt):
    chains = nodes_of(G, "Chain")[:12]
    names = safe_names(chains, FORMATS[fmt].suffix or f"-{fmt}")
    with output_folder(tmp_path / fmt, key=f"export-{fmt}") as out:
        for chain_id in chains:
            export_chain(G, chain_id, fmt, out.path(names[chain_id]))
    tops = {k.split("/")[1] for k in every_file(tmp_path)}
    assert tops == set(names.values()) | {MANIFEST}
    assert all(k.startswith(f"{fmt}/") for k in every_file(tmp_path))


def test_a_name_that_is_not_a_plain_file_name_is_refused(tmp_path):
    with output_folder(tmp_path / "x") as out:
        for bad in ("../up", "a/b", "..", "", MANIFEST, ".qmap-staging-1"):
            with pytest.raises(OutputError):
                out.path(bad)
    assert not (tmp_path / "x").exists() and list(tmp_path.iterdir()) == []


def test_a_symlink_inside_the_folder_cannot_lead_outside(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "chains").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError, match="not a folder|outside"):
        with output_folder(out, force=True) as o:
            o.write_text("x.md", "x", "chains")
    assert list(outside.iterdir()) == []


# --------------------------------------------------------------------------- overwrite and --force

def test_a_set_is_replaced_only_with_force_and_only_qmaps_files(tmp_path):
    out = tmp_path / "set"
    with output_folder(out, key="k") as o:
        o.write_text("a.txt", "A1")
        o.write_text("b.txt", "B1")
    (out / "notes.docx").write_bytes(b"analyst")
    with pytest.raises(ExportExists):
        with output_folder(out, key="k") as o:
            o.write_text("a.txt", "A2")
    assert (out / "a.txt").read_text() == "A1"
    with output_folder(out, key="k", force=True) as o:  # b.txt is not in the new set: stale, removed
        o.write_text("a.txt", "A2")
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "a.txt", "notes.docx"]
    assert (out / "notes.docx").read_bytes() == b"analyst" and (out / "a.txt").read_text() == "A2"


def test_force_never_replaces_a_file_qmap_did_not_write_or_that_was_changed(tmp_path):
    out = tmp_path / "set"
    out.mkdir()
    (out / "a.txt").write_text("mine")
    with pytest.raises(OutputError, match="not written by qmap"):
        with output_folder(out, key="k", force=True) as o:
            o.write_text("a.txt", "qmap")
    assert (out / "a.txt").read_text() == "mine"
    with output_folder(out, key="k") as o:
        o.write_text("b.txt", "qmap")
    (out / "b.txt").write_text("edited by hand")
    with pytest.raises(OutputError, match="changed since"):
        with output_folder(out, key="k", force=True) as o:
            o.write_text("b.txt", "qmap again")
    assert (out / "b.txt").read_text() == "edited by hand"
    with output_folder(out, key="k", force=True) as o:  # a stale file edited by hand is kept, too
        o.write_text("c.txt", "qmap")
    assert (out / "b.txt").read_text() == "edited by hand" and (out / "a.txt").read_text() == "mine"


def test_a_forged_manifest_cannot_point_outside(tmp_path):
    out = tmp_path / "set"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    forged = {"files": {"../victim.txt": {"set": "k", "sha256": "0" * 64, "size": 4}},
              "folders": {"..": {"set": "k"}}}
    (out / MANIFEST).write_text(json.dumps(forged))
    with output_folder(out, key="k", force=True) as o:
        o.write_text("a.txt", "x")
    assert victim.read_text() == "keep" and (out / "a.txt").read_text() == "x"


def test_inputs_are_never_targets_even_with_force(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", handmade_rows())
    G = build_graph(read_dataset(path))  # G.graph["source"] names the workbook
    before = path.read_bytes()
    with pytest.raises(OutputError, match="input"):
        write_chain_map(G, "C1", path, force=True)
    with pytest.raises(OutputError, match="input"):
        export_chain(G, "C1", "dot", path, force=True)
    (tmp_path / "data").mkdir()
    with command_inputs():
        protect_input(tmp_path / "data")
        with pytest.raises(OutputError, match="input"):
            write_file(tmp_path / "data" / "x.txt", "x", force=True)  # inside an input folder (of CSV files)
    assert path.read_bytes() == before and list((tmp_path / "data").iterdir()) == []


def test_explicit_file_writers_keep_their_replace_default(tmp_path):
    # A path the caller names is replaced (a notebook re-runs its cells); force=False refuses.
    G = build_graph(read_dataset(write_xlsx(tmp_path / "in.xlsx", handmade_rows())))
    target = tmp_path / "c1.html"
    target.write_text("old")
    write_chain_map(G, "C1", target)
    assert target.read_text("utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(ExportExists):
        write_chain_map(G, "C1", target, force=False)
    with pytest.raises(ExportExists):
        write_workbook({}, target, force=False)


def test_an_explicit_rewrite_keeps_the_folders_record_true(tmp_path):
    out = tmp_path / "set"
    with output_folder(out) as o:
        o.write_text("a.txt", "one")
    write_file(out / "a.txt", "two", force=True)
    with output_folder(out, force=True) as o:  # still qmap's, so --force may replace it
        o.write_text("a.txt", "three")
    assert (out / "a.txt").read_text() == "three"


# --------------------------------------------------------------------------- whole or nothing

def test_a_failing_writer_leaves_the_previous_set(tmp_path):
    out = tmp_path / "set"
    with output_folder(out, key="k") as o:
        o.write_text("a.txt", "A1")
        o.write_text("b.txt", "B1")
    before = every_file(tmp_path)
    with pytest.raises(RuntimeError):
        with output_folder(out, key="k", force=True) as o:
            o.write_text("a.txt", "A2")
            raise RuntimeError("a writer broke half way")
    assert every_file(tmp_path) == before
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "a.txt", "b.txt"]  # no staging left


def test_a_failed_first_write_leaves_nothing_not_even_folders(tmp_path):
    with pytest.raises(RuntimeError):
        with output_folder(tmp_path / "a" / "b" / "maps") as o:
            o.write_text("x.html", "x")
            raise RuntimeError("broke")
    assert list(tmp_path.iterdir()) == []


def test_a_commit_that_fails_half_way_is_rolled_back(tmp_path, monkeypatch):
    out = tmp_path / "set"
    with output_folder(out, key="k") as o:
        for name in ("a.txt", "b.txt", "c.txt"):
            o.write_text(name, name + "1")
        o.write_text("d.md", "d1", "chains")
    before = every_file(tmp_path)
    real_replace = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if Path(src) == out / "c.txt":  # on Windows, c.txt is open in Excel: it cannot be moved
            raise PermissionError(13, "Permission denied", str(src), None, str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", flaky)
    with pytest.raises(OutputError) as caught:
        with output_folder(out, key="k", force=True) as o:
            for name in ("a.txt", "b.txt", "c.txt"):
                o.write_text(name, name + "2")
            o.write_text("d.md", "d2", "chains")
    monkeypatch.setattr(files.os, "replace", real_replace)
    assert caught.value.status == 1 and "c.txt" in str(caught.value) and "没有权限" in str(caught.value)
    assert any(Path(c).name == "a.txt" for c in calls)  # a.txt had been replaced, and was put back
    assert every_file(tmp_path) == before
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "a.txt", "b.txt", "c.txt", "chains"]


def test_leftovers_of_a_killed_run_are_swept(tmp_path):
    out = tmp_path / "set"
    with output_folder(out) as o:
        o.write_text("a.txt", "A")
    dead = 2 ** 22 + 12345  # above pid_max: no such process
    (out / f".qmap-staging-{dead}-abc").mkdir()
    (out / f".qmap-staging-{dead}-abc" / "half.txt").write_text("half")
    (tmp_path / f".other.qmap-staging-{dead}-x").mkdir()
    with output_folder(out, force=True) as o:
        o.write_text("b.txt", "B")
    with output_folder(tmp_path / "other") as o:
        o.write_text("c.txt", "C")
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "a.txt", "b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "set"]


def test_dot_folder_output_leaves_no_stray_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.txt").write_text("mine")
    for _ in range(2):
        with output_folder(".", key="k", force=True) as o:
            o.write_text("a.txt", "A")
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "a.txt", "mine.txt"]
    # Nothing of ours beside the folder either (other tests' folders there may have "qmap" in their names).
    assert [p.name for p in tmp_path.parent.iterdir() if p.name.startswith(".") and ("qmap" in p.name or ".old"
                                                                                       in p.name)] == []


def test_os_errors_become_one_line_naming_the_path(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError) as under_file:
        write_file(tmp_path / "afile" / "sub" / "x.txt", "x")
    with pytest.raises(OutputError) as onto_file:
        with output_folder(tmp_path / "afile") as o:
            o.write_text("x.txt", "x")
    with pytest.raises(OutputError) as too_long:
        write_file(tmp_path / ("名" * 100 + ".txt"), "x")
    for error, where, cause in ((under_file, "afile/sub/x.txt", "不是文件夹"), (onto_file, "afile", "is not a folder"),
                                (too_long, "名名名", "name too long")):
        text = str(error.value)
        assert "\n" not in text and where in text and cause in text and text.startswith("无法写入 cannot write ")
        assert error.value.status == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


# --------------------------------------------------------------------------- cells for people

FORMULAS = ['=HYPERLINK("http://x","click")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=1+1"]


def test_lists_cells_are_text_never_formulas(tmp_path):
    rows = handmade_rows()
    for row, text in zip(rows["problems"], FORMULAS):
        row[3] = text
    rows["enterprises"][2][1] = "-浦江镀膜科技"  # E3, affected by P1
    G = build_graph(read_tables({s: [dict(zip(_headers(s), r)) for r in rs] for s, rs in rows.items()}))
    write_lists(G, tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "全市-三张清单.xlsx")["质量问题清单"]
    body = [row for row in ws.iter_rows(min_row=2) if isinstance(row[0].value, int)]  # not the footnotes
    assert len(body) == 3 and all(row[0].data_type == "n" for row in body)  # 序号 stays a number
    titles = {row[4].value: row[4] for row in body}  # 问题
    assert set(titles) == set(FORMULAS[:3])
    for text, cell in titles.items():
        assert cell.data_type == "s" and cell.quotePrefix, text
    firms = [row[5] for row in body if str(row[5].value).startswith("-")]  # 涉及企业
    assert firms and all(c.data_type == "s" and c.quotePrefix for c in firms)
    plain = body[0][3]  # 问题编号 P1: ordinary text keeps its ordinary style
    assert plain.value == "P1" and not plain.quotePrefix
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_template_and_demo_workbooks_store_formula_text_as_text_and_read_it_back(tmp_path):
    rows = handmade_rows()
    tables = {s: [dict(zip(_headers(s), r)) for r in rs] for s, rs in rows.items()}
    tables["problems"][0]["title"] = '=HYPERLINK("http://x","click")'
    tables["problems"][1]["title"] = "-5 批次不合格"
    tables["supplies"][0]["product"] = "@SUM(A1)"
    tables["enterprises"][1]["name"] = "+86 贸易"
    import pandas as pd

    path = write_workbook({k: pd.DataFrame(v) for k, v in tables.items()}, tmp_path / "filled.xlsx")
    wb = openpyxl.load_workbook(path)
    typed = {'=HYPERLINK("http://x","click")', "-5 批次不合格", "@SUM(A1)", "+86 贸易"}
    every = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    cells = [c for c in every if c.value in typed]
    assert len(cells) == 4 and all(c.data_type == "s" and c.quotePrefix for c in cells)
    # The only live formulas are the template's own pick-list columns, never a typed value.
    live = [c for c in every if c.data_type == "f"]
    assert live and all(c.value.startswith(("=IF(", "=IFERROR(", "=COUNTIF(")) for c in live), {c.value for c in live}
    ds = read_dataset(path)  # the intake reads the text exactly as written
    assert ds["problems"]["title"].tolist()[:2] == ['=HYPERLINK("http://x","click")', "-5 批次不合格"]
    assert ds["supplies"]["product"].tolist()[0] == "@SUM(A1)" and ds["enterprises"]["name"].tolist()[1] == "+86 贸易"
    assert read_dataset(write_workbook({}, tmp_path / "blank.xlsx")).counts()["chains"] == 0


def test_csv_text_follows_owasp():
    assert [csv_text(t) for t in FORMULAS] == ["'" + t for t in FORMULAS]
    assert csv_text("普通") == "普通" and csv_text("a=b") == "a=b" and csv_text("") == ""


def test_neo4j_admin_csv_keeps_values_exact(tmp_path):
    rows = handmade_rows()
    rows["problems"][0][3] = "=1+1"
    G = build_graph(read_tables({s: [dict(zip(_headers(s), r)) for r in rs] for s, rs in rows.items()}))
    folder = export_chain(G, "C1", "csv", tmp_path / "c1")
    import csv

    with open(folder / "nodes_Problem.csv", encoding="utf-8", newline="") as f:
        titles = [r["title"] for r in csv.DictReader(f)]
    assert "=1+1" in titles


def test_markdown_tables_escape_pipes_and_line_breaks():
    rows = [["名称", "说明"], ["a|b", "第一行\n第二行"], ["c\\|d", "x\r\ny"]]
    lines = _md_table(rows)
    assert len(lines) == 4
    for line in lines:
        assert len(re.findall(r"(?<!\\)(?:\\\\)*\|", line)) == 3  # the cells' own pipes are escaped
    assert "第一行<br>第二行" in lines[2] and "a\\|b" in lines[2] and "c\\\\\\|d" in lines[3]
