"""A daemon on SQLite never loads the job engine that shares work between daemons on
PostgreSQL: procrastinate and psycopg would sit in its memory for its whole life
(~11 MiB resident)."""

from __future__ import annotations

from tests.imports import fresh_python


def test_a_daemon_on_sqlite_loads_no_job_engine() -> None:
    script = (
        "import sys\n"
        "import monitor.cli, monitor.daemon\n"
        "print(sorted({'procrastinate', 'psycopg', 'monitor.jobs'} & set(sys.modules)))\n"
        "import monitor.jobs\n"
        "print(sorted({'procrastinate', 'psycopg', 'monitor.jobs'} & set(sys.modules)))\n"
    )
    assert fresh_python(script) == ["[]", "['monitor.jobs', 'procrastinate', 'psycopg']"]
