"""The Neo4j store: load the networkx model into Neo4j over Bolt, read it back, run Cypher.

This is the only module that imports the ``neo4j`` driver. Connection settings follow
Neo4j's own names (``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD``,
``NEO4J_DATABASE``); any URI scheme the driver knows works, ``neo4j+s://`` included (the
URI alone decides encryption).

Loading (:meth:`Neo4jStore.load`) is a *sync* of the chains in the workbook:

1. the schema (``cypher/schema.cypher``) is applied, idempotently;
2. nodes, per label, and relationships, per type, are upserted with the parameterised
   ``UNWIND $rows … MERGE`` statements of ``cypher/load/``, in batches (default 5,000 rows),
   each batch one ``execute_write`` transaction, so transient errors are retried; two are in
   flight at once (``workers``), all the nodes committed before any relationship. Nodes
   MERGE on ``id``; relationships on their end nodes, type and ``schema.REL_IDENTITY``
   (SUPPLIES on chain and product…);
3. what the reloaded chains used but the workbook no longer has is removed: nodes that no
   other chain uses (a firm or body still used by another chain stays), then the
   relationships of those chains that are gone from the workbook.
4. the indexes the load left outdated are resampled (:meth:`Neo4jStore.refresh_statistics`):
   the planner costs a plan by index samples, and a sample left from the data set before
   made it scan the MEMBER_OF(role) index over every chain's members instead of expanding
   from the one chain asked for.

Crash safety, and the trade-off behind it. One transaction for a whole load would make a
load all-or-nothing, but its state lives on the server's heap (hundreds of MB for 100k rows
on a 2 GiB heap) and a failure late in the load throws all the work away and starts over.
So the default is batched transactions, each committed on its own, designed so that the
load *converges*: every step is idempotent (MERGE; ``SET n = props`` replaces all
properties) and the clean-up is computed afresh from the database at the time it runs, never
remembered from an earlier attempt. If the server dies mid-load, the database holds some
of the upserts (nodes first: a partial, but never a wrong, graph: every node and relationship
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
import logging
import math
import operator
import os
import re
import secrets
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
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

from ..bulk import without_gc
from ..resources import cypher_text
from ..model import FINISHED, finish_node
from ..schema import DERIVED_LABELS, LABELS, REL_IDENTITY, REL_TYPES, rel_key

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_WORKERS",
    "StoreError",
    "ConflictError",
    "Conflict",
    "LoadReport",
    "SourceReport",
    "Neo4jStore",
    "ping",
    "statement",
    "describe_error",
    "safe_uri",
    "to_plain",
    "plan_operators",
]

# The driver logs each retried transaction (a deadlock between a load's own batches, a
# leader switch) as a multi-line English warning; with no handler of its own, Python would
# print it in the middle of a table or a progress bar. An application that configures
# logging still sees them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

DEFAULT_BATCH = 5000
#: Batched transactions a load keeps in flight (the server commits one while the client sends the next).
DEFAULT_WORKERS = 2
#: Rows per read when looking up nodes by id (reads are cheap; keeps parameters small).
_READ_CHUNK = 5000
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PLAIN = (str, int, bool, float)
_PLAIN_SET = frozenset(_PLAIN)
_PLAIN_NOT_FLOAT = frozenset((str, int, bool))
_BY_ID = operator.itemgetter("id")
_BY_ENDS = operator.itemgetter("start", "end", "key")
_LABEL_SET = frozenset(LABELS)


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


#: Relationships a start node has one of (a problem's chain and affected firm, a project's or
#: case's chain) or an end node has one of (a project's lead): intake reads them from one cell,
#: so two sources naming different ends disagree -- a conflict, like a property.
_ONE_END = {"IN_CHAIN": "start", "AFFECTS": "start", "LEADS": "end"}

#: Properties that are the store's bookkeeping, never data: a load never removes them as
#: "no longer given", read-back and query results leave the ``qmap_`` ones out.
BOOKKEEPING = ("id", "sources", "qmap_marks", "qmap_given", "qmap_key", "qmap_lock")


def _is_bookkeeping(key: str) -> bool:
    return key.startswith("qmap_")


def _label_rules(primary: str | None = None) -> str:
    """Cypher keeping the second labels of ``schema.DERIVED_LABELS`` in step with the
    properties of ``x`` (for one primary label, or for any)."""
    rules = []
    for derived, (base, prop, value) in sorted(DERIVED_LABELS.items()):
        if primary not in (None, base):
            continue
        cond = f"x:{_check_label(base)} AND '{_check_name(value)}' IN coalesce(x.{_check_name(prop)}, [])"
        rules.append(f"FOREACH (_ IN CASE WHEN {cond} THEN [1] ELSE [] END | SET x:{_check_label(derived)})")
        rules.append(f"FOREACH (_ IN CASE WHEN {cond} THEN [] ELSE [1] END | REMOVE x:{derived})")
    rules.extend(_finish_rules(primary))
    return "\n".join(rules) or "WITH *"


#: The server's half of ``model.finish_node``: the properties ``model.FINISHED`` names,
#: recomputed from what all sources give after every merge or withdrawal (a firm no source
#: sizes is an SME; a chain no source marks is not key) -- so one source's blank never
#: overwrites another's value and never clashes with it.
_FINISH = {("Enterprise", "sme"): "coalesce(x.size, '') <> 'large'",
           ("Chain", "key"): "coalesce(x.key, false)"}


def _finish_rules(primary: str | None = None) -> list[str]:
    rules = []
    for label, keys in sorted(FINISHED.items()):
        if primary not in (None, label):
            continue
        for key in keys:
            rules.append(f"FOREACH (_ IN CASE WHEN x:{_check_label(label)} AND x.sources IS NOT NULL THEN [1] ELSE [] END"
                         f" | SET x.{_check_name(key)} = {_FINISH[(label, key)]})")
    return rules


def statement(name: str, *, label: str | None = None, rel_type: str | None = None,
              start: str | None = None, end: str | None = None) -> str:
    """The Cypher text of ``cypher/load/<name>.cypher`` with its placeholders filled in.

    Placeholders only ever receive labels, types and property names of the fixed schema
    (checked here) and the fragments ``contribute.cypher`` and ``withdraw.cypher``; user
    text reaches Cypher only as parameters.

    >>> print(statement("given_nodes", label="Problem"))     # doctest: +NORMALIZE_WHITESPACE
    UNWIND $ids AS id
    MATCH (n:Problem {id: id})
    WHERE any(s IN coalesce(n.sources, []) WHERE NOT s IN $loading)
    RETURN n.id AS ref, properties(n) AS props
    """
    text = _template(name)
    text = text.replace("__CONTRIBUTE__", _template("contribute")).replace("__WITHDRAW__", _template("withdraw"))
    text = text.replace("__BOOKKEEPING__", "[" + ", ".join(f"'{_check_name(k)}'" for k in BOOKKEEPING) + "]")
    # The write lock before any read: set the node's id (or the relationship's key) to itself.
    lock = "SET x.qmap_key = x.qmap_key" if rel_type or name == "withdraw_rels" else "SET x.id = x.id"
    text = text.replace("__LOCK__", lock)
    text = text.replace("__LABEL_RULES__", _label_rules(label))
    text = text.replace("__ANY_LABEL__", "\n  UNION\n  ".join(
        f"MATCH (n:{_check_label(x)} {{id: row.id}}) WHERE row.label <> '{x}' RETURN n"
        for x in LABELS if x not in DERIVED_LABELS))
    if label:
        keep = {label} | {d for d, (base, _, _) in DERIVED_LABELS.items() if base == label}
        text = text.replace("__LABEL__", _check_label(label))
        text = text.replace("__REMOVE_LABELS__", "".join(f":{x}" for x in LABELS if x not in keep))
    if rel_type:
        text = text.replace("__PATTERN__", "(a:__START__ {id: row.one})-[r:__TYPE__]->(b:__END__)"
                            if _ONE_END.get(rel_type) == "start" else "(b:__START__)-[r:__TYPE__]->(a:__END__ {id: row.one})")
        text = text.replace("__TYPE__", _check_type(rel_type)).replace("__START__", _check_label(start or ""))
        text = text.replace("__END__", _check_label(end or ""))
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
        return {"labels": _ordered_labels(value.labels),
                "properties": {k: to_plain(v) for k, v in _data(dict(value.items())).items()}}
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type,
                "start": value.start_node.get("id") if value.start_node is not None else None,
                "end": value.end_node.get("id") if value.end_node is not None else None,
                "properties": {k: to_plain(v) for k, v in _data(dict(value.items())).items()}}
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


def _data(props: dict) -> dict:
    """A node's or relationship's properties without the store's bookkeeping (``sources`` sorted
    as the model has it)."""
    out = {k: v for k, v in props.items() if not _is_bookkeeping(k)}
    if "sources" in out:
        out["sources"] = sorted(out["sources"])
    return out


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
class SourceReport:
    """One source's part of a load: what it gives now, what it newly gives (``*_added``) and
    what it gave before and no longer does (``*_withdrawn``)."""

    name: str
    nodes: int = 0
    relationships: int = 0
    nodes_added: int = 0
    relationships_added: int = 0
    nodes_withdrawn: int = 0
    relationships_withdrawn: int = 0


@dataclass
class LoadReport:
    """What a load did. ``*_created``/``*_deleted`` come from the server's own counters, so
    loading the same workbook twice reports zeros the second time; ``per_source`` says it
    per source (a node two sources give is created once, but added by both)."""

    chains: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    per_source: dict[str, SourceReport] = field(default_factory=dict)
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


@dataclass
class Conflict:
    """A value a loaded source gives that another source already in the database gives
    differently (or an id or uscc another source uses for something else)."""

    what: str           # e.g. "Enterprise S1", "SUPPLIES E1->E2 (C1, 玻璃)"
    key: str            # the property, or "id" / "uscc"
    value: Any
    sources: list[str]
    other_value: Any
    other_sources: list[str]

    def __str__(self) -> str:
        return (f"冲突 conflict: {self.what} 的 {self.key}：{format_value(self.value)!s}"
                f"（来源 {'、'.join(self.sources)}）≠ 数据库中 {format_value(self.other_value)!s}"
                f"（来源 {'、'.join(self.other_sources)}）")


class ConflictError(StoreError):
    """A load refused before anything was written: what it gives conflicts with what other
    sources already put in the database. ``conflicts`` lists every one; ``str()`` is one line."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        sources = sorted({s for c in conflicts for s in c.other_sources})
        super().__init__("conflict", f"与数据库中其他来源冲突，未写入任何内容 refused, nothing written: "
                                     f"{len(conflicts)} conflict(s) with {', '.join(sources)} "
                                     f"(first: {conflicts[0]})")


