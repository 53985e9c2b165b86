"""The Neo4j store: load the networkx model into Neo4j over Bolt, read it back, run Cypher.

This is the only module that imports the ``neo4j`` driver. Connection settings follow
Neo4j's own names (``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD``,
``NEO4J_DATABASE``); any URI scheme the driver knows works, ``neo4j+s://`` included (the
URI alone decides encryption).

Loading (:meth:`Neo4jStore.load`) is a *sync* of the chains in the workbook:

1. the schema (``cypher/schema.cypher``) is applied, idempotently;
2. nodes, per label, and relationships, per type, are upserted with the parameterised
   ``UNWIND $rows … MERGE`` statements of ``cypher/load/``, in batches (default 5,000 rows),
   each batch one ``execute_write`` transaction, so transient errors are retried. Nodes
   MERGE on ``id``; relationships on their end nodes, type and ``schema.REL_IDENTITY``
   (SUPPLIES on chain and product…);
3. what the reloaded chains used but the workbook no longer has is removed: nodes that no
   other chain uses (a firm or body still used by another chain stays), then the
   relationships of those chains that are gone from the workbook.

Crash safety, and the trade-off behind it. One transaction for a whole load would make a
load all-or-nothing, but its state lives on the server's heap (hundreds of MB for 100k rows
on a 2 GiB heap) and a failure late in the load throws all the work away and starts over.
So the default is batched transactions, each committed on its own, designed so that the
load *converges*: every step is idempotent (MERGE; ``SET n = props`` replaces all
properties) and the clean-up is computed afresh from the database at the time it runs, never
remembered from an earlier attempt. If the server dies mid-load, the database holds a
prefix of the upserts (a partial, but never a wrong, graph: every node and relationship
present is one the workbook has, or one the previous load had); re-running the same command
gives exactly the graph a clean load gives. Node deletions run in a single transaction (a
half-done deletion could orphan a node whose only use of the chain went through a node
already deleted). ``atomic=True`` (``qmap load --atomic``) runs the whole load in one
transaction instead, for small workbooks where all-or-nothing matters more than memory.
A bad workbook never reaches this module: intake rejects it before anything is written.

>>> from graphmodel.intake import read_dataset
>>> from graphmodel.model import build_graph
>>> with Neo4jStore("bolt://127.0.0.1:7687", "neo4j", "qmap-test-pw") as store:   # doctest: +SKIP
...     report = store.load(build_graph(read_dataset("../shared/data/willems/W38")))
...     H = store.read_graph(chain="W38")
...     cols, rows = store.query("MATCH (e:Enterprise) RETURN count(e) AS n")
>>> rows                                                                          # doctest: +SKIP
[[2025]]
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlsplit, urlunsplit

import networkx as nx
import neo4j
from neo4j import GraphDatabase
from neo4j import exceptions as neo4j_errors

from ..resources import cypher_text
from ..schema import LABELS, REL_IDENTITY, REL_TYPES, rel_key

__all__ = [
    "DEFAULT_BATCH",
    "StoreError",
    "LoadReport",
    "Neo4jStore",
    "ping",
    "statement",
    "describe_error",
    "safe_uri",
    "to_plain",
]

DEFAULT_BATCH = 5000
#: Rows per read when looking up nodes by id (reads are cheap; keeps parameters small).
_READ_CHUNK = 5000
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class StoreError(RuntimeError):
    """A Neo4j operation failed; ``str()`` is one clear line, never with the password.

    ``kind`` says what went wrong: ``config``, ``auth``, ``unavailable``, ``syntax``,
    ``read_only``, ``server``, ``input`` or ``driver``.
    """

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def safe_uri(uri: str | None) -> str:
    """The URI without any user:password part, fit to print."""
    if not uri:
        return "<no URI>"
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<unreadable URI>"
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _first_line(text: str) -> str:
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return ""


def describe_error(exc: BaseException, uri: str | None = None, username: str | None = None,
                   password: str | None = None) -> StoreError:
    """Turn a driver or server exception into a one-line :class:`StoreError`."""
    where = safe_uri(uri)
    if isinstance(exc, StoreError):
        error = exc
    elif isinstance(exc, neo4j_errors.AuthError):
        error = StoreError("auth", f"Neo4j 拒绝登录 login refused: wrong user name or password for user "
                                   f"{username!r} at {where}")
    elif isinstance(exc, (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired)):
        error = StoreError("unavailable", f"无法连接 cannot reach Neo4j at {where} ({_first_line(exc) or 'no answer'}); "
                                          "start a local server with `qmap neo4j start` or check NEO4J_URI")
    elif isinstance(exc, neo4j_errors.CypherSyntaxError):
        detail = _first_line(exc.message or exc)
        # "Invalid input 'MATC': expected 'FOREACH', 'ALTER', … (line 1, column 1 (offset: 0))":
        # the list of every keyword helps nobody; the position does.
        detail = re.sub(r": expected .{80,}?(\(line \d+, column \d+)", r" \1", detail)
        error = StoreError("syntax", f"Cypher 语法错误 syntax error: {detail}")
    elif isinstance(exc, neo4j_errors.Neo4jError) and (exc.code or "").endswith(("AccessMode", "ForbiddenOnReadOnlyDatabase")):
        error = StoreError("read_only", "只读 read-only: qmap query runs in READ access mode and the server "
                                        f"refused a write ({_first_line(exc.message or exc)})")
    elif isinstance(exc, neo4j_errors.Neo4jError):
        code = (exc.code or "Neo4jError").replace("Neo.ClientError.", "").replace("Neo.DatabaseError.", "")
        error = StoreError("server", f"Neo4j {code}: {_first_line(exc.message or exc)}")
    elif isinstance(exc, (neo4j_errors.ConfigurationError, ValueError)):
        error = StoreError("config", f"Neo4j 连接设置有误 bad connection settings for {where}: {_first_line(exc)}")
    elif isinstance(exc, neo4j_errors.DriverError):
        error = StoreError("driver", f"Neo4j driver error at {where}: {_first_line(exc) or type(exc).__name__}")
    else:
        error = StoreError("driver", f"{type(exc).__name__}: {_first_line(exc)}")
    message = str(error)
    if password and password in message:
        error = StoreError(error.kind, message.replace(password, "***"))
    return error


# --------------------------------------------------------------------------- Cypher statements

def _check_label(label: str) -> str:
    if label not in LABELS:
        raise StoreError("input", f"not a qmap label: {label!r}")
    return label


def _check_type(rel_type: str) -> str:
    if rel_type not in REL_TYPES:
        raise StoreError("input", f"not a qmap relationship type: {rel_type!r}")
    return rel_type


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise StoreError("input", f"not a property name: {name!r}")
    return name


@lru_cache(maxsize=None)
def _template(name: str) -> str:
    lines = cypher_text("load", f"{name}.cypher").splitlines()
    return "\n".join(ln for ln in lines if not ln.lstrip().startswith("//")).strip()


def _same_identity(var: str, props: Iterable[str]) -> str:
    clauses = [f"({var}.{p} = row.identity.{p} OR ({var}.{p} IS NULL AND row.identity.{p} IS NULL))"
               for p in map(_check_name, props)]
    return " AND ".join(clauses) or "true"


def _cypher_rel_key(var: str) -> str:
    """:func:`graphmodel.schema.rel_key` as a Cypher expression over relationship ``var``."""
    cases = " ".join(
        f"WHEN '{_check_type(t)}' THEN " + " + ".join(f"'|' + coalesce(toString({var}.{_check_name(p)}), '')"
                                                     for p in props)
        for t, props in sorted(REL_IDENTITY.items()) if props)
    return f"type({var}) + CASE type({var}) {cases} ELSE '' END"


def statement(name: str, *, label: str | None = None, labels: tuple[str, ...] = (), rel_type: str | None = None,
              start: str | None = None, end: str | None = None) -> str:
    """The Cypher text of ``cypher/load/<name>.cypher`` with its placeholders filled in.

    Placeholders only ever receive labels, types and property names of the fixed schema
    (checked here); user text reaches Cypher only as parameters.

    >>> print(statement("delete_nodes", label="Problem"))     # doctest: +NORMALIZE_WHITESPACE
    UNWIND $ids AS id
    MATCH (n:Problem {id: id})
    DETACH DELETE n
    """
    text = _template(name)
    if labels:
        label = labels[0]
        extra = [_check_label(x) for x in labels[1:]]
        others = [x for x in LABELS if x not in labels]
        text = text.replace("__SET_LABELS__", "".join(f", n:{x}" for x in extra))
        text = text.replace("__REMOVE_LABELS__", "".join(f":{x}" for x in others))
    if label:
        text = text.replace("__LABEL__", _check_label(label))
    if "__REL_KEY__" in text:
        text = text.replace("__REL_KEY__", _cypher_rel_key("r"))
    if rel_type:
        identity = REL_IDENTITY.get(_check_type(rel_type), ())
        text = text.replace("__TYPE__", rel_type).replace("__START__", _check_label(start or ""))
        text = text.replace("__END__", _check_label(end or ""))
        ident_map = ", ".join(f"{_check_name(p)}: row.identity.{p}" for p in identity)
        text = text.replace("__IDENTITY__", "{" + ident_map + "}" if ident_map else "")
        text = text.replace("__SAME_IDENTITY__", _same_identity("old" if "old" in text else "r", identity))
    leftover = re.findall(r"__[A-Z_]+__", text)
    if leftover:
        raise StoreError("input", f"statement {name}: unfilled placeholder {leftover[0]}")
    return text


@lru_cache(maxsize=None)
def _schema_statements() -> tuple[str, ...]:
    text = cypher_text("schema.cypher")
    body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("//"))
    return tuple(s.strip() for s in body.split(";") if s.strip())


# --------------------------------------------------------------------------- values

def _param(value: Any) -> Any:
    """A networkx attribute as a driver parameter (numpy scalars and tuples made plain)."""
    if isinstance(value, (list, tuple)):
        return [_param(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def to_plain(value: Any) -> Any:
    """A value from a query result as plain Python (JSON-ready): nodes, relationships and
    paths become dicts, temporal values ISO strings."""
    if isinstance(value, neo4j.graph.Node):
        return {"labels": _ordered_labels(value.labels), "properties": {k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type,
                "start": value.start_node.get("id") if value.start_node is not None else None,
                "end": value.end_node.get("id") if value.end_node is not None else None,
                "properties": {k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Path):
        return {"nodes": [to_plain(n) for n in value.nodes],
                "relationships": [to_plain(r) for r in value.relationships]}
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _ordered_labels(labels: Iterable[str]) -> list[str]:
    """Schema labels in schema order (so the primary label comes first), then any others."""
    labels = set(labels)
    return [x for x in LABELS if x in labels] + sorted(labels - set(LABELS))


def _primary(labels: Iterable[str]) -> str | None:
    ordered = [x for x in _ordered_labels(labels) if x in LABELS]
    return ordered[0] if ordered else None


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --------------------------------------------------------------------------- load plan

@dataclass
class LoadReport:
    """What a load did. ``*_created``/``*_deleted`` come from the server's own counters, so
    loading the same workbook twice reports zeros the second time."""

    chains: list[str] = field(default_factory=list)
    nodes: int = 0
    relationships: int = 0
    batches: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    nodes_deleted: int = 0
    relationships_deleted: int = 0
    seconds: float = 0.0

    def add(self, counters) -> None:
        self.nodes_created += counters.nodes_created
        self.relationships_created += counters.relationships_created
        self.properties_set += counters.properties_set
        self.nodes_deleted += counters.nodes_deleted
        self.relationships_deleted += counters.relationships_deleted


class _Plan:
    """The rows of one load, grouped so each statement has fixed labels and type."""

    def __init__(self, G: nx.MultiDiGraph):
        self.G = G
        self.node_groups: dict[tuple[str, ...], list[dict]] = defaultdict(list)
        self.ids_by_label: dict[str, list[str]] = defaultdict(list)
        problems: list[str] = []
        for node, d in G.nodes(data=True):
            labels = tuple(d.get("labels") or (d.get("label"),))
            for x in labels:
                _check_label(x)
            if labels[0] != d.get("label"):
                raise StoreError("input", f"node {node!r}: label {d.get('label')!r} is not first in {labels}")
            props = {k: _param(v) for k, v in d.items() if k not in ("label", "labels")}
            props = {k: v for k, v in props.items() if v is not None}
            if props.get("id") != node:
                raise StoreError("input", f"node {node!r}: its id property is {props.get('id')!r}")
            self.node_groups[labels].append({"id": node, "props": props})
            self.ids_by_label[labels[0]].append(node)
            if labels[0] in ("Problem", "Project", "Case"):
                problems.append(node)
        self.chains = sorted(self.ids_by_label.get("Chain", []))
        self.owned = set(problems)  # problems, projects and cases belong to exactly one chain
        self.rel_groups: dict[tuple[str, str, str, bool], list[dict]] = defaultdict(list)
        for u, v, key, d in G.edges(keys=True, data=True):
            rel_type = _check_type(d.get("type", ""))
            props = {k: _param(x) for k, x in d.items() if k != "type"}
            props = {k: x for k, x in props.items() if x is not None}
            if key != rel_key(rel_type, props):
                raise StoreError("input", f"edge {u!r}-{rel_type}->{v!r}: key {key!r} is not {rel_key(rel_type, props)!r}")
            starts, ends = REL_TYPES[rel_type]
            start, end = G.nodes[u]["label"], G.nodes[v]["label"]
            if start not in starts or end not in ends:
                raise StoreError("input", f"edge {u!r}-{rel_type}->{v!r}: {start}->{end} is not allowed")
            identity = {p: props.get(p) for p in REL_IDENTITY.get(rel_type, ())}
            complete = all(x is not None for x in identity.values())
            self.rel_groups[(rel_type, start, end, complete)].append(
                {"start": u, "end": v, "identity": identity, "props": props})

    @property
    def rows(self) -> int:
        return self.G.number_of_nodes() + self.G.number_of_edges()

    def upserts(self, batch_size: int) -> Iterator[tuple[str, list[dict]]]:
        # Nodes before relationships (a relationship MATCHes both ends); within each, a
        # fixed order so a re-run after a crash retraces the same batches.
        for labels in sorted(self.node_groups):
            text = statement("merge_nodes", labels=labels)
            for rows in _chunks(self.node_groups[labels], batch_size):
                yield text, rows
        for rel_type, start, end, complete in sorted(self.rel_groups):
            name = "merge_rels" if complete else "merge_rels_nullable"
            text = statement(name, rel_type=rel_type, start=start, end=end)
            for rows in _chunks(self.rel_groups[(rel_type, start, end, complete)], batch_size):
                yield text, rows


def _run_write(tx, text: str, params: dict):
    return tx.run(text, params).consume().counters


# --------------------------------------------------------------------------- the store

def _driver(uri: str, username: str | None, password: str | None, **config):
    auth = (username or "neo4j", password) if password is not None else None
    config.setdefault("user_agent", "qmap")
    # Server notifications (deprecations, cartesian-product hints) would otherwise be logged
    # as multi-line warnings in the middle of a table or a progress bar.
    config.setdefault("notifications_min_severity", "OFF")
    return GraphDatabase.driver(uri, auth=auth, **config)


def ping(uri: str, username: str | None, password: str | None, timeout: float = 5.0) -> None:
    """Connect and log in once, or raise :class:`StoreError` (``kind`` says why)."""
    try:
        with _driver(uri, username, password, connection_timeout=timeout,
                     connection_acquisition_timeout=timeout) as driver:
            driver.verify_connectivity()
    except Exception as exc:  # noqa: BLE001 -- every failure becomes one clear line
        raise describe_error(exc, uri, username, password) from None


class Neo4jStore:
    """A connection to one Neo4j database: load, read back, query.

    ``driver_config`` goes to :meth:`neo4j.GraphDatabase.driver` (e.g.
    ``max_transaction_retry_time``); no encryption options are set, so ``neo4j+s://`` and
    ``bolt+ssc://`` URIs work as the URI says.
    """

    def __init__(self, uri: str | None, username: str | None = "neo4j", password: str | None = None,
                 database: str | None = None, **driver_config):
        if not uri:
            raise StoreError("config", "没有指定 Neo4j 服务器 no Neo4j server named: run `qmap neo4j start` "
                                       "or set NEO4J_URI (e.g. bolt://127.0.0.1:7687)")
        self.uri = uri
        self.username = username or "neo4j"
        self.database = database or None
        self._password = password
        try:
            self.driver = _driver(uri, self.username, password, **driver_config)
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None

    @classmethod
    def from_env(cls, **driver_config) -> "Neo4jStore":
        env = os.environ
        return cls(env.get("NEO4J_URI"), env.get("NEO4J_USERNAME") or "neo4j", env.get("NEO4J_PASSWORD"),
                   env.get("NEO4J_DATABASE"), **driver_config)

    def __repr__(self) -> str:  # never show the password
        return f"Neo4jStore(uri={safe_uri(self.uri)!r}, username={self.username!r}, database={self.database!r})"

    def __enter__(self) -> "Neo4jStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.driver.close()

    def _error(self, exc: BaseException) -> StoreError:
        return describe_error(exc, self.uri, self.username, self._password)

    @contextmanager
    def _errors(self):
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None

    def _session(self, read: bool = False):
        mode = neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS
        return self.driver.session(database=self.database, default_access_mode=mode)

    def verify(self) -> None:
        """Connect and log in, or raise :class:`StoreError`."""
        with self._errors():
            self.driver.verify_connectivity()

    # -- schema and counts ---------------------------------------------------------------
    def apply_schema(self) -> None:
        """Create the constraints and indexes of ``cypher/schema.cypher`` (idempotent)."""
        with self._errors(), self._session() as session:
            for text in _schema_statements():
                session.run(text).consume()
            # New indexes fill in the background; MERGE should not run before they are usable.
            session.run("CALL db.awaitIndexes(300)").consume()

    def counts(self) -> dict[str, dict[str, int]]:
        """Nodes per schema label and relationships per type, as in :func:`graphmodel.model.summary`."""
        with self._errors(), self._session(read=True) as session:
            def work(tx):
                nodes = {label: tx.run(f"MATCH (n:{_check_label(label)}) RETURN count(n) AS c").single()["c"]
                         for label in LABELS}
                rels = {t: tx.run(f"MATCH ()-[r:{_check_type(t)}]->() RETURN count(r) AS c").single()["c"]
                        for t in REL_TYPES}
                return nodes, rels
            nodes, rels = session.execute_read(work)
        return {"nodes": {k: v for k, v in nodes.items() if v},
                "relationships": {k: v for k, v in rels.items() if v}}

    def wipe(self, batch_size: int = 10000) -> int:
        """Delete every node and relationship (schema stays); for tests and benchmarks."""
        deleted = 0
        with self._errors(), self._session() as session:
            while True:
                n = session.execute_write(lambda tx: tx.run(
                    "MATCH (n) WITH n LIMIT $n DETACH DELETE n RETURN count(*) AS c", n=batch_size).single()["c"])
                deleted += n
                if n < batch_size:
                    return deleted

    # -- load --------------------------------------------------------------------------
    def load(self, G: nx.MultiDiGraph, batch_size: int = DEFAULT_BATCH,
             progress: Callable[[int, int], None] | None = None, atomic: bool = False) -> LoadReport:
        """Make the database hold ``G``'s chains exactly as ``G`` has them (see the module notes).

        ``progress(done, total)`` is called after each committed batch, counting upserted rows.
        """
        if batch_size < 1:
            raise StoreError("input", "batch size must be at least 1")
        started = time.perf_counter()
        plan = _Plan(G)
        report = LoadReport(chains=list(plan.chains), nodes=G.number_of_nodes(), relationships=G.number_of_edges())
        total = plan.rows
        emit = progress or (lambda done, total: None)
        self.apply_schema()
        with self._errors(), self._session() as session:
            if atomic:
                def work(tx):
                    results, done = [], 0
                    for text, rows in plan.upserts(batch_size):
                        results.append(_run_write(tx, text, {"rows": rows}))
                        done += len(rows)
                        emit(done, total)
                    results.extend(self._delete_stale_nodes(tx, plan))
                    for text, rows in self._stale_relationships(tx, plan, batch_size):
                        results.append(_run_write(tx, text, {"rows": rows}))
                    return results

                for counters in session.execute_write(work):
                    report.add(counters)
                report.batches = 1
            else:
                done = 0
                emit(0, total)
                for text, rows in plan.upserts(batch_size):
                    report.add(session.execute_write(_run_write, text, {"rows": rows}))
                    report.batches += 1
                    done += len(rows)
                    emit(done, total)
                for counters in session.execute_write(self._delete_stale_nodes, plan):
                    report.add(counters)
                report.batches += 1
                stale = session.execute_read(lambda tx: list(self._stale_relationships(tx, plan, batch_size)))
                for text, rows in stale:
                    report.add(session.execute_write(_run_write, text, {"rows": rows}))
                    report.batches += 1
        report.seconds = time.perf_counter() - started
        return report

    @staticmethod
    def _delete_stale_nodes(tx, plan: _Plan) -> list:
        """Delete nodes the reloaded chains used that are gone from ``G`` and unused elsewhere."""
        if not plan.chains:
            return []
        reloaded = set(plan.chains)
        candidates: dict[str, list[str]] = defaultdict(list)
        for record in tx.run(statement("chain_users"), chains=plan.chains):
            if record["id"] not in plan.G and (label := _primary(record["labels"])):
                candidates[label].append(record["id"])
        doomed: dict[str, list[str]] = defaultdict(list)
        for label, ids in candidates.items():
            for chunk in _chunks(sorted(ids), _READ_CHUNK):
                for record in tx.run(statement("chain_uses", label=label), ids=chunk):
                    if set(record["chains"]) <= reloaded:
                        doomed[label].append(record["id"])
        return [_run_write(tx, statement("delete_nodes", label=label), {"ids": ids})
                for label, ids in sorted(doomed.items())]

    @staticmethod
    def _stale_relationships(tx, plan: _Plan, batch_size: int) -> Iterator[tuple[str, list[dict]]]:
        """Delete statements for relationships of the reloaded chains that ``G`` no longer has.

        A relationship not in ``G`` is stale when it touches a reloaded chain or one of their
        problems, projects or cases, is a SUPPLIES of a reloaded chain, or joins two nodes that
        are both in ``G`` (the workbook speaks for the links among what it lists), unless it
        is a SUPPLIES of a chain that is not being reloaded.
        """
        G, reloaded, owned = plan.G, set(plan.chains), plan.owned
        known = list(G.nodes)
        found: list = []
        for label, ids in plan.ids_by_label.items():
            text = statement("stale_rels_from", label=label)
            for chunk in _chunks(ids, _READ_CHUNK):
                rows = [{"id": node, "keys": [f"{end}>{key}" for _, end, key in G.out_edges(node, keys=True)]}
                        for node in chunk]
                found.extend(tx.run(text, rows=rows))
        for label in ("Chain", "Problem", "Project"):
            for chunk in _chunks(plan.ids_by_label.get(label, []), _READ_CHUNK):
                found.extend(tx.run(statement("stale_rels_into", label=label), ids=chunk, known=known))
        if plan.chains:
            found.extend(tx.run(statement("supplies_of_chains"), chains=plan.chains, known=known))
        groups: dict[tuple[str, str, str], dict[tuple, dict]] = defaultdict(dict)
        for record in found:
            rel_type, start, end, props = record["type"], record["start"], record["end"], record["props"]
            if rel_type not in REL_TYPES:
                continue
            if G.has_edge(start, end, rel_key(rel_type, props)):
                continue
            other_chains_supply = rel_type == "SUPPLIES" and props.get("chain") not in reloaded
            stale = (
                start in reloaded or end in reloaded
                or start in owned or end in owned
                or (rel_type == "SUPPLIES" and props.get("chain") in reloaded)
                or (start in G and end in G and not other_chains_supply)
            )
            start_label, end_label = _primary(record["start_labels"]), _primary(record["end_labels"])
            if not stale or not start_label or not end_label:
                continue
            identity = {p: props.get(p) for p in REL_IDENTITY.get(rel_type, ())}
            row_key = (start, end, tuple(sorted(identity.items(), key=lambda kv: kv[0])))
            groups[(rel_type, start_label, end_label)][row_key] = {"start": start, "end": end, "identity": identity}
        for (rel_type, start_label, end_label), rows in sorted(groups.items()):
            text = statement("delete_rels", rel_type=rel_type, start=start_label, end=end_label)
            for chunk in _chunks(list(rows.values()), batch_size):
                yield text, chunk

    # -- read back -----------------------------------------------------------------------
    def read_graph(self, chain: str | None = None) -> nx.MultiDiGraph:
        """The database (or one chain's quality map) as the networkx model of
        :func:`graphmodel.model.build_graph` (resp. :func:`graphmodel.model.chain_subgraph`)."""
        from ..model import chain_subgraph, match_chain, unknown_chain

        with self._errors(), self._session(read=True) as session:
            if chain is not None:
                known = session.execute_read(lambda tx: [(r["id"], r["name"]) for r in tx.run(
                    "MATCH (c:Chain) RETURN c.id AS id, c.name AS name ORDER BY c.seq, id")])
                found = match_chain(chain, known)
                if found is None:
                    raise StoreError("input", f"{unknown_chain(chain, [c for c, _ in known])} (Neo4j)")
                chain = found
            H = session.execute_read(self._read, chain)
        if chain is not None:
            H = chain_subgraph(H, chain)
        H.graph["source"] = f"neo4j {safe_uri(self.uri)}"
        return H

    @staticmethod
    def _read(tx, chain: str | None) -> nx.MultiDiGraph:
        H = nx.MultiDiGraph()
        if chain is None:
            nodes = tx.run(statement("all_nodes"), labels=list(LABELS))
        else:
            nodes = tx.run(statement("chain_nodes"), chain=chain)
        ids_by_label: dict[str, list[str]] = defaultdict(list)
        for record in nodes:
            labels = tuple(x for x in _ordered_labels(record["labels"]) if x in LABELS)
            H.add_node(record["id"], label=labels[0], labels=labels, **dict(record["props"]))
            ids_by_label[labels[0]].append(record["id"])
        for label, ids in ids_by_label.items():
            for chunk in _chunks(ids, _READ_CHUNK):
                for record in tx.run(statement("rels_from", label=label), ids=chunk):
                    rel_type, end = record["type"], record["end"]
                    if rel_type not in REL_TYPES or end not in H:
                        continue
                    props = dict(record["props"])
                    H.add_edge(record["start"], end, key=rel_key(rel_type, props), type=rel_type, **props)
        return H

    # -- queries -------------------------------------------------------------------------
    def query(self, cypher: str, params: dict | None = None) -> tuple[list[str], list[list[Any]]]:
        """Run Cypher in READ access mode (the server refuses writes); columns and plain rows."""
        def work(tx):
            result = tx.run(cypher, params or {})
            keys = list(result.keys())
            return keys, [[to_plain(v) for v in record.values()] for record in result]

        with self._errors(), self._session(read=True) as session:
            return session.execute_read(work)


def format_value(value: Any) -> str:
    """One table cell: text as is, everything else as compact JSON (Chinese kept readable)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
