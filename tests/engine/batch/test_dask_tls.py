"""A batch on a Dask cluster secured with TLS (docs/batch.md) gives the process pool's store, and strangers are refused.

The scheduler and two workers are started as docs/batch.md shows them (``dask scheduler`` and
``dask worker`` with ``--tls-*``, encryption required), in a folder that holds neither the
store nor the settings; ``kamengine batch`` reaches them with the client's certificate through
Dask's own configuration (``DASK_DISTRIBUTED__COMM__TLS__*``), which its ``Client`` reads.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest
from dask_processes import read_scheduler_address, stop_processes
from support import REPO, example_data

BIN = Path(sys.executable).parent
#: What every process of the cluster, and its client, is told: no plain-TCP connection at all.
ENCRYPTED = {"DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True"}
SAME = "select id, account_id, rule, status, title, priority, due, owner_id, evidence, body from recommendations order by id"


class Certificates:
    """A cluster's own CA and the certificates it signs, as PEM files in a folder (what an operator keeps)."""

    def __init__(self, folder: Path, ca_name: str = "kamengine test cluster CA") -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        self._x509, self._hashes, self._ec, self._oids, self._names = x509, hashes, ec, ExtendedKeyUsageOID, NameOID
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_name)])
        ca = self._builder(self._name, self._name, self._key).add_extension(
            x509.BasicConstraints(ca=True, path_length=0), True
        )
        self.ca = self._write("ca.pem", ca.sign(self._key, hashes.SHA256()))

    def issue(self, role: str) -> tuple[Path, Path]:
        """A certificate and key for ``role`` (scheduler, worker, client), for 127.0.0.1 and localhost."""
        x509 = self._x509
        key = self._ec.generate_private_key(self._ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(self._names.COMMON_NAME, f"kamengine {role}")])
        names = x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))])
        usage = x509.ExtendedKeyUsage([self._oids.SERVER_AUTH, self._oids.CLIENT_AUTH])  # each side is both
        builder = self._builder(subject, self._name, key).add_extension(names, False).add_extension(usage, False)
        signed = builder.sign(self._key, self._hashes.SHA256())
        return self._write(f"{role}.pem", signed), self._write_key(f"{role}.key", key)

    def _builder(self, subject: Any, issuer: Any, key: Any) -> Any:
        now = dt.datetime.now(dt.UTC)
        builder = self._x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
        builder = builder.public_key(key.public_key()).serial_number(self._x509.random_serial_number())
        return builder.not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))

    def _write(self, name: str, certificate: Any) -> Path:
        from cryptography.hazmat.primitives.serialization import Encoding

        path = self.folder / name
        path.write_bytes(certificate.public_bytes(Encoding.PEM))
        return path

    def _write_key(self, name: str, key: Any) -> Path:
        from cryptography.hazmat.primitives import serialization

        path = self.folder / name
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)  # a private key readable by the cluster's own user only
        return path


def _client(address: str, **options: Any) -> Any:
    """A ``distributed.Client`` (its module is untyped: the client is used as ``Any``)."""
    distributed: Any = pytest.importorskip("distributed")
    return distributed.Client(address, **options)


def _security(**options: Any) -> Any:
    """A ``distributed.security.Security`` with these TLS settings."""
    security: Any = pytest.importorskip("distributed.security")
    return security.Security(**options)


def _tls(ca: Path, cert: Path, key: Path) -> list[str]:
    return ["--tls-ca-file", str(ca), "--tls-cert", str(cert), "--tls-key", str(key)]


def _client_env(certificates: Certificates, cert: Path, key: Path) -> dict[str, str]:
    """Dask's configuration for a client with this certificate: what ``kamengine batch`` is run with."""
    return {
        **ENCRYPTED,
        "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(certificates.ca),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(cert),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(key),
    }