def _same(a: Any, b: Any) -> bool:
    """Two sources agree on a value (as intake compares them: lists as sets; a bool is no number)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return {repr(x) for x in a} == {repr(x) for x in b} if a and b else not a and not b
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _mark() -> str:
    """A new run mark: unique, one full-text term (lower-case letters and digits)."""
    return "m" + secrets.token_hex(8)


def _source_name(G: nx.MultiDiGraph) -> str:
    source = G.graph.get("source") or "graph"
    return Path(str(source)).name or str(source)


class _GivenKeys:
    """Which property keys each source gave an entity: from the model's
    ``G.graph["source_values"]`` (a blank is not given, so two sources of one firm may give
    different keys), else from ``G.graph["given"]`` ({entity: {source: keys}}) where only
    differing entities are listed; ``None`` means every source gave all the entity has."""

    def __init__(self, G: nx.MultiDiGraph):
        self.values = G.graph.get("source_values")
        self.given = G.graph.get("given") or {}
        values = self.values or {}
        self.nodes = {s: v.get("nodes", {}) for s, v in values.items()}
        self.rels = {s: v.get("rels", {}) for s, v in values.items()}

    def node(self, node: str, srcs: list[str]) -> dict | None:
        if self._known(srcs):
            return {s: self.nodes[s].get(node, _EMPTY).keys() for s in srcs}
        return self.given.get(node)

    def _known(self, srcs: list[str]) -> bool:
        # values recorded under other names (a graph renamed after it was built) say nothing
        if self.values is None:
            return False
        for s in srcs:
            if s not in self.values:
                return False
        return True

    def rel(self, u: str, v: str, key: str, srcs: list[str]) -> dict | None:
        if len(srcs) == 1 and srcs[0] in self.rels:  # (the usual row, without _known's loop)
            return {srcs[0]: self.rels[srcs[0]].get(u, _EMPTY).get(v, _EMPTY).get(key, _EMPTY).keys()}
        if self._known(srcs):
            return {s: self.rels[s].get(u, _EMPTY).get(v, _EMPTY).get(key, _EMPTY).keys() for s in srcs}
        return self.given.get((u, v, key))


_EMPTY: dict = {}


def _gave(key: str, given: dict | None, props: dict) -> bool:
    """Whether a source being loaded gave ``key`` itself rather than the model deriving it.
    Without a record of given keys: ``sme`` is always derived, a chain's ``key`` given when set."""
    if given is not None:
        return any(key in keys for keys in given.values())
    return key != "sme" and bool(props[key])


