"""graphmodel.store.server: the local Neo4j from Maven Central, and crash safety of a load.

The integration test starts a private server (its own folder and port, so it can kill it
without disturbing the server named by NEO4J_URI), kills it in the middle of a load,
restarts it and checks that re-running the load gives exactly the clean-load graph.
"""

from __future__ import annotations

import shutil
import socket
import threading
from pathlib import Path

import pytest

from conftest import assert_same_graph, neo4j_missing, willems
from sources_help import as_source, merge_sources
from graphmodel.intake import read_dataset
from graphmodel.model import build_graph, summary
from graphmodel.store.neo4j import Neo4jStore, StoreError
from graphmodel.store.server import JVM_FLAGS, LocalServer, ServerError, default_home, free_port

PASSWORD = "qmap-private-pw"


# --------------------------------------------------------------------------- no Java needed

def test_conf_binds_bolt_to_loopback_with_auth_and_bounded_memory(tmp_path):
    server = LocalServer(home=tmp_path / "n4j", port=7799, password=PASSWORD, heap="1g", pagecache="512m")
    conf = dict(line.split("=", 1) for line in server.conf_text().splitlines()
                if "=" in line and not line.startswith("#") and not line.startswith("server.jvm"))
    assert conf["server.bolt.listen_address"] == "127.0.0.1:7799"
    assert conf["server.default_listen_address"] == "127.0.0.1"
    assert conf["server.http.enabled"] == "false" and conf["server.https.enabled"] == "false"
    assert conf["dbms.security.auth_enabled"] == "true"
    assert conf["server.memory.heap.max_size"] == "1g" and conf["server.memory.pagecache.size"] == "512m"
    assert conf["server.directories.data"].startswith(str((tmp_path / "n4j").as_posix()))
    assert PASSWORD not in server.conf_text() and PASSWORD not in repr(server)
    for opened in ("java.nio", "java.io", "sun.nio.ch"):
        assert f"--add-opens=java.base/{opened}=ALL-UNNAMED" in JVM_FLAGS


def test_start_refuses_short_password_and_busy_port(tmp_path):
    with pytest.raises(ServerError, match="8 characters"):
        LocalServer(home=tmp_path / "a", port=free_port(), password="short").start()
    with pytest.raises(ServerError, match="NEO4J_PASSWORD"):
        LocalServer(home=tmp_path / "b", port=free_port(), password=None).start()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ServerError, match=f"port {port}"):
            LocalServer(home=tmp_path / "c", port=port, password=PASSWORD).start()
    assert not (tmp_path / "c" / "data").exists()


def test_from_env_reads_qmap_and_neo4j_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("QMAP_NEO4J_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QMAP_NEO4J_PORT", "7711")
    monkeypatch.setenv("NEO4J_PASSWORD", PASSWORD)
    server = LocalServer.from_env(heap="768m")
    assert (server.home, server.port, server.password, server.heap) == (
        (tmp_path / "home").resolve(), 7711, PASSWORD, "768m")
    assert server.status()["running"] is False
    # without QMAP_NEO4J_PORT: the port of a local NEO4J_URI (where load and query look), else 7687
    monkeypatch.delenv("QMAP_NEO4J_PORT")
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:7702")
    assert LocalServer.from_env().port == 7702
    monkeypatch.setenv("NEO4J_URI", "neo4j+s://abc.databases.neo4j.io")
    assert LocalServer.from_env().port == 7687
    monkeypatch.delenv("QMAP_NEO4J_HOME")
    repo = Path(__file__).resolve().parents[1]
    assert default_home().name == "neo4j" and repo not in default_home().parents  # data never in the repo


# --------------------------------------------------------------------------- a real private server

@pytest.fixture(scope="module")
def private_server(tmp_path_factory):
    if not (shutil.which("java") and shutil.which("mvn")):
        neo4j_missing("Java and Maven are needed to build the local Neo4j")
    server = LocalServer(home=tmp_path_factory.mktemp("neo4j-home"), port=free_port(), password=PASSWORD,
                         heap="1g", pagecache="256m")
    try:
        server.start(timeout=240)
    except ServerError as exc:
        neo4j_missing(f"could not start a private Neo4j: {exc}")
    yield server
    server.stop()


@pytest.mark.neo4j
def test_start_status_wrong_password_and_stop(private_server, tmp_path):
    info = private_server.status()
    assert info["running"] and info["reachable"] and info["pid"] == private_server.running_pid()
    assert info["uri"] == f"bolt://127.0.0.1:{private_server.port}"
    assert private_server.start() == private_server.uri           # already running: no second JVM
    assert info["pid"] == private_server.running_pid()
    with pytest.raises(StoreError) as refused:
        Neo4jStore(private_server.uri, "neo4j", "not-the-password").verify()
    assert refused.value.kind == "auth" and "not-the-password" not in str(refused.value)
    # another process (a fresh LocalServer object) finds and stops it by the pid file
    twin = LocalServer(home=private_server.home, port=private_server.port, password=PASSWORD)
    pid = twin.running_pid()
    assert pid == info["pid"]
    assert twin.stop() is True
    assert private_server.status()["running"] is False and not private_server.pid_file.exists()
    assert twin.stop() is False
    private_server.start(timeout=240)                              # same data, same password
    assert private_server.status()["reachable"]


