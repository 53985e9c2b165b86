"""A local Neo4j Community server for qmap, built from Maven Central.

No Docker and no download from neo4j.com: the server is the ``org.neo4j:neo4j`` artifact
(pinned in ``neo4j/pom.xml``), resolved by Maven into ``~/.m2`` and started as
``org.neo4j.server.CommunityEntryPoint`` on that classpath. Everything the server writes
(configuration, data, logs, pid file) lives in a cache folder, never in the repository:
``$QMAP_NEO4J_HOME``, else ``~/.cache/qmap/neo4j`` (``%LOCALAPPDATA%\\qmap\\neo4j`` on Windows).

Settings (environment, all optional except the password):

- ``NEO4J_PASSWORD``: the password of user ``neo4j`` (8 characters or more). It is set once,
  before the first start; later starts must use the same one (``--reset`` wipes the data).
- ``QMAP_NEO4J_PORT`` (7687): Bolt port, always on 127.0.0.1; HTTP is off.
- ``QMAP_NEO4J_HEAP`` (2g) and ``QMAP_NEO4J_PAGECACHE`` (1g): bounded for a 2-core, 24 GiB box.

The password never appears on a command line: the JVM reads its arguments from a file
(``java @file``) that only the owner may read, which also keeps the ~200-jar classpath clear
of Windows' command-line limit.

>>> server = LocalServer.from_env()          # doctest: +SKIP
>>> server.start()                           # doctest: +SKIP
'bolt://127.0.0.1:7687'
>>> server.stop()                            # doctest: +SKIP

From a shell: ``python -m graphmodel.store.server start|stop|status`` (used by ``.ci/neo4j.sh``),
or ``qmap neo4j start|stop|status``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ServerError",
    "LocalServer",
    "POM_PATH",
    "NEO4J_VERSION",
    "JVM_FLAGS",
    "default_home",
    "build_classpath",
    "main",
]

MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"
POM_PATH = Path(__file__).resolve().parents[2] / "neo4j" / "pom.xml"

# The flags Neo4j's own neo4j.conf passes to the JVM (server.jvm.additional), minus the
# ones only useful for profiling. The --add-opens lines let Neo4j's off-heap page cache and
# Netty reach into java.nio, java.io and sun.nio.ch on Java 17.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)

PID_FILE = "qmap-neo4j.pid"
ARGS_FILE = "java.args"


class ServerError(RuntimeError):
    """The local server could not be built, started or stopped; the message says why."""


def _pom_version(pom: Path = POM_PATH) -> str:
    match = re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", pom.read_text(encoding="utf-8"))
    if not match:
        raise ServerError(f"{pom}: no <neo4j.version> property")
    return match.group(1).strip()


# Without the checkout's pom (an installed wheel) these two stand in for it; a test keeps
# them equal to neo4j/pom.xml.
_WHEEL_NEO4J_VERSION = "5.26.30"
_WHEEL_DEPENDENCY_PLUGIN = "3.6.1"  # pinned: Maven needs no plugin metadata, so ~/.m2 alone suffices

NEO4J_VERSION = _pom_version() if POM_PATH.exists() else _WHEEL_NEO4J_VERSION


def _cache_root() -> Path:
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "qmap"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qmap"


def default_home() -> Path:
    """Where the server keeps its configuration, data and logs."""
    return Path(os.environ.get("QMAP_NEO4J_HOME") or _cache_root() / "neo4j").expanduser().resolve()


def _find_mvn() -> str:
    mvn = shutil.which("mvn") or shutil.which("mvn.cmd")
    if not mvn:
        raise ServerError("Maven (mvn) is not on PATH; install Maven 3.8+ to build the Neo4j classpath")
    return mvn


_FALLBACK_POM = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by qmap when neo4j/pom.xml of the source checkout is not at hand. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.qmap</groupId>
  <artifactId>qmap-neo4j-server</artifactId>
  <version>0.1.0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>{plugin}</version>
      </plugin>
    </plugins>
  </build>
</project>
"""


def _pom_or_fallback(pom: Path) -> Path:
    if pom.exists():
        return pom
    # An installed wheel has no neo4j/pom.xml: write the same one-dependency project to the cache.
    fallback = _cache_root() / f"neo4j-pom-{NEO4J_VERSION}" / "pom.xml"
    text = _FALLBACK_POM.format(version=NEO4J_VERSION, plugin=_WHEEL_DEPENDENCY_PLUGIN)
    if not fallback.exists() or fallback.read_text(encoding="utf-8") != text:
        fallback.parent.mkdir(parents=True, exist_ok=True)
        fallback.write_text(text, encoding="utf-8")
    return fallback