class _Plan:
    """The rows of one load, grouped so each statement has fixed labels and type.

    Each row carries the properties the loaded sources give (``props``) and, per source that
    gives it, ``[source, run mark, given keys]`` (``given``). Which keys a source gave comes
    from ``G.graph["given"]`` where the model records it (a blank never disagrees, so two
    sources may give different keys); otherwise every source of an entity gave all it has.
    """

    @without_gc   # a row dict per entity: the cyclic collector would rescan them all, over and over
    def __init__(self, G: nx.MultiDiGraph, marks: dict[str, str] | None = None):
        self.G = G
        declared = list(G.graph.get("sources") or ())
        default = None if declared else _source_name(G)
        given_by = _GivenKeys(G)
        found: set[str] = set(declared) | ({default} if default else set())
        self.node_groups: dict[str, list[dict]] = defaultdict(list)
        self.rel_groups: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
        names_ok: set[str] = set()     # property names checked once, not once per row
        sources_of: dict[tuple, list[str]] = {}
        # Marks are drawn as sources turn up, so each row's [source, mark, keys] entries are
        # made in the one pass; a passed-in mapping is used as given.
        run_marks: dict[str, str] = dict(marks) if marks else {}
        drawn = not marks
        given_of: dict[tuple, tuple] = {}   # rows of one shape share one entry
        tally: dict[tuple, list[int]] = {}  # [nodes, relationships] per source list

        def mark(s: str) -> str:
            if drawn and s not in run_marks:
                run_marks[s] = _mark()
            return run_marks[s]

        node_skip = frozenset(("label", "labels", "sources"))
        edge_skip = frozenset(("type", "sources"))
        # names_ok with each kind's skipped keys: a row whose keys are all in it is checked in one C-level step
        known = {node_skip: set(node_skip), edge_skip: set(edge_skip)}

        def slow_clean(d: dict, skip, what) -> dict:
            props = {}
            for k, v in d.items():
                if k in skip:
                    continue
                if k not in names_ok:
                    if _is_bookkeeping(_check_name(k)):
                        raise StoreError("input", f"{what()}: property {k!r} is reserved for the store")
                    names_ok.add(k)
                    for names in known.values():
                        names.add(k)
                if type(v) not in _PLAIN:
                    v = _param(v)
                elif type(v) is float and v != v:        # NaN is no value
                    v = None
                if v is not None:
                    props[k] = v
            return props

        def clean(d: dict, skip: frozenset, what) -> dict:
            # The common row (known names, plain values, no NaN) is kept whole by C-level
            # steps; anything else goes through the checks one value at a time.
            if not d.keys() <= known[skip]:
                return slow_clean(d, skip, what)
            props = {k: v for k, v in d.items() if v is not None and k not in skip}
            kinds = set(map(type, props.values()))
            if kinds <= _PLAIN_NOT_FLOAT:
                return props
            if kinds <= _PLAIN_SET and not any(v != v for v in props.values() if type(v) is float):
                return props
            return slow_clean(d, skip, what)

        def sources(d: dict, what) -> list[str]:
            given = d.get("sources")
            if given is None and default is not None:
                return [default]
            if not given:
                raise StoreError("input", f"{what()}: no sources")
            key = tuple(given)
            if key not in sources_of:
                sources_of[key] = sorted({str(s) for s in given})
                found.update(sources_of[key])
            return sources_of[key]

        def entry(props: dict, srcs: list[str], given: dict | None, kind: int) -> tuple:
            """The row's [source, mark, given keys] per source, and its count."""
            srcs_key = tuple(srcs)
            if given is not None:
                if len(srcs) == 1:  # (the usual row: no generator)
                    shape = (tuple(props), srcs_key, (tuple(given[srcs[0]]) if srcs[0] in given else None,))
                else:
                    shape = (tuple(props), srcs_key, tuple(tuple(given[s]) if s in given else None for s in srcs))
                if shape not in given_of:
                    data_keys = sorted(k for k in props if k != "id")
                    given_of[shape] = tuple(
                        (s, mark(s), ",".join(sorted(k for k in given[s] if k != "id")
                                              if s in given else data_keys))
                        for s in srcs)
            else:
                shape = (tuple(props), srcs_key)
                if shape not in given_of:
                    keys = ",".join(sorted(k for k in props if k != "id"))
                    given_of[shape] = tuple((s, mark(s), keys) for s in srcs)
            counts = tally.get(srcs_key)
            if counts is None:
                counts = tally[srcs_key] = [0, 0]
            counts[kind] += 1
            return given_of[shape]

        labels_ok: set[tuple] = set()
        for node, d in G._node.items():
            labels = tuple(d.get("labels") or (d.get("label"),))
            if (labels, d.get("label")) not in labels_ok:
                if labels[0] != d.get("label") or not set(labels) <= _LABEL_SET:
                    for x in labels:
                        _check_label(x)
                    raise StoreError("input", f"node {node!r}: label {d.get('label')!r} is not first in {labels}")
                labels_ok.add((labels, d.get("label")))
            props = clean(d, node_skip, lambda: f"node {node!r}")
            if props.get("id") != node:
                raise StoreError("input", f"node {node!r}: its id property is {props.get('id')!r}")
            srcs = sources(d, lambda: f"node {node!r}")
            given = given_by.node(node, srcs)
            for k in FINISHED.get(labels[0], ()):
                # Derived or defaulted (model.finish_node): sent only where a source gave it;
                # the server recomputes it from what all sources give (_finish_rules).
                if k in props and not _gave(k, given, props):
                    del props[k]
            self.node_groups[labels[0]].append({"id": node, "props": props, "given": entry(props, srcs, given, 0)})
        primary = {n: d["label"] for n, d in G._node.items()}
        for u, ends in G._succ.items():
            start = primary[u]
            for v, keyed in ends.items():
                end = primary[v]
                for key, d in keyed.items():
                    rel_type = d.get("type", "")
                    if rel_type not in REL_TYPES:
                        _check_type(rel_type)
                    what = lambda: f"edge {u!r}-{rel_type}->{v!r}"  # noqa: E731
                    props = clean(d, edge_skip, what)
                    if key != (rel_type if rel_type not in REL_IDENTITY else rel_key(rel_type, props)):
                        raise StoreError("input", f"{what()}: key {key!r} is not {rel_key(rel_type, props)!r}")
                    starts, ends_ok = REL_TYPES[rel_type]
                    if start not in starts or end not in ends_ok:
                        raise StoreError("input", f"{what()}: {start}->{end} is not allowed")
                    srcs = sources(d, what)
                    self.rel_groups[(rel_type, start, end)].append(
                        {"start": u, "end": v, "key": key, "props": props,
                         "given": entry(props, srcs, given_by.rel(u, v, key, srcs), 1)})
        self.sources = sorted(found)
        self.marks = {s: mark(s) for s in self.sources} if drawn else run_marks
        self.counts = {s: [0, 0] for s in self.sources}
        for srcs_key, (nodes, rels) in tally.items():
            for s in srcs_key:
                self.counts[s][0] += nodes
                self.counts[s][1] += rels
        for rows in self.node_groups.values():
            rows.sort(key=_BY_ID)          # one lock order for every load
        for rows in self.rel_groups.values():
            rows.sort(key=_BY_ENDS)
        self.chains = sorted(r["id"] for r in self.node_groups.get("Chain", []))

    @property
    def rows(self) -> int:
        return self.G.number_of_nodes() + self.G.number_of_edges()

    def final_nodes(self) -> Iterator[tuple[str, tuple[str, ...], dict]]:
        """(primary label, labels, properties) of every node as loading this plan into an
        empty database leaves it: what ``merge_nodes.cypher`` computes from the same rows
        (the sent properties, the derived labels and ``model.FINISHED`` values, the
        bookkeeping of ``contribute.cypher``). The bulk path writes exactly these.

        >>> from graphmodel.model import add_node
        >>> G = nx.MultiDiGraph(source="a.xlsx"); add_node(G, "E1", ("Enterprise",), name="甲")
        >>> [(l, p["sme"], p["sources"]) for _, l, p in _Plan(G).final_nodes()]
        [(('Enterprise',), True, ['a.xlsx'])]
        """
        for label in sorted(self.node_groups):
            for row in self.node_groups[label]:
                props = dict(row["props"])
                labels, finished = finish_node(label, props)
                for key in FINISHED.get(label, ()):
                    props[key] = finished[key]
                props.update(_bookkeeping(row["given"]))
                yield label, labels, props

    def final_rels(self) -> Iterator[tuple[tuple[str, str, str], str, str, dict]]:
        """((type, start label, end label), start id, end id, properties) of every relationship
        as loading this plan into an empty database leaves it (``merge_rels.cypher``: the
        key as ``qmap_key``, the sent properties, the bookkeeping)."""
        for group in sorted(self.rel_groups):
            for row in self.rel_groups[group]:
                props = {"qmap_key": row["key"], **row["props"], **_bookkeeping(row["given"])}
                yield group, row["start"], row["end"], props

    def transactions(self, batch_size: int) -> Iterator[list[tuple[str, list[dict], bool]]]:
        """The upserts, packed into transactions of at most ``batch_size`` rows."""
        return _packed(self.upserts(batch_size), batch_size)

    def upserts(self, batch_size: int) -> Iterator[tuple[str, list[dict], bool]]:
        """(statement, rows, nodes?) batches. Nodes before relationships (a relationship
        MATCHes both ends); within each, a fixed order so a re-run retraces the same batches."""
        for label in sorted(self.node_groups):
            text = statement("merge_nodes", label=label)
            for rows in _chunks(self.node_groups[label], batch_size):
                yield text, rows, True
        for rel_type, start, end in sorted(self.rel_groups):
            text = statement("merge_rels", rel_type=rel_type, start=start, end=end)
            for rows in _chunks(self.rel_groups[(rel_type, start, end)], batch_size):
                yield text, rows, False


