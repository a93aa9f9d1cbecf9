"""A real PostgreSQL server for the team-mode tests: where it is, fresh schemas, a cuttable relay.

``CRISIS_TEST_POSTGRES`` is the URL of a role that may create schemas in its
database (``.ci/run`` starts Debian's server on loopback and sets it). Without
it the PostgreSQL tests are skipped locally but fail under CI (``CI`` set), so
a missing server can never pass silently there. Each test gets a schema of its
own (``search_path`` in the URL's ``options``), dropped afterwards, so that no
test sees another's sessions.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import TupleRow

SERVER_VARIABLE = "CRISIS_TEST_POSTGRES"


def server_url() -> str:
    """The test server's URL; skips the test without one, fails it under CI."""
    url = os.environ.get(SERVER_VARIABLE, "")
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(
            f"{SERVER_VARIABLE} is not set; .ci/run should have started a PostgreSQL server",
            pytrace=False,
        )
    pytest.skip(f"{SERVER_VARIABLE} is not set: no PostgreSQL server to test against")


def with_options(url: str, *settings: str) -> str:
    """``url`` with server settings (``name=value``) added to libpq's ``options``."""
    added = quote(" ".join(f"-c{setting}" for setting in settings), safe="")
    if "options=" in url:
        head, _, tail = url.partition("options=")
        value, ampersand, rest = tail.partition("&")
        return f"{head}options={value}%20{added}{ampersand}{rest}"
    return f"{url}{'&' if '?' in url else '?'}options={added}"


@contextmanager
def fresh_schema(*settings: str) -> Iterator[str]:
    """A URL whose journal lives in a new, empty schema; the schema is dropped afterwards."""
    server = server_url()
    name = f"crisis_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield with_options(server, f"search_path={name}", *settings)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def connect(url: str) -> psycopg.Connection[TupleRow]:
    """A plain autocommit connection to ``url``, for checks made beside the store."""
    return psycopg.connect(url, autocommit=True)


class Relay:
    """A TCP relay on 127.0.0.1 between a store and the server, which a test can cut.

    ``cut_after(marker)``: the next bytes from the client that hold ``marker``
    reach the server, then both connections close before the server's answer
    comes back (an acknowledgement lost on the way). ``stop()``: every
    connection closes and nothing listens any more (the server is gone).
    Connections must not use TLS (``sslmode=disable``), so that the relay sees
    the statements.
    """

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._marker: bytes | None = None
        self._then_stop = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_after(self, marker: bytes, *, then_stop: bool = False) -> None:
        self._marker = marker
        self._then_stop = then_stop

    def stop(self) -> None:
        with suppress(OSError):  # wakes the blocked accept(); close alone would not stop it
            self._listener.shutdown(socket.SHUT_RDWR)
        with suppress(OSError):
            self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with suppress(OSError):
                    sock.close()
            self._sockets.clear()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, server]
            muted = threading.Event()  # set: the server's answers are dropped
            for source, sink, from_client in ((client, server, True), (server, client, False)):
                threading.Thread(
                    target=self._pump, args=(source, sink, from_client, muted), daemon=True
                ).start()

    def _pump(
        self, source: socket.socket, sink: socket.socket, from_client: bool, muted: threading.Event
    ) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                with suppress(OSError):
                    sink.shutdown(socket.SHUT_WR)
                return
            if not from_client and muted.is_set():
                continue
            marker = self._marker
            if from_client and marker is not None and marker in data:
                self._marker = None
                muted.set()
                with suppress(OSError):
                    sink.sendall(data)
                time.sleep(0.5)  # the server acts on it; its answer goes nowhere
                self.cuts += 1
                if self._then_stop:
                    self.stop()
                else:
                    for sock in (source, sink):
                        with suppress(OSError):
                            sock.shutdown(socket.SHUT_RDWR)
                        with suppress(OSError):
                            sock.close()
                return
            try:
                sink.sendall(data)
            except OSError:
                return
