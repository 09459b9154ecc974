"""Where simulations run: in this process, on local worker processes, or on Dask.

Every job is ``(scenario, seed, replication)`` and its result depends on
nothing else, so the executor only changes how long a run takes, never its
numbers. The Python API takes any :class:`concurrent.futures.Executor`; the
command line builds one from ``--workers`` and ``--dask`` with
:func:`executor_for`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from simcall.errors import SimcallError


def available_cores() -> int:
    """Cores this process may use (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def executor_for(workers: int | None = None, dask: str | None = None) -> Iterator[Executor | None]:
    """The executor the command-line options ask for, shut down afterwards.

    Parameters
    ----------
    workers
        Local worker processes; ``None`` means every available core. One
        worker gives ``None``: simulate in this process, with no pickling.
    dask
        ``"local"`` starts a local Dask cluster (``workers`` processes);
        any other text is the address of a running scheduler, e.g.
        ``tcp://10.0.0.5:8786``.
    """
    # imported here: worker processes (multiprocessing) cost an import nobody running
    # in-process needs, and `import simcall` loads this module
    from concurrent.futures import ProcessPoolExecutor

    if dask is not None:
        with _dask_executor(dask, workers) as executor:
            yield executor
        return
    count = available_cores() if workers is None else workers
    if count < 1:
        raise SimcallError(f"--workers {count}: must be at least 1")
    if count == 1:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=count)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _dask_executor(address: str, workers: int | None) -> Iterator[Executor]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SimcallError(
            "--dask needs the dask extra: pip install 'simcall[dask]'") from None
    if address == "local":
        cluster = LocalCluster(n_workers=workers or available_cores(), threads_per_worker=1,
                               processes=True, dashboard_address=":0")
        client = Client(cluster)
    else:
        cluster = None
        try:
            client = Client(address, timeout="5s")
        except OSError as exc:
            raise SimcallError(f"--dask {address}: cannot reach the scheduler ({exc}); "
                               "give tcp://HOST:PORT of a running dask scheduler, "
                               "or 'local'") from None
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
