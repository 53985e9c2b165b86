"""The three lists of the notice (三张清单): quality problems, key projects, policy tools.

``three_lists(G, chain)`` gives them as DataFrames with Chinese headers and Chinese
enumerations (dates as :class:`datetime.date`, progress as a share 0–1); ``write_lists``
writes one workbook per chain and one city-wide, each sheet a formal document ready to
hand over: a title block (list name, chain, 链长单位, 填报单位, 填报日期), the table with its
header row frozen, filtered and repeated on every printed page, real Excel numbers and
dates (progress as a percentage), wrapped text, A4 landscape fitted to the page width,
page numbers, and the definitions under the table.

>>> lists = three_lists(G, "SH01")            # doctest: +SKIP
>>> list(lists)                                # doctest: +SKIP
['质量问题清单', '重点攻关项目清单', '质量政策工具清单']
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import networkx as nx
import pandas as pd

from . import analyses, model
from .files import graph_inputs, inert_sheet, output_folder, safe_names
from .headline import footnotes
from .text import display_width, enum_word, name_with_id, services_text

__all__ = ["three_lists", "write_lists", "list_filenames", "LIST_NAMES", "LIST_FOOTNOTES", "CITY_LISTS", "TITLE_ROWS",
           "title_block"]

LIST_NAMES = ("质量问题清单", "重点攻关项目清单", "质量政策工具清单")
CITY_LISTS = "全市-三张清单.xlsx"

#: The definitions printed under each list (the same words as every other output).
LIST_FOOTNOTES = {
    "质量问题清单": footnotes(["unresolved", "open", "in_progress", "resolved", "coverage"])
    + ["覆盖情况：未覆盖 = 所需服务均无机构覆盖；部分覆盖 = 部分所需服务无机构覆盖；已覆盖 = 所需服务均有机构覆盖；"
       "已解决 = 问题已解决。"],
    "重点攻关项目清单": ["进度：项目完成程度，0–100%。"],
    # 整改措施 / 责任单位 / 完成时限 come from the problems sheet as the district filled them in.
    "质量政策工具清单": ["适用对象：本链、本链成员企业或本链攻关项目中，该政策工具适用的对象。"],
}


def _names(G, ids) -> str:
    return "；".join(name_with_id(G.nodes[i].get("name"), i) for i in ids)


def _date(value):
    """An ISO date (as intake stores it) as a :class:`datetime.date`; anything else as it is."""
    if isinstance(value, dt.date) or value is None or value == "":
        return value or None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return value


def _sources(G, node) -> str:
    return "；".join(model.shown_sources(G, node))


def three_lists(G: nx.MultiDiGraph, chain: str | None = None) -> dict[str, pd.DataFrame]:
    """The three lists for one chain, or for every chain (``chain=None``)."""
    chains = [model.resolve_chain(G, chain)] if chain is not None else model.chains(G)
    problems, projects, tools = [], [], []
    for chain_id in chains:
        chain_name = G.nodes[chain_id]["name"]
        for pid, coverage in analyses.chain_coverage(G, chain_id).items():
            p = G.nodes[pid]
            firm = model.problem_firm(G, pid)
            problems.append({
                "产业链编号": chain_id, "产业链": chain_name, "问题编号": pid, "问题": p["title"],
                "涉及企业": _names(G, [firm] if firm else []), "类别": enum_word("category", p.get("category")),
                "严重程度": enum_word("severity", p.get("severity")),
                "状态": enum_word("problem_status", p.get("status")),
                "所需服务": services_text(p.get("needs", [])), "覆盖情况": coverage.zh,
                "缺少的服务": services_text(coverage.missing),
                "赋能机构": _names(G, model.addressing_bodies(G, pid)), "攻关项目": _names(G, model.problem_projects(G, pid)),
                # measures / owner_unit / deadline: optional columns of the problems sheet
                "整改措施": p.get("measures") or "", "责任单位": p.get("owner_unit") or "",
                "完成时限": _date(p.get("deadline")),
                "提出日期": _date(p.get("raised_on")), "解决日期": _date(p.get("resolved_on")),
                "来源": _sources(G, pid),
            })
        for kid in model.chain_projects(G, chain_id):
            k = G.nodes[kid]
            progress = k.get("progress")
            projects.append({
                "产业链编号": chain_id, "产业链": chain_name, "项目编号": kid, "项目名称": k["title"],
                "牵头企业": _names(G, model.project_lead(G, kid)),
                "攻关问题": _names(G, model.project_problems(G, kid)),
                "合作机构": _names(G, model.project_partners(G, kid)),
                "状态": enum_word("project_status", k.get("status")), "完成期限": _date(k.get("due")),
                "进度": progress, "来源": _sources(G, kid),
            })
        for tid, here in model.chain_policy_tools(G, chain_id).items():
            t = G.nodes[tid]
            tools.append({
                "产业链编号": chain_id, "产业链": chain_name, "工具编号": tid, "政策工具": t["name"],
                "类型": enum_word("kind", t.get("kind")), "发布单位": t.get("issuer", ""), "适用对象": _names(G, here),
                "来源": _sources(G, tid),
            })
    frames = [pd.DataFrame(rows) for rows in (problems, projects, tools)]
    columns = (["产业链编号", "产业链", "问题编号", "问题", "涉及企业", "类别", "严重程度", "状态", "所需服务",
                "覆盖情况", "缺少的服务", "赋能机构", "攻关项目", "整改措施", "责任单位", "完成时限", "提出日期",
                "解决日期", "来源"],
               ["产业链编号", "产业链", "项目编号", "项目名称", "牵头企业", "攻关问题", "合作机构", "状态",
                "完成期限", "进度", "来源"],
               ["产业链编号", "产业链", "工具编号", "政策工具", "类型", "发布单位", "适用对象", "来源"])
    frames = [f.reindex(columns=c) for f, c in zip(frames, columns)]
    # 来源 only where some row knows its sources (the consolidation of many workbooks records them).
    frames = [f if f["来源"].fillna("").astype(bool).any() else f.drop(columns="来源") for f in frames]
    for frame in frames:
        frame.insert(0, "序号", range(1, len(frame) + 1))
    return dict(zip(LIST_NAMES, frames))


#: Rows above the table: the list's name, then chain / 链长单位 and 填报单位 / 填报日期; the header row follows.
TITLE_ROWS = 3
_DATE_COLUMNS = {"完成时限", "提出日期", "解决日期", "完成期限"}
_PERCENT_COLUMNS = {"进度"}
_WRAP_LIMIT = 40  # columns wider than this wrap their text


def title_block(G: nx.MultiDiGraph, chains: list[str], unit: str | None = None) -> dict[str, str]:
    """产业链 / 链长单位 / 填报单位 of a workbook over ``chains``: one chain by its name and id;
    several as 全市（N 条）. 填报单位 defaults to the chains' leaders (链长单位)."""
    leaders = list(dict.fromkeys(G.nodes[c].get("leader") for c in chains if G.nodes[c].get("leader")))
    if len(chains) == 1:
        chain = name_with_id(G.nodes[chains[0]].get("name"), chains[0])
    else:
        chain = f"全市（{len(chains)} 条产业链）"
    leader = "、".join(leaders[:3]) + (f" 等 {len(leaders)} 个单位" if len(leaders) > 3 else "")
    return {"产业链": chain, "链长单位": leader or "—", "填报单位": unit or leader or "—"}


