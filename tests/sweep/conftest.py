"""A real PostgreSQL server for the sweep's shared-storage tests, started on loopback in a temporary directory
(Debian's `postgresql`, which `make test` installs; skipped with the reason where it cannot run)."""
import glob
import os
import pathlib
import pwd
import shutil
import subprocess

import pytest

from ..conftest import free_port


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'ganforge[sweep]')")
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql; make test does it as root)")
    run_as = []
    root = tmp_path_factory.mktemp("postgres")
    if os.geteuid() == 0:  # the server refuses to run as root: as Debian's postgres user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server as")
        os.chmod(root, 0o755)
        for parent in root.parents:  # the server's user must reach its directory
            if parent == pathlib.Path("/"):
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o011)
        os.chown(root, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()
    subprocess.run(run_as + [initdb, "-D", str(data), "-A", "trust", "-U", "postgres"], check=True,
                   capture_output=True)
    subprocess.run(run_as + [pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w", "-o",
                             f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"], check=True,
                   capture_output=True)
    try:
        import psycopg
        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute("CREATE DATABASE sweeps")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/sweeps"
    finally:
        subprocess.run(run_as + [pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
