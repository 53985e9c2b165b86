"""A Cypher script that recreates a graph in an empty Neo4j (cypher-shell or the browser).

Values are written as Cypher literals with every string escaped, so a name such as
``'}) DETACH DELETE n //`` stays data. Labels and relationship types come from the
fixed schema only. Statements end with ``;`` at the end of a line and string
literals never hold a raw newline, so :func:`split_statements` can run it.

>>> write_cypher(G, "exports/SH01.cypher")   # doctest: +SKIP
>>> cypher_literal("它's")
"'它\\\\'s'"
"""

from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx

from ..schema import LABELS, REL_IDENTITY, REL_TYPES
from ..resources import cypher_text
from ._common import atomic_file

__all__ = ["write_cypher", "cypher_literal", "split_statements", "BATCH"]

BATCH = 500  # rows per UNWIND statement: large enough to be fast, small enough for any server
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def _key(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def cypher_literal(value) -> str:
    """A Cypher literal for a property value (str, bool, int, float, list, dict)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {cypher_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def _schema_statements() -> list[str]:
    return split_statements(cypher_text("schema.cypher"))


def split_statements(script: str) -> list[str]:
    """The statements of a script: split at ``;`` ending a line, comments dropped."""
    statements, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("//") and not current:
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            text = "\n".join(current).strip().rstrip(";").strip()
            if text:
                statements.append(text)
            current = []
    tail = "\n".join(current).strip()
    if tail and not all(l.strip().startswith("//") for l in current if l.strip()):
        statements.append(tail)
    return statements


def _chunks(rows: list, size: int = BATCH):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def write_cypher(G: nx.MultiDiGraph, path, force: bool = False):
    by_labels = defaultdict(list)
    for node, data in sorted(G.nodes(data=True)):
        props = {k: v for k, v in data.items() if k not in ("label", "labels")}
        by_labels[data["labels"]].append({"id": node, "props": props})
    by_type = defaultdict(list)
    for u, v, data in G.edges(data=True):
        by_type[(data["type"], G.nodes[u]["label"], G.nodes[v]["label"])].append((u, v, data))

    with atomic_file(path, force) as out:
        title = G.graph.get("chain") or "all chains"
        out.write(f"// qmap export: {title} ({G.number_of_nodes()} nodes, {G.number_of_edges()} relationships)\n")
        out.write("// Run in an empty database: cypher-shell -f this-file.cypher\n\n")
        for statement in _schema_statements():
            out.write(statement + ";\n")
        out.write("\n")
        for labels, rows in sorted(by_labels.items()):
            assert all(label in LABELS for label in labels), labels
            extra = "".join(f" SET n:{label}" for label in labels[1:])
            for chunk in _chunks(rows):
                out.write(f"UNWIND {cypher_literal(chunk)} AS row\n"
                          f"MERGE (n:{labels[0]} {{id: row.id}}) SET n += row.props{extra};\n")
        for (rel_type, start_label, end_label), rels in sorted(by_type.items()):
            assert start_label in REL_TYPES[rel_type][0] and end_label in REL_TYPES[rel_type][1]
            # MERGE cannot match on a null property, and a link may name no service:
            # create a relationship unless one with the same identity is already there.
            same = " AND ".join(f"coalesce(x.{_key(p)}, '') = coalesce(row.props.{_key(p)}, '')"
                                for p in REL_IDENTITY.get(rel_type, ())) or "true"
            rows = [{"a": u, "b": v, "props": {k: x for k, x in d.items() if k != "type"}}
                    for u, v, d in sorted(rels, key=lambda e: (e[0], e[1], str(sorted(e[2].items()))))]
            for chunk in _chunks(rows):
                out.write(f"UNWIND {cypher_literal(chunk)} AS row\n"
                          f"MATCH (a:{start_label} {{id: row.a}}), (b:{end_label} {{id: row.b}})\n"
                          f"OPTIONAL MATCH (a)-[x:{rel_type}]->(b) WHERE {same}\n"
                          f"WITH a, b, row, count(x) AS existing WHERE existing = 0\n"
                          f"CREATE (a)-[r:{rel_type}]->(b) SET r = row.props;\n")
    return path
