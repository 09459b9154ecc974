"""Dask is reached safely or not at all: addresses are checked, tls:// needs certificates,
the local cluster listens on 127.0.0.1 only, and a tls:// scheduler gives the same numbers.

Why these matter: a Dask scheduler runs pickled code, so a mistyped address must not fall
through to a traceback, and a scheduler on a public interface is a door for anyone.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import SCENARIOS, run_json_without_provenance
from simcall.cli import app
from simcall.errors import SimcallError
from simcall.experiments.executors import (
    TlsFiles,
    check_address,
    executor_for,
    local_cluster_options,
)

HELPDESK = SCENARIOS / "helpdesk.toml"


def _run(*options: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["run", str(HELPDESK), "-r", "2", *options])
    return result.exit_code, result.output


@pytest.mark.parametrize("address", ["foo://bar", "tcp://", "tcp://host:notaport",
                                     "tcp://host:0", "tcp://host:70000", "10.0.0.5:8786",
                                     "tls://host", "tcp://host:8786/path"])
def test_a_malformed_address_is_refused_with_what_is_allowed(address: str) -> None:
    code, output = _run("--dask", address)
    assert code == 2, output
    assert f"--dask {address}: not a scheduler address" in output
    assert "'local', tcp://HOST:PORT or tls://HOST:PORT" in output
    assert "Traceback" not in output


@pytest.mark.parametrize("address", ["tcp://10.0.0.5:8786", "tls://scheduler.lan:8786",
                                     "tcp://[::1]:8786", "local"])
def test_well_formed_addresses_pass_the_check(address: str, tmp_path: Path) -> None:
    tls = TlsFiles(tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem")
    check_address(address, tls if address.startswith("tls") else None)


def test_tls_without_certificates_says_what_to_give() -> None:
    code, output = _run("--dask", "tls://127.0.0.1:8786")
    assert code == 2
    assert "a tls:// scheduler needs certificates" in output
    assert "--dask-security FOLDER" in output and "CA,CERT,KEY" in output
    assert "Traceback" not in output


def test_a_missing_certificate_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not used: the check comes first")
    (tmp_path / "cert.pem").write_text("")
    code, output = _run("--dask", "tls://127.0.0.1:8786", "--dask-security", str(tmp_path))
    assert code == 2
    assert "key" in output and str(tmp_path / "key.pem") in output.replace("\n", "")
    assert "does not exist" in output

    code, output = _run("--dask", "tls://127.0.0.1:8786", "--dask-security",
                        f"{tmp_path / 'ca.pem'},{tmp_path / 'nocert.pem'},{tmp_path}")
    assert code == 2
    assert "certificate" in output and "nocert.pem" in output and "does not exist" in output


def test_a_missing_folder_or_a_wrong_list_is_refused(tmp_path: Path) -> None:
    code, output = _run("--dask", "tls://127.0.0.1:8786", "--dask-security",
                        str(tmp_path / "nowhere"))
    assert code == 2 and "no such folder" in output
    code, output = _run("--dask", "tls://127.0.0.1:8786", "--dask-security", "a.pem,b.pem")
    assert code == 2 and "give three files CA,CERT,KEY" in output


def test_certificates_only_with_a_tls_address(tmp_path: Path) -> None:
    for options in (["--dask", "tcp://127.0.0.1:8786"], ["--dask", "local"], ["-w", "1"]):
        code, output = _run(*options, "--dask-security", str(tmp_path))
        assert code == 2, options
        assert "--dask-security" in output and "tls://" in output


def test_the_local_cluster_listens_on_this_machine_only() -> None:
    options = local_cluster_options(2)
    assert options["host"] == "127.0.0.1"
    assert options["dashboard_address"].startswith("127.0.0.1:")
    assert options["n_workers"] == 2


def test_the_security_object_holds_the_files_and_requires_encryption(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("")
    security = TlsFiles(tmp_path / "ca.pem", tmp_path / "cert.pem",
                        tmp_path / "key.pem").security()
    assert security.tls_ca_file == str(tmp_path / "ca.pem")
    assert security.tls_client_cert == str(tmp_path / "cert.pem")
    assert security.tls_client_key == str(tmp_path / "key.pem")
    assert security.require_encryption is True


def test_the_python_api_checks_too() -> None:
    with pytest.raises(SimcallError, match="needs certificates"), \
            executor_for(2, "tls://127.0.0.1:8786"):
        pass


# -- a real round trip over TLS, with certificates made by openssl ----------------------


def _openssl(folder: Path, *arguments: str) -> None:
    subprocess.run(["openssl", *arguments], cwd=folder, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway CA and one certificate it signed, used by scheduler, worker and client
    (distributed checks the chain, not the host name)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make test certificates")
    folder = tmp_path_factory.mktemp("tls")
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl(folder, "req", "-x509", *key, "-keyout", "ca-key.pem", "-out", "ca.pem",
             "-days", "2", "-subj", "/CN=simcall test CA")
    _openssl(folder, "req", *key, "-keyout", "key.pem", "-out", "cert.csr",
             "-subj", "/CN=127.0.0.1")
    _openssl(folder, "x509", "-req", "-in", "cert.csr", "-CA", "ca.pem", "-CAkey",
             "ca-key.pem", "-CAcreateserial", "-out", "cert.pem", "-days", "2")
    return folder


@pytest.fixture(scope="module")
def tls_scheduler(certificates: Path) -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    ca, cert, key = (str(certificates / n) for n in ("ca.pem", "cert.pem", "key.pem"))
    security = distributed.Security(
        tls_ca_file=ca, tls_scheduler_cert=cert, tls_scheduler_key=key,
        tls_worker_cert=cert, tls_worker_key=key, tls_client_cert=cert, tls_client_key=key,
        require_encryption=True)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  protocol="tls://", host="127.0.0.1", security=security,
                                  dashboard_address=None) as cluster:
        yield str(cluster.scheduler_address)


def test_a_tls_scheduler_gives_the_same_numbers(tls_scheduler: str, certificates: Path,
                                                tmp_path: Path) -> None:
    assert tls_scheduler.startswith("tls://127.0.0.1:")
    here = run_json_without_provenance(tmp_path, "here", str(HELPDESK), "-r", "2", "-w", "1")
    remote = run_json_without_provenance(tmp_path, "tls", str(HELPDESK), "-r", "2", "--dask",
                                         tls_scheduler, "--dask-security", str(certificates))
    assert here == remote


def test_a_tcp_client_cannot_reach_a_tls_scheduler(tls_scheduler: str) -> None:
    code, output = _run("--dask", tls_scheduler.replace("tls://", "tcp://"))
    assert code == 2 and "cannot reach the scheduler" in output
    assert "Traceback" not in output
