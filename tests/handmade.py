"""A small intake data set written by hand from domain.md alone.

Two chains; firm E3 sits on both with different roles; Chinese and English
enumerations mixed; ``；`` and ``;`` separators; one problem with no enterprise.
Shared by the intake, model and CLI tests.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

HEADERS = {
    "chains": ["chain_id", "seq", "name", "district", "leader", "key", "industry"],
    "enterprises": ["enterprise_id", "name", "size", "district", "uscc"],
    "members": ["chain_id", "enterprise_id", "role", "tier"],
    "supplies": ["chain_id", "supplier_id", "customer_id", "product", "share", "critical"],
    "support_bodies": ["body_id", "name", "services", "accreditations"],
    "support_links": ["body_id", "target_id", "service", "since", "status"],
    "problems": ["problem_id", "chain_id", "enterprise_id", "title", "category", "severity", "status", "needs",
                 "raised_on", "resolved_on"],
    "projects": ["project_id", "chain_id", "title", "lead_id", "tackles", "status", "due", "progress"],
    "policy_tools": ["tool_id", "name", "kind", "issuer", "applies_to"],
    "indicators": ["indicator_id", "name", "unit", "direction", "standard", "national_limit", "industry_limit"],
    "readings": ["enterprise_id", "indicator_id", "year", "value"],
    "targets": ["chain_id", "indicator_id", "year", "value"],
}


def dict_rows(header: str, *values) -> list[dict]:
    """Rows as dicts: ``dict_rows("a b", (1, 2), (3, 4))`` → ``[{"a": 1, "b": 2}, {"a": 3, "b": 4}]``."""
    columns = header.split()
    return [dict(zip(columns, v)) for v in values]


def handmade_rows() -> dict[str, list[list]]:
    return {
        "chains": [
            ["C1", 1, "光伏玻璃产业链质量提升", "普陀区", "普陀区市场监管局", "★", "光伏玻璃"],
            ["C2", 2, "电线电缆行业质量提升", "奉贤区", "奉贤区市场监管局", "否", "电线电缆"],
        ],
        "enterprises": [
            ["E1", "沪光玻璃集团", "大型", "普陀区", "91310000MA1FL0XX09"],
            ["E2", "申石英砂厂", "small", "金山区", None],
            ["E3", "浦江镀膜科技", "中型", "普陀区", None],
            ["E4", "晶能组件公司", "micro", "嘉定区", None],
            ["E5", "奉申电缆", "large", "奉贤区", None],
            ["E6", "铜材供应站", "小型", "奉贤区", None],
        ],
        "members": [
            ["C1", "E1", "链主", 0],
            ["C1", "E2", "upstream", 2],
            ["C1", "E3", "上游", 1],
            ["C1", "E4", "downstream", 1],
            ["C2", "E5", "owner", 0],
            ["C2", "E6", "上游", 1],
            ["C2", "E3", "下游", 1],
        ],
        "supplies": [
            ["C1", "E2", "E3", "石英砂", 0.6, "是"],
            ["C1", "E3", "E1", "镀膜液", 1, "否"],
            ["C1", "E1", "E4", "光伏玻璃", None, "yes"],
            ["C2", "E6", "E5", "铜杆", "50%", None],
            ["C2", "E5", "E3", "电缆", None, None],
        ],
        "support_bodies": [
            ["B1", "示例计量检测中心", "计量；testing", "CMA;CNAS"],
            ["B2", "示例标准化研究所", "standards", None],
            ["B3", "示例质量培训基地", "培训;质量管理", None],
        ],
        "support_links": [
            ["B1", "C1", None, "2024-05-01", "有效"],
            ["B1", "E3", "检验检测", "2024/06/01", "active"],
            ["B2", "P1", "标准", None, None],
            ["B3", "K1", None, None, None],
            ["B2", "C2", "standards", "2024年7月1日", "已结束"],
        ],
        "problems": [
            ["P1", "C1", "E3", "镀膜均匀性波动", "工艺", "高", "未解决", "标准；计量", "2024-06-10", None],
            ["P2", "C1", "E2", "石英砂含铁量超标", "material", "medium", "resolved", "testing", "2024-03-01",
             "2024-09-30"],
            ["P3", "C2", None, "铜杆电阻率检测能力不足", "testing", "low", "推进中", "检验检测", "2025-01-15", None],
        ],
        "projects": [
            ["K1", "C1", "镀膜工艺攻关", "E1", "P1", "实施中", "2025-12-31", 0.4],
        ],
        "policy_tools": [
            ["T1", "质量标杆示范", "示范引领", "普陀区市场监管局", "C1;K1"],
            ["T2", "小微企业检测补贴", "incentive", "奉贤区市场监管局", "E6"],
        ],
        "indicators": [
            ["I1", "透光率", "%", "越高越好", "GB/T 30984.1-2015", 91.5, 93.0],
        ],
        "readings": [
            ["E1", "I1", 2024, 92.0],
            ["E1", "I1", 2025, 93.6],
        ],
        "targets": [
            ["C1", "I1", 2025, 93.0],
        ],
    }


#: The optional columns of domain.md (enterprises.tags, problems.measures/owner_unit/deadline) and the
#: cases sheet, for tests that want them; handmade_rows() keeps to the columns above.
EXTENDED_HEADERS = dict(
    HEADERS,
    enterprises=HEADERS["enterprises"] + ["tags"],
    problems=HEADERS["problems"] + ["measures", "owner_unit", "deadline"],
    cases=["case_id", "chain_id", "year", "title", "summary", "related"],
)


def extended_rows() -> dict[str, list[list]]:
    """handmade_rows() with the optional columns filled in and two typical cases."""
    rows = handmade_rows()
    tags = {"E1": "专精特新；规上", "E3": "高新技术企业", "E5": "上市;小巨人"}
    rows["enterprises"] = [r + [tags.get(r[0])] for r in rows["enterprises"]]
    extra = {"P1": ["引入在线膜厚检测", "浦江镀膜科技", "2025-06-30"], "P3": [None, "奉贤区市场监管局", "2025/12/31"]}
    rows["problems"] = [r + extra.get(r[0], [None, None, None]) for r in rows["problems"]]
    rows["cases"] = [
        ["CS1", "C1", 2024, "计量赋能镀膜均匀性提升", "示例计量检测中心驻厂服务", "E3；B1；P1"],
        ["CS2", "C2", 2025, "铜杆检测能力建设", None, None],
    ]
    return rows


def chinese_headers(headers: dict[str, list[str]]) -> dict[str, list[str]]:
    """The same headers as the Chinese names of domain.md ("Chinese names")."""
    from graphmodel.schema import SHEETS

    return {sheet: [SHEETS[sheet].column(c).zh for c in columns] for sheet, columns in headers.items()}


def sheet_title(sheet: str, chinese: bool) -> str:
    from graphmodel.schema import SHEETS

    return SHEETS[sheet].zh if chinese else sheet


def write_xlsx(path: Path, rows: dict[str, list[list]], headers: dict[str, list[str]] | None = None,
               chinese: bool = False) -> Path:
    """Write rows with openpyxl directly (not through qmap's own writer); ``chinese`` names the
    tabs by their Chinese names (give Chinese ``headers`` too for an all-Chinese workbook)."""
    headers = headers or (EXTENDED_HEADERS if "cases" in rows or _extended(rows) else HEADERS)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, data in rows.items():
        ws = wb.create_sheet(sheet_title(sheet, chinese))
        ws.append(headers[sheet])
        for row in data:
            ws.append(row)
    wb.save(path)
    return path


def write_csv_folder(folder: Path, rows: dict[str, list[list]], bom: bool = False,
                     headers: dict[str, list[str]] | None = None, chinese: bool = False) -> Path:
    headers = headers or (EXTENDED_HEADERS if "cases" in rows or _extended(rows) else HEADERS)
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, data in rows.items():
        with open(folder / f"{sheet_title(sheet, chinese)}.csv", "w", encoding="utf-8-sig" if bom else "utf-8",
                  newline="") as f:
            writer = csv.writer(f)
            writer.writerow(headers[sheet])
            writer.writerows([["" if v is None else v for v in row] for row in data])
    return folder


def _extended(rows) -> bool:
    return any(len(r) > len(HEADERS[s]) for s, data in rows.items() if s in HEADERS for r in data[:1])
