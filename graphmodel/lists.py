"""The three lists of the notice (三张清单): quality problems, key projects, policy tools.

``three_lists(G, chain)`` gives them as DataFrames with Chinese headers and Chinese
enumerations; ``write_lists`` writes one formatted workbook per chain and one
city-wide (frozen header, filters, column widths fitted to Chinese text).

>>> lists = three_lists(G, "SH01")            # doctest: +SKIP
>>> list(lists)                                # doctest: +SKIP
['质量问题清单', '重点攻关项目清单', '质量政策工具清单']
"""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
import pandas as pd

from . import analyses, model
from .files import graph_inputs, inert_sheet, output_folder, safe_names
from .headline import footnotes
from .text import display_width, enum_word, name_with_id, services_text

__all__ = ["three_lists", "write_lists", "list_filenames", "LIST_NAMES", "LIST_FOOTNOTES", "CITY_LISTS"]

LIST_NAMES = ("质量问题清单", "重点攻关项目清单", "质量政策工具清单")
CITY_LISTS = "全市-三张清单.xlsx"

#: The definitions printed under each list (the same words as every other output).
LIST_FOOTNOTES = {
    "质量问题清单": footnotes(["unresolved", "open", "in_progress", "resolved", "coverage"])
    + ["覆盖情况：未覆盖 = 所需服务均无机构覆盖；部分覆盖 = 部分所需服务无机构覆盖；已覆盖 = 所需服务均有机构覆盖；"
       "已解决 = 问题已解决。"],
    "重点攻关项目清单": ["进度：项目完成程度，0–100%。"],
    "质量政策工具清单": ["适用对象：本链、本链成员企业或本链攻关项目中，该政策工具适用的对象。"],
}


def _names(G, ids) -> str:
    return "；".join(name_with_id(G.nodes[i].get("name"), i) for i in ids)


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
                "提出日期": p.get("raised_on", ""), "解决日期": p.get("resolved_on", ""),
            })
        for kid in model.chain_projects(G, chain_id):
            k = G.nodes[kid]
            progress = k.get("progress")
            projects.append({
                "产业链编号": chain_id, "产业链": chain_name, "项目编号": kid, "项目名称": k["title"],
                "牵头企业": _names(G, model.project_lead(G, kid)),
                "攻关问题": _names(G, model.project_problems(G, kid)),
                "合作机构": _names(G, model.project_partners(G, kid)),
                "状态": enum_word("project_status", k.get("status")), "完成期限": k.get("due", ""),
                "进度": "" if progress is None else f"{progress:.0%}",
            })
        for tid, here in model.chain_policy_tools(G, chain_id).items():
            t = G.nodes[tid]
            tools.append({
                "产业链编号": chain_id, "产业链": chain_name, "工具编号": tid, "政策工具": t["name"],
                "类型": enum_word("kind", t.get("kind")), "发布单位": t.get("issuer", ""), "适用对象": _names(G, here),
            })
    frames = [pd.DataFrame(rows) for rows in (problems, projects, tools)]
    columns = (["产业链编号", "产业链", "问题编号", "问题", "涉及企业", "类别", "严重程度", "状态", "所需服务",
                "覆盖情况", "缺少的服务", "赋能机构", "攻关项目", "提出日期", "解决日期"],
               ["产业链编号", "产业链", "项目编号", "项目名称", "牵头企业", "攻关问题", "合作机构", "状态",
                "完成期限", "进度"],
               ["产业链编号", "产业链", "工具编号", "政策工具", "类型", "发布单位", "适用对象"])
    frames = [f.reindex(columns=c) for f, c in zip(frames, columns)]
    for frame in frames:
        frame.insert(0, "序号", range(1, len(frame) + 1))
    return dict(zip(LIST_NAMES, frames))


def _workbook_bytes(lists: dict[str, pd.DataFrame]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    fills = {"未覆盖": "F8D7DA", "部分覆盖": "FFF3CD", "已覆盖": "FFF8E1", "已解决": "D4EDDA"}
    for title, frame in lists.items():
        ws = wb.create_sheet(title)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            ws.append(["" if v is None or (isinstance(v, float) and pd.isna(v)) else v for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1F4E9C")
            cell.alignment = Alignment(horizontal="center", vertical="center")
        for index, column in enumerate(frame.columns, 1):
            widest = max([display_width(column)] + [display_width(v) for v in frame[column].tolist()])
            ws.column_dimensions[get_column_letter(index)].width = min(60, max(6, widest + 2))
        if "覆盖情况" in frame.columns:
            col = list(frame.columns).index("覆盖情况") + 1
            for r in range(2, len(frame) + 2):
                cell = ws.cell(row=r, column=col)
                if cell.value in fills:
                    cell.fill = PatternFill("solid", fgColor=fills[cell.value])
        inert_sheet(ws, min_row=2)  # user text never becomes a live formula
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
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


def write_lists(G: nx.MultiDiGraph, out_dir, chains: list[str] | None = None, *, force: bool = False) -> list[Path]:
    """One workbook per chain (``<id>-三张清单.xlsx``) and, for several chains, ``全市-三张清单.xlsx``.

    The workbooks are built in a staging folder and appear in ``out_dir`` together. An
    existing file is replaced only with ``force``, and then only one qmap wrote (without
    ``chains``, the earlier set's stale workbooks go too).
    """
    every = model.chains(G)
    chosen = [model.resolve_chain(G, c) for c in chains] if chains else every
    names = list_filenames(every)
    written = []
    with output_folder(out_dir, key=None if chains else "lists", force=force, inputs=graph_inputs(G)) as out:
        for chain_id in chosen:
            written.append(out.write_bytes(names[chain_id], _workbook_bytes(three_lists(G, chain_id))))
        if len(chosen) > 1:
            city = three_lists(G)
            if set(chosen) != set(every):
                city = {k: v[v["产业链编号"].isin(chosen)].assign(序号=lambda f: range(1, len(f) + 1))
                        for k, v in city.items()}
            written.append(out.write_bytes(CITY_LISTS, _workbook_bytes(city)))
    return written