def _bookkeeping(given: tuple) -> dict:
    """The bookkeeping ``contribute.cypher`` leaves on an entity no other source gives, from
    the row's ``given`` entries ([source, mark, keys], sorted by source)."""
    return {"sources": [e[0] for e in given], "qmap_marks": " ".join(e[1] for e in given),
            "qmap_given": [e[2] for e in given]}


def _wire(rows: list[dict], is_node: bool) -> dict:
    """One batch as the statement's parameters: rows as lists, each source list once per batch."""
    table: dict[tuple, int] = {}
    out = []
    for r in rows:
        g = table.setdefault(r["given"], len(table))
        props = {k: v for k, v in r["props"].items() if k != "id"}
        out.append([r["id"], props, g] if is_node else [r["start"], r["end"], r["key"], props, g])
    return {"rows": out, "given": [[list(e) for e in given] for given in table]}


def _packed(batches: Iterable[tuple[str, list[dict], bool]], size: int) -> Iterator[list]:
    """Consecutive batches joined into transactions of about ``size`` rows (small groups share
    one commit: a district workbook loads in a few transactions, not one per label and type)."""
    pack, rows = [], 0
    for batch in batches:
        if pack and rows + len(batch[1]) > size:
            yield pack
            pack, rows = [], 0
        pack.append(batch)
        rows += len(batch[1])
    if pack:
        yield pack