def _workbook_bytes(lists: dict[str, pd.DataFrame], block: dict[str, str], date: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    wb.remove(wb.active)
    fills = {"未覆盖": "F8D7DA", "部分覆盖": "FFF3CD", "已覆盖": "FFF8E1", "已解决": "D4EDDA"}
    thin = Side(style="thin", color="9AA5B1")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_row = TITLE_ROWS + 1
    for title, frame in lists.items():
        ws = wb.create_sheet(title)
        columns = list(frame.columns)
        last = get_column_letter(len(columns))
        half = max(3, len(columns) // 2)  # the title block's second label sits mid-table

        # The title block: the list's name, then label/value pairs (the date a real date).
        ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=16)
        ws.merge_cells(f"A1:{last}1")
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 28
        pairs = ((2, "产业链", block["产业链"], "链长单位", block["链长单位"]),
                 (3, "填报单位", block["填报单位"], "填报日期", date))
        for row, label_a, value_a, label_b, value_b in pairs:
            for col, label, value, span_end in ((1, label_a, value_a, half - 1), (half, label_b, value_b,
                                                                                  len(columns))):
                ws.cell(row=row, column=col, value=label).font = Font(bold=True)
                cell = ws.cell(row=row, column=col + 1, value=value)
                cell.alignment = Alignment(horizontal="left", vertical="center")
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                if span_end > col + 1:
                    ws.merge_cells(start_row=row, start_column=col + 1, end_row=row, end_column=span_end)

        ws.append(columns)
        for values in frame.itertuples(index=False, name=None):
            ws.append([None if v is None or v == "" or (isinstance(v, float) and pd.isna(v)) else v
                       for v in values])
        last_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1F4E9C")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = grid
        for index, column in enumerate(columns, 1):
            letter = get_column_letter(index)
            cells = [ws.cell(row=r, column=index) for r in range(header_row + 1, last_row + 1)]
            if column in _DATE_COLUMNS:
                width = 12
                for cell in cells:
                    if isinstance(cell.value, dt.date):
                        cell.number_format = "yyyy-mm-dd"
            elif column in _PERCENT_COLUMNS:
                width = max(8, len(column) * 2 + 2)
                for cell in cells:
                    cell.number_format = "0%"
            else:
                widest = max([display_width(column)] + [display_width(v) for v in frame[column].tolist()])
                width = min(_WRAP_LIMIT, max(6, widest + 2))
            if index == 1:
                width = max(width, display_width("填报单位") + 2)  # the title block's labels
            ws.column_dimensions[letter].width = width
            for cell in cells:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
                cell.border = grid
        if "覆盖情况" in columns:
            col = columns.index("覆盖情况") + 1
            for r in range(header_row + 1, last_row + 1):
                cell = ws.cell(row=r, column=col)
                if cell.value in fills:
                    cell.fill = PatternFill("solid", fgColor=fills[cell.value])
        inert_sheet(ws)  # user text never becomes a live formula
        ws.freeze_panes = f"A{header_row + 1}"
        ws.auto_filter.ref = f"A{header_row}:{last}{last_row}"

        # Printing: A4 landscape, every column on the page width, the header row on every page.
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddHeader.center.text = title

        # The definitions, under the table (outside the filter range): the same words as every output.
        ws.append([])
        for line in LIST_FOOTNOTES.get(title, []):
            ws.append(["注：" + line])
            ws.cell(row=ws.max_row, column=1).font = Font(italic=True, color="555555")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def list_filenames(chain_ids) -> dict[str, str]:
    """Chain id → its workbook's name (``<id>-三张清单.xlsx``, safe, distinct, never the city-wide one)."""
    return safe_names(chain_ids, "-三张清单.xlsx", reserved=[CITY_LISTS])


def write_lists(G: nx.MultiDiGraph, out_dir, chains: list[str] | None = None, unit: str | None = None,
                date: dt.date | None = None, *, force: bool = False) -> list[Path]:
    """One workbook per chain (``<id>-三张清单.xlsx``) and, for several chains, ``全市-三张清单.xlsx``.

    ``unit`` is the 填报单位 of the title block (default: the chains' 链长单位), ``date`` its
    填报日期 (default: today). The workbooks are built in a staging folder and appear in
    ``out_dir`` together. An existing file is replaced only with ``force``, and then only one
    qmap wrote (without ``chains``, the earlier set's stale workbooks go too).
    """
    every = model.chains(G)
    chosen = [model.resolve_chain(G, c) for c in chains] if chains else every
    date = date or dt.date.today()
    names = list_filenames(every)
    written = []
    with output_folder(out_dir, key=None if chains else "lists", force=force, inputs=graph_inputs(G)) as out:
        for chain_id in chosen:
            written.append(out.write_bytes(names[chain_id], _workbook_bytes(
                three_lists(G, chain_id), title_block(G, [chain_id], unit), date)))
        if len(chosen) > 1:
            city = three_lists(G)
            if set(chosen) != set(every):
                city = {k: v[v["产业链编号"].isin(chosen)].assign(序号=lambda f: range(1, len(f) + 1))
                        for k, v in city.items()}
            written.append(out.write_bytes(CITY_LISTS, _workbook_bytes(city, title_block(G, chosen, unit), date)))
    return written