@pytest.mark.neo4j
def test_reset_on_a_running_server_wipes_it_instead_of_being_ignored(private_server):
    with Neo4jStore(private_server.uri, "neo4j", PASSWORD) as store:
        store.wipe()
        store.query("RETURN 1")  # reachable
        with store.driver.session() as session:
            session.run("CREATE (:Chain {id: 'KEEP-ME'})").consume()
        assert store.counts()["nodes"] == {"Chain": 1}
    old_pid = private_server.running_pid()
    private_server.start(timeout=240, reset=True)
    assert private_server.running_pid() not in (None, old_pid)  # stopped, wiped, started again
    with Neo4jStore(private_server.uri, "neo4j", PASSWORD) as store:
        assert store.counts()["nodes"] == {}


def _neighbour(W) -> "nx.MultiDiGraph":
    """A second source sharing 30 of W38's firms (same values), with a chain of its own."""
    import networkx as nx
    from graphmodel.model import add_node, add_rel

    H = nx.MultiDiGraph()
    add_node(H, "NB", ("Chain",), seq=2, name="邻区产业链", key=False)
    firms = sorted(n for n, d in W.nodes(data=True) if d["label"] == "Enterprise")[:30]
    for firm in firms:
        H.add_node(firm, **{k: v for k, v in W.nodes[firm].items() if k != "sources"})
        add_rel(H, firm, "MEMBER_OF", "NB", role="upstream", tier=1)
    for a, b in zip(firms, firms[1:]):
        add_rel(H, a, "SUPPLIES", b, chain="NB", product="部件")
    return as_source(H, "neighbour.xlsx")


@pytest.mark.neo4j
def test_killed_mid_load_then_reloaded_equals_a_clean_load(private_server):
    W = as_source(build_graph(read_dataset(willems("W38"))), "W38")
    neighbour = _neighbour(W)
    total = W.number_of_nodes() + W.number_of_edges()

    with Neo4jStore(private_server.uri, "neo4j", PASSWORD) as store:
        store.wipe()
        store.load(neighbour)         # another source is there first and shares 30 firms
        store.load(W)                 # W38 loaded once, then reloaded with 3 firms fewer: kill mid-load
    gone = set([n for n in sorted(W) if n.startswith("W38-Manuf")][:3])
    smaller = W.copy()
    smaller.remove_nodes_from(gone)
    # Kill -9 from another thread right after the 6th batch commits, while the 7th is on its
    # way: the server dies with a transaction open, as in a power cut.
    committed = threading.Event()
    killer = threading.Thread(target=lambda: (committed.wait(60), private_server.kill()))
    killer.start()

    def progress(done, _total):
        if done >= 6 * 1000:
            committed.set()

    with Neo4jStore(private_server.uri, "neo4j", PASSWORD, max_transaction_retry_time=2,
                    connection_timeout=2) as store:
        with pytest.raises(StoreError) as lost:
            store.load(smaller, batch_size=1000, progress=progress)
    killer.join()
    assert lost.value.kind == "unavailable"
    assert private_server.status()["running"] is False

    private_server.start(timeout=240)
    expected = merge_sources({"neighbour.xlsx": neighbour, "W38": smaller})
    with Neo4jStore(private_server.uri, "neo4j", PASSWORD) as store:
        assert len(store.sources()["W38"]) == 2            # the interrupted run's mark is remembered
        report = store.load(smaller, batch_size=1000)      # the same command, run again
        assert report.per_source["W38"].nodes_withdrawn == 3
        assert store.counts() == summary(expected)
        assert_same_graph(expected, store.read_graph())
        assert store.sources()["W38"] == [report_mark(store)]

    # And from an empty database: crash in the first load, rerun, equal to a clean load.
    with Neo4jStore(private_server.uri, "neo4j", PASSWORD) as store:
        store.wipe()
    committed.clear()
    killer = threading.Thread(target=lambda: (committed.wait(60), private_server.kill()))
    killer.start()
    with Neo4jStore(private_server.uri, "neo4j", PASSWORD, max_transaction_retry_time=2,
                    connection_timeout=2) as store:
        with pytest.raises(StoreError):
            store.load(W, batch_size=1000, progress=progress)
    killer.join()
    private_server.start(timeout=240)
    with Neo4jStore(private_server.uri, "neo4j", PASSWORD) as store:
        partial = store.counts()
        written = sum(partial["nodes"].values()) - partial["nodes"].get("TrainingBase", 0) + \
            sum(partial["relationships"].values())
        assert 6000 <= written < total                    # the crash left a partial graph
        report = store.load(W, batch_size=1000)
        assert report.nodes_created + report.relationships_created == total - written
        assert store.counts() == summary(W)
        assert_same_graph(W, store.read_graph())


def report_mark(store) -> str:
    _, rows = store.query("MATCH (s:QmapSource {name: 'W38'}) RETURN s.mark")
    return rows[0][0]
