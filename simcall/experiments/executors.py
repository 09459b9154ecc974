"""Where simulations run: in this process, on local worker processes, or on Dask.

Every job is ``(scenario, seed, replication)`` and its result depends on
nothing else, so the executor only changes how long a run takes, never its
numbers. The Python API takes any :class:`concurrent.futures.Executor` or a Dask
``distributed.Client`` (:func:`as_executor`); the command line builds one from
``--workers``, ``--dask`` and ``--dask-security`` with :func:`executor_for`.

Why Dask is handled with care here: a Dask scheduler runs pickled code. Whoever
can connect to it runs code on the workers, and a scheduler can send the client
objects that run code when unpickled. So the local cluster listens on 127.0.0.1
only, a remote scheduler is reached over ``tls://`` with certificates or over a
``tcp://`` address the user vouches for, and every address is checked before
anything connects.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simcall.errors import SimcallError


def available_cores() -> int:
    """Cores this process may use (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def as_executor(executor: Any) -> Executor | None:
    """The executor to run jobs on: ``None`` (this process) or any
    :class:`concurrent.futures.Executor` as given, and for a Dask ``distributed.Client``
    its ``get_executor()``.

    Why: a Client looks like an executor (it has ``map`` and ``submit``) but returns Dask
    futures where an executor's ``map`` returns results, so passing one used to fail deep
    inside with ``'Future' object has no attribute 'metrics'``. Anything else is refused
    with the argument named.
    """
    if executor is None or isinstance(executor, Executor):
        return executor
    get_executor = getattr(executor, "get_executor", None)
    if callable(get_executor):
        made = get_executor()
        if isinstance(made, Executor):
            return made
    raise SimcallError(
        f"executor={type(executor).__name__}: not an executor; give a concurrent.futures "
        "Executor (ProcessPoolExecutor, ThreadPoolExecutor, a Dask Client's "
        "get_executor()), a Dask distributed.Client, or None to run in this process")


_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})")
_ALLOWED = "allowed: 'local', tcp://HOST:PORT or tls://HOST:PORT"


@dataclass(frozen=True)
class TlsFiles:
    """The client's certificate files for a ``tls://`` scheduler.

    Why all three: the CA file lets the client check that it talks to the
    scheduler it means (not to one that would send it code to run), and the
    certificate and key prove to the scheduler that the client may submit work.
    """

    ca: Path
    cert: Path
    key: Path

    def security(self) -> Any:
        """distributed's ``Security``, refusing to talk without encryption.

        The files are checked here rather than left to distributed, whose
        error for a missing file is a traceback that does not name the option.
        """
        for role, path in (("CA file", self.ca), ("certificate", self.cert),
                           ("key", self.key)):
            if not path.is_file():
                problem = "is not a file" if path.exists() else "does not exist"
                raise SimcallError(f"--dask-security: {role} '{path}' {problem}")
        from distributed import Security

        return Security(tls_ca_file=str(self.ca), tls_client_cert=str(self.cert),
                        tls_client_key=str(self.key), require_encryption=True)


@contextmanager
def executor_for(workers: int | None = None, dask: str | None = None,
                 tls: TlsFiles | None = None) -> Iterator[Executor | None]:
    """The executor the command-line options ask for, shut down afterwards.

    Parameters
    ----------
    workers
        Local worker processes; ``None`` means every available core. One
        worker gives ``None``: simulate in this process, with no pickling.
    dask
        ``"local"`` starts a local Dask cluster (``workers`` processes) that
        listens on 127.0.0.1 only; otherwise the address of a running
        scheduler, ``tcp://HOST:PORT`` (unencrypted, unauthenticated) or
        ``tls://HOST:PORT`` (with ``tls``).
    tls
        The certificate files for a ``tls://`` scheduler; required there, and
        refused anywhere else (where they would silently go unused).
    """
    # imported here: worker processes (multiprocessing) cost an import nobody running
    # in-process needs, and `import simcall` loads this module
    from concurrent.futures import ProcessPoolExecutor

    if dask is not None:
        with _dask_executor(dask, workers, tls) as executor:
            yield executor
        return
    if tls is not None:
        raise SimcallError("--dask-security: only with --dask tls://HOST:PORT")
    count = available_cores() if workers is None else workers
    if count < 1:
        raise SimcallError(f"--workers {count}: must be at least 1")
    if count == 1:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=count, initializer=_ignore_interrupts)
    try:
        yield pool
    except BaseException:  # Ctrl-C or an error: stop the workers now, wait for nothing
        stop_now(pool)
        raise
    pool.shutdown(wait=True)


