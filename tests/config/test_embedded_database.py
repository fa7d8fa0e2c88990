"""The embedded PostgreSQL path of `make run`, exercised even when CI provides a server."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.embedded
def test_without_database_url_an_embedded_postgresql_starts_migrates_and_stops():
    # A short path: PostgreSQL's socket lives in the data folder and socket paths are short.
    data_dir = Path(tempfile.mkdtemp(prefix="pg-", dir="/tmp"))
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        EMBEDDED_PG_DIR=str(data_dir / "data"), DJANGO_SETTINGS_MODULE="config.settings.local"
    )

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    try:
        migrated = manage("migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr
        assert "Applying stations.0001_initial... OK" in migrated.stdout
        probe = manage(
            "shell",
            "-c",
            "from django.db import connection; from django.conf import settings; "
            "print(settings.EMBEDDED_DATABASE, connection.vendor, "
            "connection.cursor().execute('select count(*) from stations_division').fetchone()[0])",
        )
        assert probe.returncode == 0, probe.stderr
        assert probe.stdout.split()[-3:] == ["True", "postgresql", "0"]
        assert (data_dir / "data" / "postmaster.pid").exists()
    finally:
        stopped = subprocess.run(
            [sys.executable, "-c", "from config import embedded_db; embedded_db.stop()"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert stopped.returncode == 0, stopped.stderr
    assert not (data_dir / "data" / "postmaster.pid").exists()
    subprocess.run(["rm", "-rf", str(data_dir)], check=False)
