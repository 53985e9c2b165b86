"""CSV files with ``neo4j-admin database import`` headers, one per label and per type.

Writes a folder: ``nodes_<Label>.csv`` (``id:ID``, typed properties, ``:LABEL``) and
``relationships_<TYPE>.csv`` (``:START_ID``, ``:END_ID``, ``:TYPE``, typed properties),
plus ``import.sh`` with the matching command. Arrays use ``;`` (the tool's default).

The folder is written as one set (:func:`graphmodel.files.output_folder`): staged, then
moved into place; ``force`` replaces only the files of an earlier export there, never
another file in the folder. Values are written exactly: this is for neo4j-admin, not Excel.

>>> write_neo4j_csv(G, "exports/SH01-csv")   # doctest: +SKIP
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import networkx as nx

from ._common import graph_inputs, output_folder

__all__ = ["write_neo4j_csv", "import_type"]


def import_type(value) -> str:
    """The neo4j-admin header type of a property value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, (list, tuple)):
        return import_type(value[0]) + "[]" if value else "string[]"
    return "string"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(_cell(v) for v in value)
    return repr(value) if isinstance(value, float) else str(value)


def _columns(records: list[dict], skip: set[str]) -> list[tuple[str, str]]:
    types: dict[str, str] = {}
    for record in records:
        for key, value in record.items():
            if key not in skip and key not in types and value is not None:
                types[key] = import_type(value)
    return sorted(types.items())


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_neo4j_csv(G: nx.MultiDiGraph, folder, force: bool = False):
    nodes = defaultdict(list)
    for node, data in G.nodes(data=True):
        nodes[data["label"]].append(data)
    rels = defaultdict(list)
    for u, v, data in G.edges(data=True):
        rels[data["type"]].append((u, v, data))
    args = []
    with output_folder(folder, key="neo4j-csv", force=force, inputs=graph_inputs(G)) as out:
        for label, records in sorted(nodes.items()):
            columns = _columns(records, {"id", "label", "labels"})
            header = ["id:ID"] + [f"{k}:{t}" if t != "string" else k for k, t in columns] + [":LABEL"]
            rows = [[r["id"]] + [_cell(r.get(k)) for k, _ in columns] + [";".join(r["labels"])]
                    for r in sorted(records, key=lambda r: r["id"])]
            _write(out.path(f"nodes_{label}.csv"), header, rows)
            args.append(f"--nodes=nodes_{label}.csv")
        for rel_type, records in sorted(rels.items()):
            columns = _columns([d for _, _, d in records], {"type"})
            header = [":START_ID", ":END_ID", ":TYPE"] + [f"{k}:{t}" if t != "string" else k for k, t in columns]
            rows = [[u, v, rel_type] + [_cell(d.get(k)) for k, _ in columns]
                    for u, v, d in sorted(records, key=lambda r: (r[0], r[1], str(r[2])))]
            _write(out.path(f"relationships_{rel_type}.csv"), header, rows)
            args.append(f"--relationships=relationships_{rel_type}.csv")
        out.write_text("import.sh",
                       "#!/bin/sh\n# Bulk-import into an empty, stopped database (neo4j-admin of Neo4j 5).\n"
                       "cd \"$(dirname \"$0\")\"\n"
                       f"neo4j-admin database import full --array-delimiter=';' {' '.join(args)} \"${{1:-neo4j}}\"\n")
    return folder