def _ignore_interrupts() -> None:
    """In each worker: Ctrl-C is the command's to handle, not the worker's.

    Why: a terminal's Ctrl-C reaches every process of the group; a worker that raised
    KeyboardInterrupt mid-replication printed its traceback over the command's own
    message. The command stops its workers itself (:func:`stop_now`).
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def stop_now(pool: Any) -> None:
    """End a process pool at once: terminate its workers, cancel what is queued.

    Why not only ``shutdown(wait=True, cancel_futures=True)``: it waits for the
    replications running, and on Ctrl-C it could hang for good; a command that is
    interrupted keeps nothing from the runs in flight, so there is nothing to wait for.
    The pool's own thread then marks the futures broken, and for the ones already
    cancelled (``Executor.map`` cancels what is left when it is interrupted) Python 3.11
    raises ``InvalidStateError`` in that thread: harmless, and kept off the screen.
    """
    import threading
    from concurrent.futures import InvalidStateError

    previous = threading.excepthook

    def quiet(args: Any) -> None:  # the pool's thread marking cancelled futures broken
        if not issubclass(args.exc_type, InvalidStateError):
            previous(args)

    threading.excepthook = quiet
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:  # dead in milliseconds; then the pool's own thread ends too
        process.join(timeout=1.0)
    pool.shutdown(wait=True, cancel_futures=True)


def check_address(address: str, tls: TlsFiles | None) -> None:
    """Refuse an address Dask would answer with a traceback, before importing Dask.

    Why by hand: distributed raises ``ValueError`` or ``TypeError`` from deep
    inside for a malformed address or a ``tls://`` one without certificates.
    """
    if address == "local":
        if tls is not None:
            raise SimcallError("--dask-security: only with --dask tls://HOST:PORT (the local "
                               "cluster listens on 127.0.0.1 and needs no certificates)")
        return
    match = _ADDRESS.fullmatch(address)
    if match is None or not 1 <= int(match.group(3)) <= 65535:
        raise SimcallError(f"--dask {address}: not a scheduler address; {_ALLOWED} "
                           "(a port from 1 to 65535)")
    if match.group(1) == "tls" and tls is None:
        raise SimcallError(f"--dask {address}: a tls:// scheduler needs certificates; give "
                           "--dask-security FOLDER (holding ca.pem, cert.pem and key.pem) "
                           "or --dask-security CA,CERT,KEY")
    if match.group(1) == "tcp" and tls is not None:
        raise SimcallError(f"--dask {address}: --dask-security needs a tls:// address "
                           "(tcp:// is unencrypted)")


def local_cluster_options(workers: int | None) -> dict[str, Any]:
    """How ``--dask local`` starts its cluster: on 127.0.0.1 only.

    Why: the scheduler runs whatever pickled code it is sent, and the dashboard
    shows (and lets one stop) the work; neither is for the rest of the network.
    Port 0 lets the system choose a free port, so two runs never collide.
    """
    return {"n_workers": workers or available_cores(), "threads_per_worker": 1,
            "processes": True, "host": "127.0.0.1", "dashboard_address": "127.0.0.1:0"}


@contextmanager
def _dask_executor(address: str, workers: int | None,
                   tls: TlsFiles | None) -> Iterator[Executor]:
    check_address(address, tls)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SimcallError(
            "--dask needs the dask extra: pip install 'simcall[dask]'") from None
    if address == "local":
        cluster = LocalCluster(**local_cluster_options(workers))
        client = Client(cluster)
    else:
        cluster = None
        security = None if tls is None else tls.security()
        try:
            client = Client(address, timeout="5s", security=security)
        except OSError as exc:
            raise SimcallError(f"--dask {address}: cannot reach the scheduler ({exc}); "
                               f"give the address of a running dask scheduler; "
                               f"{_ALLOWED}") from None
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