def build_classpath(pom: Path = POM_PATH, *, refresh: bool = False, quiet: bool = True) -> str:
    """The server's classpath, resolved by ``mvn dependency:build-classpath`` (jars in ~/.m2).

    The result is cached next to the server homes, keyed by the pom's content, so a second
    start does not run Maven at all.
    """
    pom = _pom_or_fallback(Path(pom))
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:16]
    cache = _cache_root() / f"neo4j-classpath-{digest}.txt"
    if cache.exists() and not refresh:
        classpath = cache.read_text(encoding="utf-8").strip()
        if classpath and all(Path(p).exists() for p in classpath.split(os.pathsep)):
            return classpath
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    cmd = [_find_mvn(), "-B", "-f", str(pom), "dependency:build-classpath", f"-Dmdep.outputFile={tmp}"]
    if quiet:
        cmd.insert(1, "-q")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not tmp.exists():
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "ERROR" in ln] or [
            (proc.stdout + proc.stderr).strip()[-500:]
        ]
        raise ServerError("mvn dependency:build-classpath failed: " + lines[0].replace("[ERROR]", "").strip())
    os.replace(tmp, cache)
    return cache.read_text(encoding="utf-8").strip()


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / ("java.exe" if os.name == "nt" else "java")
        if candidate.exists():
            return str(candidate)
    java = shutil.which("java")
    if not java:
        raise ServerError("Java is not installed (Neo4j 5.26 needs Java 17 or 21)")
    return java


