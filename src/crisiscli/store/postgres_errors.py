"""What went wrong with a PostgreSQL journal, in one sentence that never holds a password.

A sentence names the journal as ``host:port/dbname`` (``Server.where``), then
says what happened in the responder's words, chosen by the error's SQLSTATE
class, or, for a connection that failed before the server said anything, by
libpq's message (which carries no SQLSTATE). Whatever text of the server or of
libpq is quoted is first stripped of every password crisiscli knows of: the
URL's and ``PGPASSWORD``.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import psycopg
from psycopg.conninfo import conninfo_to_dict

from crisiscli.errors import StoreError, UsageError

CONNECT_TIMEOUT: Final = 5
"""Seconds to wait for a server that does not answer, unless the URL or PGCONNECT_TIMEOUT says."""


@dataclass(frozen=True)
class Server:
    """What an error may say about the server: never the password."""

    host: str
    port: str
    dbname: str
    user: str
    connect_timeout: int
    secrets: tuple[str, ...]
    """The passwords in the URL and the environment, scrubbed from any quoted text."""

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}/{self.dbname}"

    def failure(self, action: str, problem: str) -> StoreError:
        """The one sentence of a failed ``action`` (open, read, write to), exit 1."""
        return StoreError(f"could not {action} the PostgreSQL journal {self.where}: {problem}")

    def scrub(self, text: str) -> str:
        """``text``'s first line, each known password replaced by ``***``."""
        line = text.strip().splitlines()[0] if text.strip() else "no reason given"
        for secret in self.secrets:
            line = line.replace(secret, "***")
        return line


def server_of(url: str, environ: Mapping[str, str] | None = None) -> tuple[Server, dict[str, str]]:
    """The server ``url`` names, with libpq's defaults, and the URL's own parameters.

    Raises ``UsageError`` (exit 2) when libpq cannot read the URL; its message
    is cut before the quoted part, which may be the password.
    """
    env = os.environ if environ is None else environ
    try:
        params = {key: str(value) for key, value in conninfo_to_dict(url).items()}
    except psycopg.Error as exc:
        # libpq may quote part of the URL (the password among it), after a colon or
        # not: keep only what comes before the first colon or quote.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        reason = re.split(r"[:\"']", first, maxsplit=1)[0].strip()
        raise UsageError(
            f"the store is not a PostgreSQL URL libpq can read ({reason or 'invalid'}); "
            "expected postgresql://USER@HOST:PORT/DATABASE"
        ) from None
    user = params.get("user") or env.get("PGUSER") or _login()
    timeout = params.get("connect_timeout") or env.get("PGCONNECT_TIMEOUT") or ""
    server = Server(
        host=params.get("host") or params.get("hostaddr") or env.get("PGHOST") or "localhost",
        port=params.get("port") or env.get("PGPORT") or "5432",
        dbname=params.get("dbname") or env.get("PGDATABASE") or user,
        user=user,
        connect_timeout=int(timeout) if timeout.strip().isdigit() else CONNECT_TIMEOUT,
        secrets=tuple(
            secret for secret in (params.get("password"), env.get("PGPASSWORD")) if secret
        ),
    )
    return server, params


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "postgres"


def problem(exc: psycopg.Error, server: Server) -> str:
    """What ``exc`` means for the responder, without the sentence's start."""
    state = exc.sqlstate or ""
    if state:
        return _by_state(state, exc, server)
    return _by_message(str(exc), server)


_LOST: Final = "the connection to the server was lost"

_STATES: Final[Mapping[str, str]] = {
    "57P01": "the server shut down while the journal was in use",
    "57P02": "the server stopped after one of its processes crashed",
    "57P03": "the server is starting up or shutting down and accepts no connection now",
    "57014": "the server cancelled the statement (statement_timeout, or an operator)",
    "53100": "the server's disk is full; free some space there and try again",
    "53200": "the server ran out of memory",
    "53300": "the server has too many connections open; try again in a moment",
    "58030": "the server's disk reported an I/O error",
    "25006": "the server only accepts reads (is it a standby?)",
    "55P03": "another process held the session locked for too long",
    "40001": "the server aborted the write because of a concurrent one; try again",
    "40P01": "the server aborted the write because of a concurrent one; try again",
}

_CLASSES: Final[Mapping[str, str]] = {
    "08": _LOST,
    "53": "the server ran out of resources",
    "57": "an operator stopped the server's work",
    "58": "the server reported a system error",
}


def _by_state(state: str, exc: psycopg.Error, server: Server) -> str:
    if state in _STATES:
        return _STATES[state]
    if state == "42501":
        said = server.scrub(str(exc))
        return (
            f"role {server.user} lacks a permission the journal needs ({said}); ask the "
            "database's owner to grant it, or make the role own the database"
        )
    if state == "3F000":
        return "no schema to create the journal's tables in; check search_path in the URL"
    if state[:2] in _CLASSES:
        return _CLASSES[state[:2]]
    return f"the server reported: {server.scrub(str(exc))}"


def _by_message(message: str, server: Server) -> str:
    """A failure libpq met before the server said anything, or instead of what it said."""
    text = message.lower()
    if "connection refused" in text:
        return (
            f"nothing answers at {server.host}:{server.port} (connection refused); "
            "check that the server is running and accepts TCP/IP connections there"
        )
    if "timeout expired" in text:
        return f"the server did not answer within {server.connect_timeout} seconds"
    if "failed to resolve host" in text or "could not translate host name" in text:
        return f"the host name {server.host} is unknown"
    if "password authentication failed" in text or "authentication failed" in text:
        return (
            f"the server refused the credentials of role {server.user} (a wrong password, "
            "or no such role); check PGPASSWORD, ~/.pgpass or the URL"
        )
    if "no password supplied" in text:
        return (
            f"the server asks for the password of role {server.user} and none was given; "
            "set PGPASSWORD or add the server to ~/.pgpass"
        )
    if re.search(r'database ".*" does not exist', text):
        return (
            f"the database {server.dbname} does not exist on the server; "
            "create it (createdb) or correct the URL"
        )
    if re.search(r'role ".*" does not exist', text):
        return f"the role {server.user} does not exist on the server"
    if "no pg_hba.conf entry" in text:
        return (
            f"the server accepts no connection from this machine for role {server.user} "
            "(pg_hba.conf)"
        )
    if "permission denied for database" in text:
        return f"role {server.user} may not connect to the database {server.dbname}"
    if "shutting down" in text or "starting up" in text or "in recovery mode" in text:
        return _STATES["57P03"]
    if "too many clients" in text or "connection slots" in text:
        return _STATES["53300"]
    if "terminating connection" in text:
        return _STATES["57P01"]
    if "closed the connection" in text or "connection is lost" in text or "eof" in text:
        return _LOST
    if "no such file or directory" in text and "socket" in text:
        return "nothing answers on the local socket (is the server running?)"
    detail = message.rsplit("failed: ", maxsplit=1)[-1]
    return server.scrub(detail)
