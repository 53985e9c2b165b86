"""The three lists of the notice (三张清单): quality problems, key projects, policy tools.

``three_lists(G, chain)`` gives them as DataFrames with Chinese headers and Chinese
enumerations; ``write_lists`` writes one formatted workbook per chain and one
city-wide (frozen header, filters, column widths fitted to Chinese text).

>>> lists = three_lists(G, "SH01")            # doctest: +SKIP
>>> list(lists)                                # doctest: +SKIP
['质量问题清单', '重点攻关项目清单', '质量政策工具清单']
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import networkx as nx
import pandas as pd

from .analyses import covered_services
from .model import chain_members, nodes_of
from .schema import ENUMS, SERVICES, UNRESOLVED_PROBLEM
from .files import atomic_file

__all__ = ["three_lists", "write_lists", "coverage_state", "LIST_NAMES"]

LIST_NAMES = ("质量问题清单", "重点攻关项目清单", "质量政策工具清单")


def _zh(enum: str, code) -> str:
    return ENUMS[enum].chinese(code) if code else ""


def _services(codes) -> str:
    return "、".join(SERVICES.chinese(c) for c in codes)


def coverage_state(G: nx.MultiDiGraph, problem_id: str) -> tuple[str, list[str]]:
    """(状态, missing services) of a problem: 已解决 / 已覆盖 / 部分覆盖 / 未覆盖."""
    data = G.nodes[problem_id]
    if data.get("status") not in UNRESOLVED_PROBLEM:
        return "已解决", []
    needs = data.get("needs", [])
    missing = sorted(set(needs) - covered_services(G, problem_id))
    if not missing:
        return "已覆盖", []
    return ("部分覆盖" if len(missing) < len(needs) else "未覆盖"), missing


def _neighbours(G, node, rel_type, direction="in"):
    edges = G.in_edges(node, data=True) if direction == "in" else G.out_edges(node, data=True)
    return sorted({(u if direction == "in" else v) for u, v, d in edges if d["type"] == rel_type})


def _names(G, ids) -> str:
    return "；".join(f"{G.nodes[i]['name']}（{i}）" for i in ids)


def three_lists(G: nx.MultiDiGraph, chain: str | None = None) -> dict[str, pd.DataFrame]:
    """The three lists for one chain, or for every chain (``chain=None``)."""
    chains = [chain] if chain else nodes_of(G, "Chain")
    if chain is not None and (chain not in G or G.nodes[chain]["label"] != "Chain"):
        raise KeyError(f"未知的产业链编号 unknown chain id: {chain!r}")
    problems, projects, tools = [], [], []
    for chain_id in chains:
        chain_name = G.nodes[chain_id]["name"]
        in_chain = sorted(u for u, _, d in G.in_edges(chain_id, data=True) if d["type"] == "IN_CHAIN")
        for pid in (n for n in in_chain if G.nodes[n]["label"] == "Problem"):
            p = G.nodes[pid]
            state, missing = coverage_state(G, pid)
            firms = _neighbours(G, pid, "AFFECTS", "out")
            bodies = _neighbours(G, pid, "ADDRESSES")
            problems.append({
                "产业链编号": chain_id, "产业链": chain_name, "问题编号": pid, "问题": p["title"],
                "涉及企业": _names(G, firms), "类别": _zh("category", p.get("category")),
                "严重程度": _zh("severity", p.get("severity")), "状态": _zh("problem_status", p.get("status")),
                "所需服务": _services(p.get("needs", [])), "覆盖情况": state, "缺少的服务": _services(missing),
                "赋能机构": _names(G, bodies), "攻关项目": _names(G, _neighbours(G, pid, "TACKLES")),
                "提出日期": p.get("raised_on", ""), "解决日期": p.get("resolved_on", ""),
            })
        for kid in (n for n in in_chain if G.nodes[n]["label"] == "Project"):
            k = G.nodes[kid]
            progress = k.get("progress")
            projects.append({
                "产业链编号": chain_id, "产业链": chain_name, "项目编号": kid, "项目名称": k["title"],
                "牵头企业": _names(G, _neighbours(G, kid, "LEADS")),
                "攻关问题": _names(G, _neighbours(G, kid, "TACKLES", "out")),
                "合作机构": _names(G, _neighbours(G, kid, "PARTNERS_IN")),
                "状态": _zh("project_status", k.get("status")), "完成期限": k.get("due", ""),
                "进度": "" if progress is None else f"{progress:.0%}",
            })
        members = set(chain_members(G, chain_id))
        projects_here = {n for n in in_chain if G.nodes[n]["label"] == "Project"}
        for tid in nodes_of(G, "PolicyTool"):
            targets = _neighbours(G, tid, "APPLIES_TO", "out")
            here = [t for t in targets if t == chain_id or t in members or t in projects_here]
            if not here:
                continue
            t = G.nodes[tid]
            tools.append({
                "产业链编号": chain_id, "产业链": chain_name, "工具编号": tid, "政策工具": t["name"],
                "类型": _zh("kind", t.get("kind")), "发布单位": t.get("issuer", ""), "适用对象": _names(G, here),
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


def _width(text) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _write_workbook(lists: dict[str, pd.DataFrame], path: Path) -> Path:
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
            widest = max([_width(column)] + [_width(v) for v in frame[column].tolist()])
            ws.column_dimensions[get_column_letter(index)].width = min(60, max(6, widest + 2))
        if "覆盖情况" in frame.columns:
            col = list(frame.columns).index("覆盖情况") + 1
            for r in range(2, len(frame) + 2):
                cell = ws.cell(row=r, column=col)
                if cell.value in fills:
                    cell.fill = PatternFill("solid", fgColor=fills[cell.value])
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    with atomic_file(path, force=True, mode="wb") as out:
        wb.save(out)
    return path


def write_lists(G: nx.MultiDiGraph, out_dir, chains: list[str] | None = None) -> list[Path]:
    """One workbook per chain (``<id>-三张清单.xlsx``) and, for several chains, ``全市-三张清单.xlsx``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chains = chains or nodes_of(G, "Chain")
    written = [_write_workbook(three_lists(G, c), out_dir / f"{c}-三张清单.xlsx") for c in chains]
    if len(chains) > 1:
        city = three_lists(G)
        if set(chains) != set(nodes_of(G, "Chain")):
            city = {k: v[v["产业链编号"].isin(chains)].assign(序号=lambda f: range(1, len(f) + 1))
                    for k, v in city.items()}
        written.append(_write_workbook(city, out_dir / "全市-三张清单.xlsx"))
    return written
