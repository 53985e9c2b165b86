"""The Cypher library: the named analyses as query files, run on Neo4j.

Each analysis of :mod:`graphmodel.analyses` has a parameterised query file
``cypher/queries/<name>.cypher`` (plain Cypher for Neo4j 5.26 Community: no APOC,
no GDS; parameters ``$chain`` and ``$problem``). :func:`run_analysis` runs one and
returns the same DataFrame as the embedded function: same columns, same row
order, same rules. critical-suppliers is the one hybrid: its query returns the
chain's supply subgraph and the betweenness scores are computed in Python by
:func:`graphmodel.analyses.betweenness_scores`, as the file's header says.

Unknown chain and problem ids are checked on the server first and raise
:class:`graphmodel.analyses.UnknownIdError`, exactly as on the embedded graph.

>>> from graphmodel.store.cypher_library import run_analysis            # doctest: +SKIP
>>> run_analysis(settings, "uncovered-problems", chain="SH01")           # doctest: +SKIP
>>> with Neo4jStore.from_env() as store:                                  # doctest: +SKIP
...     frame = run_analysis(store, "problem-impact", problem="P0002")
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Mapping

import pandas as pd

from ..analyses import ANALYSES, UnknownIdError, betweenness_scores, frame_from_rows, rank_scores
from ..model import match_chain, unknown_chain
from ..schema import ENUMS, NQI_PILLARS
from ..resources import cypher_file
from .neo4j import Neo4jStore, StoreError, describe_error, to_plain

__all__ = ["StoreError", "query_path", "read_query", "run_query", "run_query_file", "run_analysis"]


def query_path(name: str):
    """The query file of a named analysis (``uncovered-problems`` → ``queries/uncovered-problems.cypher``),
    found through :mod:`graphmodel.resources` (``$QMAP_CYPHER_DIR`` or the packaged library)."""
    if name not in ANALYSES:
        raise ValueError(f"未知的分析 unknown analysis: {name} (choose from {', '.join(ANALYSES)})")
    return cypher_file("queries", ANALYSES[name].cypher)


def read_query(name: str) -> str:
    """The text of a named analysis's query file (UTF-8; the header comments included)."""
    return query_path(name).read_text(encoding="utf-8")


@contextmanager
def _store(target: Any) -> Iterator[Any]:
    """Something to run read queries on, from what the caller has.

    A :class:`Neo4jStore` or a neo4j ``Session`` or ``Driver`` is used as is (the caller
    owns it). Anything else is taken as connection settings (``uri``, ``username``,
    ``password``, ``database`` attributes, e.g. the CLI's ``Neo4jSettings``): a store is
    opened for the call, checked at once so a wrong address or password fails in a
    second instead of after half a minute of retries, and closed afterwards.
    """
    if isinstance(target, Neo4jStore) or _is_session(target) or _is_driver(target):
        yield target
        return
    store = Neo4jStore(getattr(target, "uri", None), getattr(target, "username", None) or "neo4j",
                       getattr(target, "password", None), getattr(target, "database", None),
                       connection_timeout=10, max_transaction_retry_time=0)
    try:
        store.verify()
        yield store
    finally:
        store.close()


def _is_session(target: Any) -> bool:
    return hasattr(target, "run") and hasattr(target, "begin_transaction")


def _is_driver(target: Any) -> bool:
    return hasattr(target, "session") and hasattr(target, "verify_connectivity")


def run_query(target: Any, text: str, params: Mapping[str, Any] | None = None) -> list[dict]:
    """Run one read query with parameters; rows as plain dicts (lists, maps and scalars).

    ``target``: a :class:`Neo4jStore`, a neo4j Session or Driver, or connection
    settings. Failures raise :class:`StoreError` (one clear line).

    >>> run_query(store, "MATCH (c:Chain) RETURN c.id AS id ORDER BY id")   # doctest: +SKIP
    [{'id': 'SH01'}, ...]
    """
    params = dict(params or {})
    with _store(target) as store:
        if isinstance(store, Neo4jStore):
            columns, rows = store.query(text, params)
            return [dict(zip(columns, row)) for row in rows]

        def work(tx):
            return [{k: to_plain(v) for k, v in record.items()} for record in tx.run(text, params)]

        try:
            if _is_session(store):
                return store.execute_read(work)
            with store.session(notifications_min_severity="OFF") as session:
                return session.execute_read(work)
        except Exception as exc:  # noqa: BLE001 -- every failure becomes one clear line
            raise describe_error(exc, getattr(store, "uri", None)) from None