def _java_major(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return 0
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _quote_arg(arg: str) -> str:
    # Java @argfiles: whitespace separates, double quotes group, backslash escapes inside quotes.
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it may hold the password), atomically."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A TCP port nobody listens on right now (for test servers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LocalServer:
    """One local Neo4j server: a home folder, a Bolt port and the ``neo4j`` user's password."""

    home: Path = field(default_factory=default_home)
    port: int = 7687
    password: str | None = None
    heap: str = "2g"
    pagecache: str = "1g"
    pom: Path = POM_PATH

    def __post_init__(self):
        self.home = Path(self.home).expanduser().resolve()
        self._proc: subprocess.Popen | None = None

    def __repr__(self) -> str:  # never show the password
        return f"LocalServer(home={str(self.home)!r}, port={self.port})"

    @classmethod
    def from_env(cls, **overrides) -> "LocalServer":
        """Settings from QMAP_NEO4J_HOME/PORT/HEAP/PAGECACHE and NEO4J_PASSWORD; overrides win.

        Without QMAP_NEO4J_PORT the port is the one of NEO4J_URI when that names this machine,
        so the server starts where ``qmap load`` and ``qmap query`` will look for it.
        """
        env = os.environ
        local = re.match(r"^[a-z+]+://(?:127\.0\.0\.1|localhost):(\d+)", env.get("NEO4J_URI") or "")
        settings = dict(
            home=default_home(),
            port=int(env.get("QMAP_NEO4J_PORT") or (local.group(1) if local else 7687)),
            password=env.get("NEO4J_PASSWORD"),
            heap=env.get("QMAP_NEO4J_HEAP") or "2g",
            pagecache=env.get("QMAP_NEO4J_PAGECACHE") or "1g",
        )
        settings.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**settings)

    # -- paths ---------------------------------------------------------------------------
    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / PID_FILE

    @property
    def console_log(self) -> Path:
        return self.logs_dir / "console.log"

    def _initialised(self) -> bool:
        """True once the server has started here at least once (the password is then fixed)."""
        return (self.data_dir / "databases" / "system").exists()

    # -- configuration ---------------------------------------------------------------------
    def conf_text(self) -> str:
        lines = [
            "# Written by qmap (graphmodel/store/server.py) on every start; edits are overwritten.",
            f"server.directories.data={self.data_dir.as_posix()}",
            f"server.directories.logs={self.logs_dir.as_posix()}",
            f"server.directories.run={self.run_dir.as_posix()}",
            f"server.directories.import={(self.home / 'import').as_posix()}",
            f"server.directories.plugins={(self.home / 'plugins').as_posix()}",
            f"server.directories.licenses={(self.home / 'licenses').as_posix()}",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            "server.bolt.enabled=true",
            f"server.bolt.listen_address=127.0.0.1:{self.port}",
            f"server.bolt.advertised_address=127.0.0.1:{self.port}",
            "server.http.enabled=false",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            # Bounded memory: heap fixed (initial == max avoids GC resizing pauses), page
            # cache fixed, so several helpers and a browser fit next to it on 24 GiB.
            f"server.memory.heap.initial_size={self.heap}",
            f"server.memory.heap.max_size={self.heap}",
            f"server.memory.pagecache.size={self.pagecache}",
            # Offline government networks: no phoning home.
            "dbms.usage_report.enabled=false",
            "db.tx_log.rotation.retention_policy=100M size",
        ]
        lines += [f"server.jvm.additional={flag}" for flag in JVM_FLAGS]
        return "\n".join(lines) + "\n"

    def _prepare(self) -> str:
        for folder in (self.conf_dir, self.data_dir, self.logs_dir, self.run_dir, self.home / "import",
                       self.home / "plugins", self.home / "licenses"):
            folder.mkdir(parents=True, exist_ok=True)
        conf = self.conf_dir / "neo4j.conf"
        tmp = conf.with_suffix(".tmp")
        tmp.write_text(self.conf_text(), encoding="utf-8")
        os.replace(tmp, conf)
        return build_classpath(self.pom)

    def _check_password(self) -> str:
        if not self.password:
            raise ServerError("set NEO4J_PASSWORD (8 characters or more) before starting the local server")
        if len(self.password) < 8:
            raise ServerError("NEO4J_PASSWORD must have at least 8 characters (Neo4j 5 rule)")
        return self.password

    def _set_initial_password(self, java: str, classpath: str) -> None:
        args = self.run_dir / "admin.args"
        _write_private(args, "\n".join(_quote_arg(a) for a in (
            "-cp", classpath, ADMIN_CLASS, "dbms", "set-initial-password", self._check_password())) + "\n")
        env = dict(os.environ, NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.conf_dir))
        try:
            proc = subprocess.run([java, f"@{args}"], capture_output=True, text=True, env=env, cwd=self.home)
        finally:
            args.unlink(missing_ok=True)
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise ServerError("could not set the initial password: " + (detail[-1] if detail else "unknown error"))

    def admin_import(self, nodes: list[Path], relationships: list[Path], database: str = "neo4j",
                     options: tuple[str, ...] | list[str] = ()) -> None:
        """``neo4j-admin database import full`` of CSV files into ``database``, replacing it.

        The bulk path for an empty database: the server must be stopped (Community edition
        serves one database, and the import writes its store files directly). ``options`` are
        further ``--name=value`` options of the import (array delimiter, multi-line fields…).
        """
        if self.running_pid():
            raise ServerError("neo4j-admin import needs the server stopped (qmap neo4j stop)")
        java = _java()
        classpath = self._prepare()
        args = self.run_dir / "import.args"
        _write_private(args, "\n".join(_quote_arg(a) for a in (
            "-cp", classpath, ADMIN_CLASS, "database", "import", "full", database, "--overwrite-destination=true",
            *[f"--nodes={Path(n).as_posix()}" for n in nodes],
            *[f"--relationships={Path(r).as_posix()}" for r in relationships], *options)) + "\n")
        env = dict(os.environ, NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.conf_dir))
        try:
            proc = subprocess.run([java, f"@{args}"], capture_output=True, text=True, env=env, cwd=self.home)
        finally:
            args.unlink(missing_ok=True)
        if proc.returncode != 0:
            lines = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
            cause = [ln for ln in lines if not ln.startswith("at ")]
            raise ServerError("neo4j-admin import failed: " + (cause[0] if cause else "unknown error"))

    # -- process ---------------------------------------------------------------------------
    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _is_ours(self, pid: int) -> bool:
        """The pid is alive and is this home's Neo4j (pids get reused after a crash)."""
        if self._proc is not None and self._proc.pid == pid:
            return self._proc.poll() is None
        proc_dir = Path(f"/proc/{pid}")
        if proc_dir.exists():
            try:
                state = (proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[0]
                cmdline = (proc_dir / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                return False
            return state != "Z" and str(self.run_dir / ARGS_FILE) in cmdline
        try:  # no /proc (macOS, Windows): trust the pid file if the process exists
            os.kill(pid, 0)
        except (OSError, ValueError):
            return False
        return True

    def running_pid(self) -> int | None:
        pid = self.pid()
        return pid if pid is not None and self._is_ours(pid) else None

    def reachable(self, timeout: float = 5.0) -> bool:
        from .neo4j import ping  # the only module that imports the driver

        try:
            ping(self.uri, "neo4j", self.password, timeout=timeout)
        except Exception:
            return False
        return True

    def start(self, timeout: float = 180.0, reset: bool = False) -> str:
        """Start the server (or find it running) and wait until the driver connects; the Bolt URI.

        With ``reset`` a running server is stopped first, so its data is always wiped: a reset
        is never silently ignored.
        """
        self._check_password()
        if self.running_pid() and reset:
            self.stop(timeout=min(timeout, 60.0))
        if self.running_pid():
            self._wait_ready(timeout)
            return self.uri
        if not _port_free(self.port):
            raise ServerError(f"port {self.port} on 127.0.0.1 is already in use by another program; "
                              "choose another with --port or QMAP_NEO4J_PORT")
        java = _java()
        major = _java_major(java)
        if major < 17:
            raise ServerError(f"Neo4j 5.26 needs Java 17 or 21, found Java {major} at {java}")
        if reset and self.data_dir.exists():
            shutil.rmtree(self.data_dir)
        classpath = self._prepare()
        if not self._initialised():
            self._set_initial_password(java, classpath)
        heap_flags = [f"-Xms{self.heap}", f"-Xmx{self.heap}"]
        args = [*JVM_FLAGS, *heap_flags, "-cp", classpath, MAIN_CLASS,
                f"--home-dir={self.home}", f"--config-dir={self.conf_dir}"]
        args_file = self.run_dir / ARGS_FILE
        _write_private(args_file, "\n".join(_quote_arg(a) for a in args) + "\n")
        log = open(self.console_log, "ab")
        kwargs: dict = {}
        if os.name == "nt":
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "DETACHED_PROCESS", 0)
        else:
            kwargs["start_new_session"] = True  # survives the shell that ran `qmap neo4j start`
        try:
            self._proc = subprocess.Popen([java, f"@{args_file}"], cwd=self.home, stdin=subprocess.DEVNULL,
                                          stdout=log, stderr=subprocess.STDOUT, **kwargs)
        finally:
            log.close()
        _write_private(self.pid_file, f"{self._proc.pid}\n")
        self._wait_ready(timeout)
        return self.uri

    def _wait_ready(self, timeout: float) -> None:
        from .neo4j import StoreError, ping

        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if not self.running_pid():
                raise ServerError("Neo4j stopped during start-up: " + self._log_tail())
            try:
                ping(self.uri, "neo4j", self.password, timeout=5)
                return
            except StoreError as exc:
                last = str(exc)
                if exc.kind == "auth":
                    raise ServerError(
                        f"the server in {self.home} was set up with a different password; use the "
                        "original NEO4J_PASSWORD, or `qmap neo4j start --reset` to wipe its data") from None
            time.sleep(1.0)
        raise ServerError(f"Neo4j did not accept connections within {timeout:.0f}s ({last}); "
                          f"see {self.logs_dir / 'neo4j.log'}")

    def _log_tail(self) -> str:
        for log in (self.logs_dir / "neo4j.log", self.console_log):
            try:
                lines = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
            except OSError:
                continue
            errors = [ln for ln in lines if "ERROR" in ln or "Exception" in ln]
            if errors or lines:
                return (errors or lines)[-1].strip()
        return f"no log in {self.logs_dir}"

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.pid == pid:
                try:
                    self._proc.wait(timeout=0.2)
                    return True
                except subprocess.TimeoutExpired:
                    continue
            if not self._is_ours(pid):
                return True
            time.sleep(0.2)
        return False

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server cleanly (SIGTERM, then SIGKILL after ``timeout``); False if not running."""
        pid = self.running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        if not self._wait_gone(pid, timeout):
            os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
            self._wait_gone(pid, 10)
        self.pid_file.unlink(missing_ok=True)
        self._proc = None
        return True

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would: for crash-safety tests."""
        pid = self.running_pid()
        if pid is None:
            raise ServerError("the server is not running")
        os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
        self._wait_gone(pid, 30)

    def status(self) -> dict:
        pid = self.running_pid()
        return {
            "running": pid is not None,
            "pid": pid,
            "uri": self.uri,
            "reachable": bool(pid) and bool(self.password) and self.reachable(),
            "home": str(self.home),
            "version": NEO4J_VERSION,
        }


def main(argv: list[str] | None = None) -> int:
    """``python -m graphmodel.store.server start|stop|status [--port N] [--home DIR] [--reset]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m graphmodel.store.server", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("start", "stop", "status", "classpath"))
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--home", default=None)
    parser.add_argument("--reset", action="store_true", help="wipe the data folder before starting")
    parser.add_argument("--timeout", type=float, default=180.0)
    opts = parser.parse_args(argv)
    server = LocalServer.from_env(port=opts.port, home=opts.home)
    try:
        if opts.action == "classpath":
            print(build_classpath(server.pom))
        elif opts.action == "start":
            uri = server.start(timeout=opts.timeout, reset=opts.reset)
            print(f"Neo4j {NEO4J_VERSION} running at {uri} (pid {server.running_pid()}, home {server.home})")
        elif opts.action == "stop":
            print("stopped" if server.stop() else "not running")
        else:
            info = server.status()
            state = "running" if info["running"] else "stopped"
            print(f"{state} {info['uri']} pid={info['pid']} reachable={info['reachable']} home={info['home']}")
            return 0 if info["running"] else 3
    except ServerError as exc:
        print(f"错误 Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
