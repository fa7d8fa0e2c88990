"""Embedded PostgreSQL for a machine without a database server.

When ``DATABASE_URL`` is unset, the platform starts (or reuses) a PostgreSQL
server from the ``pgserver`` wheel with its data under ``.data/postgres`` (or
``EMBEDDED_PG_DIR``). The server is left running after the process exits so
that ``manage.py`` commands, the web server and the worker share it; ``make
stop-db`` stops it.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "shegongzhan"


def data_dir() -> Path:
    """EMBEDDED_PG_DIR, else postgres/ under DATA_DIR (default .data/)."""
    if os.environ.get("EMBEDDED_PG_DIR"):
        return Path(os.environ["EMBEDDED_PG_DIR"])
    return Path(os.environ.get("DATA_DIR") or BASE_DIR / ".data") / "postgres"


def database_url(directory: Path | None = None) -> str:
    """Start the embedded server if needed and return a URL for the platform database."""
    import warnings

    # pgserver keeps a lock file in the user's runtime directory; without
    # XDG_RUNTIME_DIR platformdirs falls back to /tmp and warns on every start.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    directory = directory or data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(directory, cleanup_mode=None)
    # DATABASE_NAME is a constant of this module, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return server.get_uri(DATABASE_NAME)


def stop(directory: Path | None = None) -> None:
    """Stop the embedded server that keeps its data in ``directory``, if it runs."""
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # made at import

    directory = (directory or data_dir()).resolve()
    if not (directory / "postmaster.pid").exists():
        return
    # pgserver runs PostgreSQL as its own system user when started by root.
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=directory, user=user)