def run_query_file(session_or_settings: Any, name: str, **params: Any) -> list[dict]:
    """Run the query file of a named analysis as is; rows as dicts (no post-processing)."""
    return run_query(session_or_settings, read_query(name), params)


def _check_ids(session: Any, chain: str | None, problem: str | None) -> str | None:
    """The chain id ``chain`` names on the server (case-insensitive id or exact name, as on the
    embedded graph: :func:`graphmodel.model.match_chain`); unknown ids raise :class:`UnknownIdError`."""
    if chain is not None:
        known = [(r["id"], r["name"]) for r in run_query(
            session, "MATCH (c:Chain) RETURN c.id AS id, c.name AS name ORDER BY c.seq, id")]
        found = match_chain(chain, known)
        if found is None:
            raise unknown_chain(chain, [c for c, _ in known])
        chain = found
    if problem is not None:
        rows = run_query(session, "MATCH (p:Problem {id: $id}) RETURN count(p) AS n", {"id": problem})
        if not rows[0]["n"]:
            raise UnknownIdError(f"未知的质量问题编号 unknown problem id: {problem}")
    return chain


def _critical_suppliers(rows: list[dict]) -> list[dict]:
    """Betweenness on the per-chain supply subgraph the query returned."""
    by_chain: dict[str, list[dict]] = {}
    for row in rows:
        by_chain.setdefault(row["chain_id"], []).append(row)
    ranked = []
    for chain_id, members in by_chain.items():
        arcs = {(m["enterprise_id"], customer) for m in members for customer in m["customers"] or ()}
        nodes = {m["enterprise_id"] for m in members} | {v for _, v in arcs}
        names = {m["enterprise_id"]: m["name"] for m in members}
        ranked += rank_scores(chain_id, betweenness_scores(nodes, arcs), names)
    return ranked


def _ordered_maps(rows: list[dict]) -> list[dict]:
    """Neo4j returns map keys in its own order; show them in the schema's order."""
    orders = {"bodies": NQI_PILLARS, "problems": ENUMS["problem_status"].codes,
              "projects": ENUMS["project_status"].codes}
    for row in rows:
        for column, order in orders.items():
            value = row.get(column)
            if isinstance(value, dict):
                row[column] = {k: value[k] for k in order if k in value} | {
                    k: v for k, v in value.items() if k not in order}
    return rows


def run_analysis(session_or_settings: Any, name: str, chain: str | None = None,
                 problem: str | None = None) -> pd.DataFrame:
    """Run a named analysis on Neo4j; the same DataFrame as the embedded function.

    ``session_or_settings``: a :class:`Neo4jStore`, a neo4j Session or Driver, or
    settings with ``uri``/``username``/``password``/``database``. ``chain`` (per-chain analyses;
    None = every chain) and ``problem`` (problem-impact, required) as in
    :mod:`graphmodel.analyses`. Raises ValueError for an unknown analysis or a
    missing problem id, :class:`UnknownIdError` for an unknown chain or problem,
    :class:`StoreError` when the server cannot be reached or refuses the query.
    """
    if name not in ANALYSES:
        raise ValueError(f"未知的分析 unknown analysis: {name} (choose from {', '.join(ANALYSES)})")
    analysis = ANALYSES[name]
    if analysis.scope == "problem" and problem is None:
        raise ValueError(f"{name} 需要质量问题编号 needs a problem id (--problem)")
    if analysis.scope != "chain":
        chain = None
    if analysis.scope != "problem":
        problem = None
    text = read_query(name)
    with _store(session_or_settings) as store:
        chain = _check_ids(store, chain, problem)
        rows = run_query(store, text, {"chain": chain, "problem": problem})
    if name == "critical-suppliers":
        rows = _critical_suppliers(rows)
    elif name == "city-overview":
        rows = _ordered_maps(rows)
    return frame_from_rows(name, rows)
