"""The bulk path: fill an empty local Neo4j database with ``neo4j-admin database import full``.

``qmap load --bulk`` (issue 17): on a first load of a big city the server's own importer is
faster than the batched sync of :meth:`Neo4jStore.load` (the import alone 25 s against 190 s at 1.1M rows, see
``bench/bench_load.py``). It writes store files directly, so it only fills an **empty** (or
absent) database of the **local server qmap manages** (:class:`LocalServer`), which it
stops for the import and starts again.

The result is indistinguishable from a plain load of the same graph into an empty database:
the rows come from the store's one plan (:meth:`_Plan.final_nodes`, :meth:`_Plan.final_rels`:
the properties, derived labels and sync bookkeeping ``merge_nodes.cypher`` and
``merge_rels.cypher`` would leave), the sources are registered with the same statements
(``source_begin``/``source_end``) and the schema is applied after the import. Later plain
loads of the same sources therefore sync as usual: nothing changes, and a removed row is
withdrawn.

The CSV files (in a private temporary folder, removed afterwards, also on failure) are typed
per column (``:long``, ``:double``, ``:boolean``, ``prop:string[]``…), one file per label or
relationship group and per combination of types where one property holds values of
different types; every text is quoted (commas, quotes, newlines, leading ``=`` survive); an
absent property is an empty unquoted field, so it stays absent. The array delimiter is a
control character that occurs in no list item. What a CSV cannot say (an empty list, a list
of one empty text — the bookkeeping of a relationship with no properties —, mixed lists,
infinite floats) is set over Bolt right after the import, with the same ``SET x += props``
a plain load uses.

>>> from graphmodel.store.server import LocalServer
>>> server = LocalServer.from_env()                       # doctest: +SKIP
>>> bulk_load(G, server).nodes                            # doctest: +SKIP
1141
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import networkx as nx

from ..bulk import without_gc
from .neo4j import Neo4jStore, StoreError, _chunks, _Plan, statement
from .server import LocalServer, ServerError, _port_free

__all__ = ["BulkReport", "NotEmptyError", "ImportFiles", "bulk_load", "write_import_files", "csv_type", "local_port"]

#: Array delimiters, in order of preference: control characters no analyst types.
_DELIMITERS = ("\x1f", "\x1e", "\x1d", "\x1c", "\x1b", "\x1a", "\x19", "\x18", "\x01")
_SCALARS = {str: "string", bool: "boolean", int: "long", float: "double"}
# The types whose column type is the type alone (no value check): most values, typed without a call.
_PLAIN_KINDS = {str: "string", bool: "boolean", int: "long"}
_ANY_DELIMITER = re.compile("[" + "".join(_DELIMITERS) + "]")
_FIX_BATCH = 5000


class NotEmptyError(StoreError):
    """The target database already holds nodes: a bulk import would replace them."""

    def __init__(self, nodes: int):
        super().__init__("not_empty", f"数据库已有 {nodes} 个节点，--bulk 只能写入空数据库 the database holds "
                                      f"{nodes} nodes and --bulk only fills an empty one: use plain `qmap load` "
                                      "(it syncs), or `qmap neo4j start --reset` to wipe the database first")
        self.nodes = nodes


@dataclass
class BulkReport:
    """What a bulk load did; ``seconds`` is the whole of it, ``import_seconds`` neo4j-admin alone."""

    chains: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    nodes: int = 0
    relationships: int = 0
    files: int = 0
    fixed: int = 0          # entities given a property over Bolt after the import
    import_seconds: float = 0.0
    seconds: float = 0.0


def csv_type(value: Any) -> str | None:
    """The neo4j-admin column type that carries ``value`` exactly, or None if no CSV cell can.

    >>> csv_type("甲"), csv_type(3), csv_type(0.5), csv_type(True), csv_type(["a", "b"])
    ('string', 'long', 'double', 'boolean', 'string[]')
    >>> csv_type([]), csv_type([""]), csv_type([1, "a"]), csv_type(float("inf"))
    (None, None, None, None)
    """
    kind = _SCALARS.get(type(value))
    if kind == "double" and not math.isfinite(value):
        return None
    if kind or type(value) is not list:
        return kind
    # neo4j-admin reads an empty field as "no property", so [] and [''] cannot be written
    if not value or value == [""]:
        return None
    kinds = {type(v) for v in value}
    inner = _SCALARS.get(kinds.pop()) if len(kinds) == 1 else None
    if inner == "double" and not all(math.isfinite(v) for v in value):
        return None
    return f"{inner}[]" if inner else None


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _cell(value: Any, kind: str, delimiter: str) -> str:
    if kind == "string":
        return _quoted(value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "long":
        return str(value)
    if kind == "double":
        return repr(value)
    item = kind[:-2]
    return _quoted(delimiter.join(v if item == "string" else _cell(v, item, delimiter) for v in value))


@dataclass
class ImportFiles:
    """The CSV files of one import and what must be set over Bolt after it."""

    folder: Path
    delimiter: str
    nodes: list[Path] = field(default_factory=list)
    relationships: list[Path] = field(default_factory=list)
    multiline: list[Path] = field(default_factory=list)
    node_fixes: dict[str, list[list]] = field(default_factory=lambda: defaultdict(list))
    rel_fixes: dict[tuple[str, str, str], list[list]] = field(default_factory=lambda: defaultdict(list))

    def options(self) -> list[str]:
        code = f"U+{ord(self.delimiter):04X}"
        options = [f"--array-delimiter={code}", "--bad-tolerance=0", "--skip-bad-relationships=false",
                   "--skip-duplicate-nodes=false", "--ignore-empty-strings=false", "--trim-strings=false",
                   "--id-type=string", f"--report-file={(self.folder / 'import.report').as_posix()}"]
        if self.multiline:
            # only the files that need it: multi-line parsing is much slower
            options += ["--multiline-fields-format=v2",
                        "--multiline-fields=" + ",".join(p.as_posix() for p in self.multiline)]
        return options

    @property
    def fixes(self) -> int:
        return sum(map(len, self.node_fixes.values())) + sum(map(len, self.rel_fixes.values()))


class _Writer:
    """One CSV file per group and combination of the types of its ambiguous properties."""

    def __init__(self, files: ImportFiles, prefix: str, fixed: tuple[str, ...], target: list[Path]):
        self.files, self.prefix, self.fixed, self.target = files, prefix, fixed, target
        self.kinds: dict[Any, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        self.ambiguous: dict[Any, tuple[str, ...]] = {}
        self.open: dict[tuple, Any] = {}
        self.multiline: set[Path] = set()

    def observe(self, group, props: dict, delimiters: list[str]) -> None:
        """Note the types of a row's values and drop the delimiters its list items contain."""
        kinds = self.kinds[group]
        for k, v in props.items():
            kind = _PLAIN_KINDS.get(type(v))
            if kind is None:
                kind = csv_type(v)
                if type(v) is list and _ANY_DELIMITER.search("".join(x for x in v if type(x) is str)):
                    delimiters[:] = [d for d in delimiters if not any(type(x) is str and d in x for x in v)]
            kinds[k].add(kind)

    def write(self, group, name: str, lead: list[str], props: dict) -> dict:
        """Write one row; the properties it could not carry (to be set after the import)."""
        kinds = self.kinds[group]
        row_kinds = {k: _PLAIN_KINDS.get(type(v)) or csv_type(v) for k, v in props.items()}
        ambiguous = self.ambiguous.get(group)
        if ambiguous is None:   # all rows are observed by now
            ambiguous = self.ambiguous[group] = tuple(k for k in sorted(kinds) if len(kinds[k] - {None}) > 1)
        mixed = tuple(row_kinds.get(k) for k in ambiguous)
        handle = self.open.get((group, mixed))
        if handle is None:
            columns = []
            for k in sorted(kinds):
                known = kinds[k] - {None}
                if len(known) > 1:
                    kind = row_kinds.get(k) if row_kinds.get(k) is not None else sorted(known)[0]
                elif known:
                    kind = known.pop()
                else:
                    continue
                columns.append((k, kind))
            path = self.files.folder / f"{self.prefix}-{name}-{len(self.open)}.csv"
            fh = open(path, "w", encoding="utf-8", newline="")
            fh.write(",".join([*self.fixed, *(f"{k}:{kind}" for k, kind in columns)]) + "\n")
            handle = self.open[(group, mixed)] = (fh, path, columns)
            self.target.append(path)
        fh, path, columns = handle
        delimiter = self.files.delimiter
        cells = [_quoted(x) for x in lead]
        for k, kind in columns:
            v = props.get(k)
            if v is None or row_kinds[k] != kind:
                cells.append("")
            elif kind == "string":
                cells.append('"' + v.replace('"', '""') + '"')
            else:
                cells.append(_cell(v, kind, delimiter))
        line = ",".join(cells)
        if "\n" in line or "\r" in line:
            self.multiline.add(path)
        fh.write(line + "\n")
        if None not in row_kinds.values():
            return {}
        return {k: v for k, v in props.items() if row_kinds[k] is None}

    def close(self) -> None:
        for fh, _, _ in self.open.values():
            fh.close()
        self.files.multiline.extend(p for p in self.target if p in self.multiline)


