"""Shared fixtures: the Neo4j server for integration tests.

``neo4j`` (session) is a :class:`graphmodel.store.neo4j.Neo4jStore` for the server named by
``NEO4J_URI`` (with ``NEO4J_USERNAME``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``); without
one the test is skipped, except under ``CI=true``, where a missing or unreachable server
fails the run. ``neo4j_db`` is the same store with the database wiped before the test.

The tests wipe that database: point NEO4J_URI at a scratch server (``qmap neo4j start``),
never at one holding data you need. As a guard, a database holding any node without a qmap
label is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The Willems (2008) supply chains in intake format (see its README).
WILLEMS = Path(__file__).resolve().parents[2] / "shared" / "data" / "willems"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def required_missing(reason: str, what: str = "the integration tests"):
    """Skip, or under CI=true fail: CI must never pass by skipping the integration tests."""
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: {what} must run)", pytrace=False)
    pytest.skip(reason)


def neo4j_missing(reason: str):
    required_missing(reason, "the Neo4j integration tests")


def willems(chain: str) -> Path:
    """The folder of one Willems chain (``../shared/data/willems/<chain>``).

    Skipped where shared/ is not beside the checkout; under CI=true it always is, so
    there a missing folder fails the run like a missing server.
    """
    path = WILLEMS / chain
    if not path.is_dir():
        required_missing(f"the shared Willems data is not beside the repo ({path})", "the Willems tests")
    return path


def _same_value(a, b) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def assert_same_graph(expected, actual, ignore=()):
    """Node for node, edge for edge, property for property, and of the same Python type.

    ``ignore`` names properties left out of the comparison, e.g. ``("sources",)`` for the
    same data read from files of other names (provenance differs, content must not)."""
    ignore = set(ignore)

    def props(d):
        return {k: v for k, v in d.items() if k not in ignore}

    assert set(actual.nodes) == set(expected.nodes), set(actual.nodes) ^ set(expected.nodes)
    for node, want in expected.nodes(data=True):
        got, want = props(actual.nodes[node]), props(want)
        assert set(got) == set(want), (node, set(got) ^ set(want))
        for key, value in want.items():
            assert _same_value(value, got[key]), (node, key, value, got[key])
    want_edges = {(u, v, k): props(d) for u, v, k, d in expected.edges(keys=True, data=True)}
    got_edges = {(u, v, k): props(d) for u, v, k, d in actual.edges(keys=True, data=True)}
    assert set(got_edges) == set(want_edges), set(got_edges) ^ set(want_edges)
    for edge, want in want_edges.items():
        got = got_edges[edge]
        assert set(got) == set(want), (edge, set(got) ^ set(want))
        for key, value in want.items():
            assert _same_value(value, got[key]), (edge, key, value, got[key])


def pytest_collection_modifyitems(config, items):
    # A test that asks for the server is an integration test, marked or not.
    for item in items:
        if {"neo4j", "neo4j_db"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.neo4j)


@pytest.fixture(scope="session")
def neo4j():
    from graphmodel.schema import LABELS
    from graphmodel.store.neo4j import Neo4jStore, StoreError

    if not os.environ.get("NEO4J_URI"):
        neo4j_missing("NEO4J_URI is not set: start a server with `qmap neo4j start` and export NEO4J_URI")
    try:
        store = Neo4jStore.from_env()
        store.verify()
        # (:QmapSource) is the store's own bookkeeping of loaded sources
        _, rows = store.query("MATCH (n) WHERE NOT any(x IN labels(n) WHERE x IN $labels) RETURN count(n)",
                              {"labels": list(LABELS) + ["QmapSource"]})
    except StoreError as exc:
        neo4j_missing(f"Neo4j not usable: {exc}")
    if rows[0][0]:
        pytest.fail(f"the database at {store!r} holds {rows[0][0]} nodes that are not qmap's; the tests wipe "
                    "their database, so point NEO4J_URI at a scratch server", pytrace=False)
    yield store
    store.close()


@pytest.fixture
def neo4j_db(neo4j):
    neo4j.wipe()
    yield neo4j
