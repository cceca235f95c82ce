"""A throwaway Virtuoso 7 (Debian ``virtuoso-opensource``) on loopback, for tests and by hand.

The server lives in a temporary folder with its own ``virtuoso.ini`` (database, logs and
both ports there and on 127.0.0.1 only), is loaded with N-Triples through ``isql-vt`` into
one named graph, and answers SPARQL at ``http://127.0.0.1:PORT/sparql``. Used by the
``virtuoso`` fixture in ``tests/test_virtuoso.py``; run it by hand to poke at it::

    python tests/virtuoso.py [FILE.nt]     # loads `kb export --format nt` by default

Gotchas learned the hard way: ``isql-vt`` exits 0 on SQL errors, so its output is searched
for ``*** Error``; Virtuoso's JSON results say ``typed-literal`` and answer ASK with a
one-row table, so clients should ask for XML results.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
INSTALL_HINT = "apt-get install -y virtuoso-opensource"
SKIP_VARIABLE = "KB_SKIP_VIRTUOSO"

_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort         = {host}:{isql_port}
DisableUnixSocket  = 1
DirsAllowed        = ., {dir}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
CheckpointInterval = 60
MaxQueryMem        = 500M

[HTTPServer]
ServerPort         = {host}:{http_port}
ServerRoot         = {dir}
ServerThreads      = 4
MaxClientConnections = 4
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows      = 100000
MaxQueryExecutionTime = 60
"""


class VirtuosoError(RuntimeError):
    """Virtuoso is missing, would not start, or refused to load the data."""


def missing() -> str | None:
    """Why Virtuoso cannot run here, or None when both binaries are on PATH."""
    for binary in ("virtuoso-t", "isql-vt"):
        if shutil.which(binary) is None:
            return f"{binary} not found on PATH (install it: {INSTALL_HINT})"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Virtuoso:
    """One Virtuoso server in a temporary folder; use as a context manager."""

    def __init__(self, startup_timeout: float = 90.0):
        self.startup_timeout = startup_timeout
        self.dir = Path(tempfile.mkdtemp(prefix="kb-virtuoso-"))
        self.http_port = free_port()
        self.isql_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http_port}/sparql"

    def __enter__(self) -> Virtuoso:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def isql(self, sql: str, timeout: float = 60.0) -> str:
        """Run SQL through isql-vt; raise on any error in its output (it exits 0 on errors)."""
        result = subprocess.run(
            ["isql-vt", f"{HOST}:{self.isql_port}", "dba", "dba", f"exec={sql}"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0 or "*** Error" in output:
            raise VirtuosoError(f"isql-vt failed on {sql[:80]!r}:\n{output.strip()}")
        return output

    def start(self) -> None:
        reason = missing()
        if reason:
            raise VirtuosoError(reason)
        ini = self.dir / "virtuoso.ini"
        ini.write_text(
            _INI.format(
                dir=self.dir, host=HOST, isql_port=self.isql_port, http_port=self.http_port
            ),
            encoding="utf-8",
        )
        log = (self.dir / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            ["virtuoso-t", "+foreground", "+configfile", str(ini)],
            cwd=self.dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise VirtuosoError(f"virtuoso-t exited at startup:\n{self._log_tail()}")
            if self._answers():
                return
            time.sleep(0.25)
        raise VirtuosoError(
            f"virtuoso-t not ready after {self.startup_timeout:.0f}s:\n{self._log_tail()}"
        )

    def _answers(self) -> bool:
        query = urllib.parse.urlencode({"query": "ASK {}"})
        try:
            with urllib.request.urlopen(f"{self.url}?{query}", timeout=2) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def _log_tail(self) -> str:
        text = ""
        for name in ("stdout.log", "virtuoso.log"):
            path = self.dir / name
            if path.is_file():
                text += path.read_text(encoding="utf-8", errors="replace")[-2000:]
        return text

    def load(self, data: str | bytes, graph: str) -> None:
        """Load N-Triples (or Turtle) text into ``graph``, strictly (any parse error raises)."""
        path = self.dir / "data.nt"
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.isql(f"DB.DBA.TTLP_MT(file_to_string_output('{path}'), '', '{graph}', 0); checkpoint;")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                subprocess.run(
                    ["isql-vt", f"{HOST}:{self.isql_port}", "dba", "dba", "-K"],
                    capture_output=True,
                    timeout=20,
                    check=False,
                )
                self.process.wait(timeout=20)
            except (subprocess.TimeoutExpired, OSError):
                self.process.send_signal(signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        if not os.environ.get("KB_KEEP_VIRTUOSO"):
            shutil.rmtree(self.dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    from kb.model.vocab import BASE
    from kb.publish.export import export_text

    data = Path(argv[0]).read_bytes() if argv else export_text(None, "nt").encode("utf-8")
    with Virtuoso() as server:
        server.load(data, BASE)
        print(f"Virtuoso at {server.url} (graph <{BASE}>); Ctrl-C stops it", flush=True)
        try:
            while server.process and server.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