class TlsCluster:
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, TLS only, in an empty folder."""

    def __init__(self, folder: Path, certificates: Certificates) -> None:
        self.certificates = certificates
        self.processes: list[subprocess.Popen[bytes]] = []
        self.empty = folder / "cluster"  # neither the store nor the settings: workers must not need them
        self.empty.mkdir()
        env = {**os.environ, **ENCRYPTED}
        scheduler_file = folder / "scheduler.json"
        self._start(
            [str(BIN / "dask"), "scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(scheduler_file), *_tls(certificates.ca, *certificates.issue("scheduler"))],
            env,
        )  # fmt: skip
        self.address = read_scheduler_address(scheduler_file, self.processes[0])
        worker = _tls(certificates.ca, *certificates.issue("worker"))
        for name in ("host-a", "host-b"):  # two machines' worth, each started as docs/batch.md starts one
            self._start(
                [str(BIN / "dask"), "worker", self.address, "--name", name, "--nthreads", "1",
                 "--no-dashboard", "--host", "127.0.0.1", *worker],
                env,
            )  # fmt: skip
        self.client_cert, self.client_key = certificates.issue("client")

    def _start(self, args: list[str], env: dict[str, str]) -> None:
        log = (self.empty.parent / f"{len(self.processes)}.log").open("wb")
        self.processes.append(subprocess.Popen(args, cwd=self.empty, env=env, stdout=log, stderr=log))

    def security(self) -> Any:
        """The test's own client credentials, as a ``distributed.security.Security``."""
        return _security(
            tls_ca_file=str(self.certificates.ca), tls_client_cert=str(self.client_cert),
            tls_client_key=str(self.client_key), require_encryption=True,
        )  # fmt: skip

    def stop(self) -> None:
        stop_processes(self.processes)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsCluster]:
    """A TLS cluster with two workers connected, for the module's tests."""
    pytest.importorskip("distributed")
    pytest.importorskip("cryptography")
    folder = tmp_path_factory.mktemp("tls")
    started = TlsCluster(folder, Certificates(folder / "certificates"))
    try:
        with _client(started.address, security=started.security(), timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield started
    finally:
        started.stop()


def _portfolio(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    data = example_data()
    for index in range(count):
        data["account"]["id"], data["account"]["name"] = f"acct-{index:02d}", f"Account {index}"
        (folder / f"{index:02d}.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def _batch(folder: Path, db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "kamengine"), "batch", "--source", f"file:{folder}", "--db", str(db), *args]
    return subprocess.run(
        command, cwd=folder.parent, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300
    )


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_the_cluster_speaks_tls_only_and_its_workers_are_known_by_tls_addresses(cluster: TlsCluster) -> None:
    assert cluster.address.startswith("tls://127.0.0.1:")
    with _client(cluster.address, security=cluster.security(), timeout=30) as client:
        workers = client.scheduler_info()["workers"]
    assert len(workers) == 2 and all(address.startswith("tls://") for address in workers)


def test_a_batch_on_the_tls_cluster_gives_the_process_pool_s_store(cluster: TlsCluster, tmp_path: Path) -> None:
    folder = _portfolio(tmp_path / "portfolio", 5)
    local, on_dask = tmp_path / "local.db", tmp_path / "dask.db"
    pool = _batch(folder, local, "--workers", "2")
    assert pool.returncode == 0, pool.stderr
    secured = _client_env(cluster.certificates, cluster.client_cert, cluster.client_key)
    dask = _batch(folder, on_dask, "--executor", "dask", "--scheduler", cluster.address, env=secured)
    assert dask.returncode == 0, dask.stderr
    assert _rows(on_dask, SAME) == _rows(local, SAME) != []
    assert _rows(on_dask, "select account_id, status from run_accounts order by account_id") == [
        (f"acct-{i:02d}", "done") for i in range(5)
    ]


def test_a_client_whose_certificate_another_ca_signed_is_refused(cluster: TlsCluster, tmp_path: Path) -> None:
    stranger = Certificates(tmp_path / "stranger", ca_name="somebody else's CA")
    cert, key = stranger.issue("client")
    # It trusts the cluster's CA (so it would accept the scheduler), but the scheduler does not trust its CA.
    security = _security(
        tls_ca_file=str(cluster.certificates.ca), tls_client_cert=str(cert), tls_client_key=str(key),
        require_encryption=True,
    )  # fmt: skip
    with pytest.raises(OSError):
        _client(cluster.address, security=security, timeout=5)


@pytest.mark.parametrize("mistake", ["no client certificate", "tcp:// while encryption is required"])
def test_a_tls_cluster_reached_wrongly_is_one_clear_error(cluster: TlsCluster, mistake: str) -> None:
    import dask
    from kamengine.engine.batch.dask_cluster import DaskExecutor
    from kamengine.engine.errors import KamengineError

    address = cluster.address  # this process's Dask configuration names no client certificate
    settings = {}
    if mistake.startswith("tcp://"):
        address = address.replace("tls://", "tcp://")
        settings = {"distributed.comm.require-encryption": True}
    with (
        dask.config.set(settings),
        pytest.raises(KamengineError, match=f"cannot reach the Dask scheduler at {address}"),
    ):
        DaskExecutor(address)


def test_the_all_extra_installs_dask_with_every_other_runtime_extra() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    runtime = {name: packages for name, packages in extras.items() if name not in ("all", "test", "dev")}
    assert "dask" in runtime
    assert {package for packages in runtime.values() for package in packages} <= set(extras["all"])