@without_gc   # each row makes a few dicts; the collector would rescan the plan's millions
def write_import_files(plan: _Plan, folder: Path) -> ImportFiles:
    """The plan's final nodes and relationships as neo4j-admin CSV files in ``folder``."""
    files = ImportFiles(Path(folder), "")
    nodes = _Writer(files, "nodes", ("id:ID", ":LABEL"), files.nodes)
    rels = _Writer(files, "rels", (":START_ID", ":END_ID", ":TYPE"), files.relationships)
    delimiters = list(_DELIMITERS)
    try:
        for label, _, props in plan.final_nodes():
            if type(props["id"]) is not str:
                raise StoreError("input", f"--bulk: node id {props['id']!r} is not text; use plain `qmap load`")
            nodes.observe(label, {k: v for k, v in props.items() if k != "id"}, delimiters)
        for group, _, _, props in plan.final_rels():
            rels.observe(group, props, delimiters)
        if not delimiters:
            raise StoreError("input", "--bulk: every candidate array delimiter occurs in the data's lists; "
                                      "use plain `qmap load`")
        files.delimiter = delimiters[0]
        for label, labels, props in plan.final_nodes():
            data = {k: v for k, v in props.items() if k != "id"}
            fix = nodes.write(label, label, [props["id"], files.delimiter.join(labels)], data)
            if fix:
                files.node_fixes[label].append([props["id"], fix])
        for group, start, end, props in plan.final_rels():
            fix = rels.write(group, "-".join(group), [start, end, group[0]], props)
            if fix:
                files.rel_fixes[group].append([start, end, props["qmap_key"], fix])
    finally:
        nodes.close()
        rels.close()
    return files


