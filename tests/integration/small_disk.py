"""A PostgreSQL schema on a disk of its own, small enough to fill for real.

PostgreSQL's answer to a full disk (SQLSTATE 53100, disk_full) cannot be faked from the
client side, so a test that wants it makes one: a tmpfs of a few megabytes mounted in a
fresh directory, owned by the server's own user; a tablespace on it; a schema whose
tables and indexes are created there (the store's connections get ``default_tablespace``
in their options, as an operator would give it). ``fill()`` takes every byte left with a
file of ours, ``free()`` deletes that file. The server's write-ahead log and every other
database stay on the real disk, which is never filled.

It needs root (to mount) and a server on this machine (the tablespace's directory must be
the server's to write); where either is missing the test is skipped, saying which. The
schema, the tablespace and the mount go in the finaliser whatever the test did.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from monitor.store.engine import normalise_url

#: the disk's size: the monitor's empty schema takes ~330 kB of it
SIZE = "8M"
_CHUNK = 64 * 1024


class SmallDisk:
    """A PostgreSQL schema on a tmpfs of ``SIZE``; ``url`` is the store's database URL."""

    def __init__(self, admin_url: str, mount: Path, schema: str) -> None:
        self.mount = mount
        self.schema = schema
        self.tablespace = schema
        self.filler = mount / "filler"
        options = f"-csearch_path={schema} -cdefault_tablespace={self.tablespace}"
        self.url = f"{admin_url}?options={quote(options)}"

    def fill(self) -> None:
        """Take every byte left on the disk (the database's own files can grow no more)."""
        block = b"\0" * _CHUNK
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            while True:  # the last write is a short one, the next one is refused
                os.write(fd, block)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
        finally:
            os.close(fd)

    def free(self) -> None:
        """Give the space back."""
        self.filler.unlink(missing_ok=True)

    def readable(self, engine: Engine) -> dict[str, int]:
        """Every table of the schema read to its end: table → rows."""
        counts = {}
        with engine.connect() as conn:
            tables = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": self.schema}
            ).scalars()
            for table in list(tables):
                name = f'"{self.schema}"."{table}"'
                counts[table] = int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
        return counts


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


@contextmanager
def small_disk(admin_url: str | None) -> Iterator[SmallDisk]:
    """Mount, make the tablespace and the schema; yield; take them all down again."""
    if not admin_url:
        pytest.skip("MONITOR_TEST_PG_URL is not set (e.g. postgresql://postgres@127.0.0.1/test)")
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs under PostgreSQL needs root")
    if shutil.which("mount") is None or shutil.which("umount") is None:
        pytest.skip("no mount/umount command on this machine")
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    mount = Path(tempfile.mkdtemp(prefix="monitor-small-disk-"))
    schema = f"t_full_{uuid.uuid4().hex[:20]}"  # a tablespace of the same name
    mounted = made_tablespace = made_schema = False
    try:
        try:
            with admin.connect() as conn:
                data = str(conn.execute(text("SHOW data_directory")).scalar_one())
        except DBAPIError as exc:
            pytest.skip(f"cannot ask the server where its files are: {exc.orig}")
        if not os.path.isdir(data):
            pytest.skip(f"the PostgreSQL server's files ({data}) are not on this machine")
        owner = os.stat(data)
        options = f"size={SIZE},mode=0700,uid={owner.st_uid},gid={owner.st_gid}"
        done = _run("mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount))
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted = True
        with admin.connect() as conn:
            conn.execute(text(f"CREATE TABLESPACE \"{schema}\" LOCATION '{mount}'"))
            made_tablespace = True
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            made_schema = True
        yield SmallDisk(admin_url, mount, schema)
    finally:
        try:
            with admin.connect() as conn:
                if made_schema:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                if made_tablespace:
                    conn.execute(text(f'DROP TABLESPACE IF EXISTS "{schema}"'))
        finally:
            admin.dispose()
            if mounted and _run("umount", str(mount)).returncode:
                _run("umount", "--lazy", str(mount))  # a server process still has a file open
            mount.rmdir()