def _phases(transactions: Iterable[list[tuple[str, list[dict], bool]]]) -> Iterator[list[list]]:
    """Consecutive transactions that may commit in any order: all of nodes, or all of
    relationships; a transaction with both (a small workbook's) is a phase of its own. The
    plan sends every node before any relationship, so each relationship's ends are committed
    by an earlier phase or its own transaction."""
    phase: list[list] = []
    kind = None
    for tx in transactions:
        kinds = {is_node for _, _, is_node in tx}
        this = kinds.pop() if len(kinds) == 1 else "both"
        if phase and (this != kind or this == "both"):
            yield phase
            phase = []
        phase.append(tx)
        kind = this
    if phase:
        yield phase


def _run_write(tx, text: str, params: dict):
    return tx.run(text, params).consume().counters


def _upsert(tx, text: str, rows: list[dict], is_node: bool, loading: list[str]):
    """One batch of contributions; a clash (a concurrent load of another source gave a
    different value since the check) rolls the batch back and stops the load."""
    result = tx.run(text, _wire(rows, is_node), loading=loading)
    record = result.single()
    counters = result.consume().counters
    if record["clashes"]:
        first = record["clashes"][0]
        raise StoreError("conflict", f"冲突 conflict: {first[0]} 的 {', '.join(first[1:])} 已由另一来源写入不同的值 "
                                     f"(another source loading at the same time gives a different value; this batch "
                                     f"was rolled back, nothing of the other source was overwritten); resolve it and "
                                     f"re-run the load")
    return counters, record["added"]


def _upserts(tx, batch: list[tuple[str, list[dict], bool]], loading: list[str]):
    return [(is_node, _upsert(tx, text, rows, is_node, loading)) for text, rows, is_node in batch]