def local_port(uri: str | None) -> int | None:
    """The Bolt port of a URI naming a server on this machine without TLS (as the local
    server qmap manages listens), else None; ``None`` for no URI at all (the default port).

    >>> local_port("bolt://127.0.0.1:7721"), local_port("neo4j://localhost:7687")
    (7721, 7687)
    >>> local_port("neo4j+s://abc.databases.neo4j.io"), local_port("bolt://10.0.0.5:7687")
    (None, None)
    """
    if not uri:
        return None
    match = re.match(r"^(?:bolt|neo4j)://(?:127\.0\.0\.1|localhost)(?::(\d+))?/?$", uri.strip())
    if not match:
        return None
    return int(match.group(1) or 7687)


def _node_count(store: Neo4jStore) -> int:
    return store.query("MATCH (n) RETURN count(n) AS n")[1][0][0]


def bulk_load(G: nx.MultiDiGraph, server: LocalServer, username: str = "neo4j", database: str | None = None,
              progress: Callable[[str], None] | None = None, timeout: float = 300.0) -> BulkReport:
    """Fill the empty (or absent) database of the local ``server`` with ``G`` by neo4j-admin import.

    Raises :class:`NotEmptyError` (nothing changed; a server that was stopped is stopped
    again) if the database holds any node, :class:`StoreError` for a graph the store refuses,
    :class:`ServerError` if the server or the import fails (the server is started again).
    ``progress(step)`` is told each step.
    """
    step = progress or (lambda message: None)
    started = time.perf_counter()
    database = database or "neo4j"
    if database != "neo4j":
        raise StoreError("config", f"--bulk 只能写入 neo4j 数据库 fills only the database `neo4j` of the local "
                                   f"Community server, not {database!r}")
    if not server.password:
        raise StoreError("config", "没有密码 set NEO4J_PASSWORD (the password of the local server) for --bulk")
    plan = _Plan(G)   # a graph the store refuses fails here, before the server is touched
    report = BulkReport(chains=list(plan.chains), sources=list(plan.sources), nodes=G.number_of_nodes(),
                        relationships=G.number_of_edges())
    was_running = server.running_pid() is not None
    if not was_running and not _port_free(server.port):
        raise StoreError("config", f"端口 {server.port} 上的服务器不归 qmap 管理 the server on port {server.port} is "
                                   f"not the one qmap manages in {server.home}: --bulk needs that local server "
                                   "(qmap neo4j start, or --home); use plain `qmap load`")
    exists = (server.data_dir / "databases" / database).exists()
    started_here = False
    if not was_running and exists:
        step("启动服务器以检查数据库是否为空 starting the server to check that the database is empty")
        server.start(timeout=timeout)
        started_here = True
    if was_running or exists:
        with Neo4jStore(server.uri, username, server.password) as store:
            store.verify()
            nodes = _node_count(store)
        if nodes:
            if started_here:
                server.stop()
            raise NotEmptyError(nodes)
    folder = Path(tempfile.mkdtemp(prefix="qmap-bulk-"))   # private: mode 0700
    try:
        step("写入导入文件 writing the import files")
        files = write_import_files(plan, folder)
        report.files = len(files.nodes) + len(files.relationships)
        step("停止服务器 stopping the server")
        server.stop()
        step("导入 importing with neo4j-admin")
        began = time.perf_counter()
        try:
            server.admin_import(files.nodes, files.relationships, database, files.options())
        finally:
            report.import_seconds = time.perf_counter() - began
            if not server.running_pid():
                step("启动服务器 starting the server")
                server.start(timeout=timeout)
        with Neo4jStore(server.uri, username, server.password) as store:
            step("建立约束与索引 applying the schema")
            store.apply_schema()
            step("登记来源 registering the sources")
            _finish(store, plan, files)
            store.refresh_statistics()
        report.fixed = files.fixes
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def _finish(store: Neo4jStore, plan: _Plan, files: ImportFiles) -> None:
    """The properties the CSV could not carry, and the sources as a plain load registers them."""
    with store._errors(), store._session() as session:
        for label, rows in sorted(files.node_fixes.items()):
            text = statement("bulk_fix_nodes", label=label)
            for chunk in _chunks(rows, _FIX_BATCH):
                session.execute_write(lambda tx: tx.run(text, rows=chunk).consume())
        for (rel_type, start, end), rows in sorted(files.rel_fixes.items()):
            text = statement("bulk_fix_rels", rel_type=rel_type, start=start, end=end)
            for chunk in _chunks(rows, _FIX_BATCH):
                session.execute_write(lambda tx: tx.run(text, rows=chunk).consume())
        for source in plan.sources:
            mark = plan.marks[source]
            session.execute_write(lambda tx: tx.run(statement("source_begin"), name=source, mark=mark).consume())
            session.execute_write(lambda tx: tx.run(statement("source_end"), name=source, mark=mark).consume())


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit("use `qmap load --bulk`")