def _withdraw(tx, text: str, source: str, mark: str, batch: int):
    result = tx.run(text, source=source, mark=mark, batch=batch)
    withdrawn = result.single()["withdrawn"]
    return result.consume().counters, withdrawn


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


# An index sample is outdated once the updates since it pass this share of the index (Neo4j's
# db.index_sampling.update_percentage, 5 by default).
_SAMPLE_UPDATE_RATIO = 0.05


def _index_samples(session) -> dict[str, tuple[int, int]]:
    """Range index name → (updates since its sample, entries)."""
    names = {(tuple(r["labelsOrTypes"]), tuple(r["properties"])): r["name"]
             for r in session.run("SHOW RANGE INDEXES YIELD name, labelsOrTypes, properties")}
    counts = session.run("CALL db.stats.retrieve('GRAPH COUNTS') YIELD data RETURN data.indexes AS ix").single()["ix"]
    found = {}
    for ix in counts:
        key = (tuple(ix.get("labels") or ix.get("relationshipTypes") or ()), tuple(ix["properties"]))
        if ix["indexType"] == "RANGE" and key in names:
            found[names[key]] = (ix["updatesSinceEstimation"], ix["totalSize"])
    return found


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

    def _session(self, read: bool = False, bookmarks=None):
        mode = neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS
        return self.driver.session(database=self.database, default_access_mode=mode, bookmark_manager=bookmarks)

    def verify(self) -> None:
        """Connect and log in, or raise :class:`StoreError`."""
        with self._errors():
            self.driver.verify_connectivity()

    # -- schema and counts ---------------------------------------------------------------
    def apply_schema(self) -> None:
        """Create the constraints and indexes of ``cypher/schema.cypher`` (idempotent)."""
        with self._errors(), self._session() as session:
            for text in _schema_statements():
                # A managed transaction: two first loads into an empty database create the same
                # constraint at once, and the loser's deadlock is transient, so it is retried.
                session.execute_write(_run_write, text, {})
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
        # Relationships first, in batches of their own: a batch of nodes detached with all their
        # relationships is unbounded (a 20,000-firm chain is one node), and on the 1M-firm city
        # it ran out of transaction memory.
        steps = ("MATCH ()-[r]->() WITH r LIMIT $n DELETE r RETURN count(*) AS c",
                 "MATCH (n) WITH n LIMIT $n DETACH DELETE n RETURN count(*) AS c")
        with self._errors(), self._session() as session:
            for text in steps:
                while True:
                    n = session.execute_write(lambda tx: tx.run(text, n=batch_size).single()["c"])
                    if text is steps[1]:
                        deleted += n
                    if n < batch_size:
                        break
        return deleted

    # -- load --------------------------------------------------------------------------
    def sources(self) -> dict[str, list[str]]:
        """The sources loaded into the database (name → run marks that may still be on its data)."""
        with self._errors(), self._session(read=True) as session:
            return session.execute_read(lambda tx: {r["name"]: list(r["runs"]) for r in tx.run(statement("sources"))})

    def load(self, G: nx.MultiDiGraph, batch_size: int = DEFAULT_BATCH,
             progress: Callable[[int, int], None] | None = None, atomic: bool = False,
             workers: int = DEFAULT_WORKERS) -> LoadReport:
        """Load every source of ``G`` (``G.graph["sources"]``): each replaces its own
        contributions and nothing else (see the module notes).

        ``workers`` batched transactions are in flight at once (1: one after another), so the
        server works on one batch while the client prepares and sends the next.

        Raises :class:`ConflictError`, before anything is written, when a source gives a
        value that another source already in the database gives differently.
        ``progress(done, total)`` is called after each committed batch, counting upserted rows.
        """
        if batch_size < 1:
            raise StoreError("input", "batch size must be at least 1")
        if workers < 1:
            raise StoreError("input", "workers must be at least 1")
        started = time.perf_counter()
        plan = _Plan(G)
        report = LoadReport(chains=list(plan.chains), sources=list(plan.sources), nodes=G.number_of_nodes(),
                            relationships=G.number_of_edges())
        report.per_source = {s: SourceReport(s, *plan.counts[s]) for s in plan.sources}
        total = plan.rows
        emit = progress or (lambda done, total: None)
        self.apply_schema()
        # The load's sessions (up to `workers` at once) read each other's writes, on a cluster too.
        bookmarks = GraphDatabase.bookmark_manager()
        with self._errors(), self._session(bookmarks=bookmarks) as session:
            registered = session.execute_read(lambda tx: {r["name"] for r in tx.run(statement("sources"))})
            if registered - set(plan.sources):
                conflicts = session.execute_read(self._conflicts, plan)
                if conflicts:
                    raise ConflictError(conflicts)
            if atomic:
                def work(tx):
                    done, results = 0, []
                    runs = {s: self._begin(tx, s, plan.marks[s]) for s in plan.sources}
                    for text, rows, is_node in plan.upserts(batch_size):
                        results.append((is_node, _upsert(tx, text, rows, is_node, plan.sources)))
                        done += len(rows)
                        emit(done, total)
                    withdrawn = [(s, name, _withdraw(tx, statement(name), s, old, 2 ** 62))
                                 for s in plan.sources for old in runs[s] if old != plan.marks[s]
                                 for name in ("withdraw_rels", "withdraw_nodes")]
                    for s in plan.sources:
                        tx.run(statement("source_end"), name=s, mark=plan.marks[s]).consume()
                    return results, withdrawn

                results, withdrawn = session.execute_write(work)
                report.batches = 1
            else:
                runs = {s: session.execute_write(self._begin, s, plan.marks[s]) for s in plan.sources}
                withdrawn = []
                results = self._commit(plan, batch_size, emit, total, report, workers, bookmarks)
                # Relationships first: a node is deleted only once nothing links to it.
                for name in ("withdraw_rels", "withdraw_nodes"):
                    text = statement(name)
                    for s in plan.sources:
                        for old in runs[s]:
                            if old == plan.marks[s]:
                                continue
                            while True:
                                step = session.execute_write(_withdraw, text, s, old, batch_size)
                                withdrawn.append((s, name, step))
                                report.batches += 1
                                if step[1] < batch_size:
                                    break
                for s in plan.sources:
                    session.execute_write(lambda tx, s=s: tx.run(statement("source_end"), name=s,
                                                                 mark=plan.marks[s]).consume())
        for is_node, (counters, added) in results:
            report.add(counters)
            for s, n in zip(plan.sources, added):
                if is_node:
                    report.per_source[s].nodes_added += n
                else:
                    report.per_source[s].relationships_added += n
        for s, name, (counters, n) in withdrawn:
            report.add(counters)
            if name == "withdraw_nodes":
                report.per_source[s].nodes_withdrawn += n
            else:
                report.per_source[s].relationships_withdrawn += n
        self.refresh_statistics()
        report.seconds = time.perf_counter() - started
        return report

    def _commit(self, plan: _Plan, batch_size: int, emit: Callable[[int, int], None], total: int,
                report: LoadReport, workers: int, bookmarks) -> list:
        """Commit the plan's upserts as batched transactions, up to ``workers`` at once.

        A relationship MATCHes both its ends, so the transactions run in phases
        (:func:`_phases`): every node a phase may need was committed by an earlier phase. The
        sessions share the load's bookmark manager, so on a cluster each phase also reads what
        was written before it. Within a phase the batches touch disjoint nodes or
        relationships; two that wait on one end node's lock may deadlock, and the server's
        transient error makes ``execute_write`` retry the loser.
        """
        def commit(batch):
            with self._session(bookmarks=bookmarks) as session:
                return session.execute_write(_upserts, batch, plan.sources)

        results, done = [], 0
        emit(0, total)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="qmap-load") as pool:
            for phase in _phases(plan.transactions(batch_size)):
                pending = [pool.submit(commit, batch) for batch in phase]
                try:
                    for batch, future in zip(phase, pending):
                        results.extend(future.result())
                        report.batches += 1
                        done += sum(len(rows) for _, rows, _ in batch)
                        emit(done, total)
                except BaseException:
                    for future in pending:
                        future.cancel()
                    raise
        return results

    def refresh_statistics(self, timeout: float = 60.0) -> bool:
        """Resample the indexes a load left outdated and wait for it, so that the next queries
        are planned on what the database holds; True when every resample is done in time.

        Cached plans stay: Neo4j replans one whose statistics have moved on by itself, and
        clearing them all (``db.prepareForReplanning``) made every load after it re-plan each
        of its own statements, 1 s → 5 s per district of the demo.
        """
        deadline = time.monotonic() + timeout
        with self._errors(), self._session() as session:
            waiting = {name: updates for name, (updates, size) in _index_samples(session).items()
                       if updates > _SAMPLE_UPDATE_RATIO * size}
            for name in waiting:
                session.run("CALL db.resampleIndex($name)", name=name).consume()
            while waiting:
                if time.monotonic() > deadline:
                    return False   # the server's own sampler follows
                time.sleep(0.02)
                now = _index_samples(session)
                # a resample resets the count; other writers may have added a few since
                waiting = {name: u for name, u in waiting.items() if now.get(name, (0, 0))[0] >= u}
        return True

    @staticmethod
    def _begin(tx, source: str, mark: str) -> list[str]:
        return list(tx.run(statement("source_begin"), name=source, mark=mark).single()["runs"])

    @staticmethod
    def _conflicts(tx, plan: _Plan) -> list[Conflict]:
        """Every conflict between what ``plan`` gives and what sources not being loaded gave."""
        loading = plan.sources
        found: list[Conflict] = []

        def compare(what: str, row: dict, db: dict) -> None:
            others = {s: set(g.split(",")) for s, g in zip(db.get("sources") or (), db.get("qmap_given") or ())
                      if s not in loading}
            for key, value in sorted(row["props"].items()):
                givers = sorted(s for s, keys in others.items() if key in keys)
                if key == "id" or not givers or key not in db or _same(db[key], value):
                    continue
                mine = [s for s, _, keys in row["given"] if key in keys.split(",")]
                found.append(Conflict(what, key, value, mine, db[key], givers))

        for label, rows in sorted(plan.node_groups.items()):
            by_id = {r["id"]: r for r in rows}
            text = statement("given_nodes", label=label)
            for chunk in _chunks(list(by_id), _READ_CHUNK):
                for record in tx.run(text, ids=chunk, loading=loading):
                    compare(f"{label} {record['ref']}", by_id[record["ref"]], record["props"])
        for (rel_type, start, end), rows in sorted(plan.rel_groups.items()):
            by_ref = {(r["start"], r["key"], r["end"]): r for r in rows}
            text = statement("given_rels", rel_type=rel_type, start=start, end=end)
            for chunk in _chunks(rows, _READ_CHUNK):
                refs = [{"start": r["start"], "end": r["end"], "key": r["key"]} for r in chunk]
                for record in tx.run(text, rows=refs, loading=loading):
                    a, key, b = record["ref"]
                    compare(f"{rel_type} {a}->{b} ({key})", by_ref[(a, key, b)], record["props"])
        # One id is one node: an id another source gives to a node of another label.
        labelled = [{"id": r["id"], "label": label} for label, rows in sorted(plan.node_groups.items()) for r in rows]
        by_id = {r["id"]: r for rows in plan.node_groups.values() for r in rows}
        for chunk in _chunks(labelled, _READ_CHUNK):
            for record in tx.run(statement("ids_elsewhere"), rows=chunk, loading=loading):
                found.append(Conflict(f"{record['label']} {record['id']}", "id", record["label"],
                                      [g[0] for g in by_id[record["id"]]["given"]], record["other"],
                                      list(record["sources"])))
        # A problem's chain or firm, a project's lead: one per row, the same in every source.
        for (rel_type, start, end), rows in sorted(plan.rel_groups.items()):
            side = _ONE_END.get(rel_type)
            if side is None:
                continue
            text = statement("ends_elsewhere", rel_type=rel_type, start=start, end=end)
            pairs = [{"one": r["start"], "other": r["end"]} if side == "start" else {"one": r["end"], "other": r["start"]}
                     for r in rows]
            by_one = {p["one"]: r for p, r in zip(pairs, rows)}
            for chunk in _chunks(pairs, _READ_CHUNK):
                for record in tx.run(text, rows=chunk, loading=loading):
                    row = by_one[record["one"]]
                    found.append(Conflict(f"{start if side == 'start' else end} {record['one']}", rel_type,
                                          record["other"], [g[0] for g in row["given"]], record["elsewhere"],
                                          list(record["sources"])))
        # The same uscc under two enterprise ids.
        usccs = [{"id": r["id"], "uscc": r["props"]["uscc"]} for r in plan.node_groups.get("Enterprise", [])
                 if r["props"].get("uscc") is not None]
        by_id = {r["id"]: r for r in plan.node_groups.get("Enterprise", [])}
        for chunk in _chunks(usccs, _READ_CHUNK):
            for record in tx.run(statement("uscc_elsewhere"), rows=chunk, loading=loading):
                found.append(Conflict(f"Enterprise {record['id']}", "uscc", record["uscc"],
                                      [g[0] for g in by_id[record["id"]]["given"]],
                                      f"{record['uscc']}（企业 {record['other']}）", list(record["sources"])))
        return found

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
            H.add_node(record["id"], label=labels[0], labels=labels, **_data(record["props"]))
            ids_by_label[labels[0]].append(record["id"])
        for label, ids in ids_by_label.items():
            for chunk in _chunks(ids, _READ_CHUNK):
                for record in tx.run(statement("rels_from", label=label), ids=chunk):
                    rel_type, end = record["type"], record["end"]
                    if rel_type not in REL_TYPES or end not in H:
                        continue
                    props = _data(record["props"])
                    H.add_edge(record["start"], end, key=rel_key(rel_type, props), type=rel_type, **props)
        H.graph["sources"] = sorted({s for _, d in H.nodes(data=True) for s in d.get("sources", ())}
                                    | {s for _, _, d in H.edges(data=True) for s in d.get("sources", ())})
        return H

    # -- queries -------------------------------------------------------------------------
    def profile(self, cypher: str, params: dict | None = None) -> dict:
        """Run read-only Cypher under PROFILE; the plan as a dict (``operatorType``, ``args``
        with ``Details``, ``rows``, ``dbHits``, ``children``), e.g. to check that a query seeks
        an index instead of scanning a label (:func:`plan_operators` walks it)."""
        def work(tx):
            result = tx.run("PROFILE " + cypher, params or {})
            for _ in result:  # pulled, not discarded: the server has no profile of a discarded big result
                pass
            return result.consume().profile

        with self._errors(), self._session(read=True) as session:
            return session.execute_read(work)

    def query(self, cypher: str, params: dict | None = None) -> tuple[list[str], list[list[Any]]]:
        """Run Cypher in READ access mode (the server refuses writes); columns and plain rows."""
        def work(tx):
            result = tx.run(cypher, params or {})
            keys = list(result.keys())
            return keys, [[to_plain(v) for v in record.values()] for record in result]

        with self._errors(), self._session(read=True) as session:
            return session.execute_read(work)


def plan_operators(plan: dict) -> Iterator[dict]:
    """Every operator of a PROFILE/EXPLAIN plan (as :meth:`Neo4jStore.profile` returns it), depth first."""
    yield plan
    for child in plan.get("children") or ():
        yield from plan_operators(child)


def format_value(value: Any) -> str:
    """One table cell: text as is, everything else as compact JSON (Chinese kept readable)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
