"""Results are bit-identical in this process, on 2 local workers and on a local Dask cluster:
runs, comparisons, sweeps, and staffing plans (rostered, so the shifts path is covered)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS, run_json_without_provenance
from simcall.cli import app
from simcall.errors import SimcallError
from simcall.experiments.comparison import compare
from simcall.experiments.executors import executor_for
from simcall.experiments.sweeps import sweep

Texts = tuple[str, str, str, str]
FIVE = SCENARIOS / "five_departments.toml"
HELPDESK = SCENARIOS / "helpdesk.toml"


def _document(summary: simcall.Summary) -> str:
    return json.dumps(summary.to_json(), sort_keys=True)


def _everything(executor: Executor | None) -> Texts:
    """A replicate, a comparison, a sweep and a staffing plan in shifts, as text that shows
    any difference (less the provenance, which records the time)."""
    five = simcall.load(FIVE)
    helpdesk = simcall.load(HELPDESK)
    summary = simcall.replicate(five, 4, executor=executor)
    comparison = compare({"10": helpdesk, "12": simcall.load(
        HELPDESK, ["agents.support team.staff=12"])}, 3, executor=executor)
    table = sweep(helpdesk, {"agents.support team.staff": [9, 10, 11]}, 2, executor=executor)
    compared = comparison.to_json()
    compared.pop("provenance")
    short = simcall.load(HELPDESK, ["intervals=4"])
    plan = simcall.staff(short, replications=9, verify_replications=7, shifts="2h,1h",
                         executor=executor).to_json()
    plan.pop("provenance")
    return (_document(summary), json.dumps(compared, sort_keys=True),
            json.dumps(list(table.rows), sort_keys=True), json.dumps(plan, sort_keys=True))


@pytest.fixture(scope="module")
def in_process() -> Texts:
    return _everything(None)


def test_two_local_workers_give_identical_results(in_process: Texts) -> None:
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert _everything(pool) == in_process


def test_one_worker_of_a_pool_gives_identical_results(in_process: Texts) -> None:
    with ProcessPoolExecutor(max_workers=1) as pool:
        assert _everything(pool) == in_process


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[Executor]:
    pytest.importorskip("distributed", reason="dask is an optional extra: simcall[dask]")
    with executor_for(2, "local") as executor:
        assert executor is not None
        yield executor


def test_local_dask_cluster_gives_identical_results(in_process: Texts,
                                                    dask_executor: Executor) -> None:
    assert _everything(dask_executor) == in_process


def test_the_local_dask_cluster_listens_on_this_machine_only(dask_executor: Executor) -> None:
    """A scheduler runs pickled code: the one --dask local starts is for this machine."""
    cluster = dask_executor._client.cluster  # type: ignore[attr-defined]  # Dask's executor
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    for worker in cluster.scheduler_info["workers"]:
        assert worker.startswith("tcp://127.0.0.1:")
    assert cluster.dashboard_link.startswith("http://127.0.0.1:")
    listening = [sock.getsockname()[0] for sock in
                 cluster.scheduler.services["dashboard"]._sockets.values()]
    assert listening and set(listening) == {"127.0.0.1"}  # not 0.0.0.0: the link alone
    # would say 127.0.0.1 for a server bound to every interface


def test_dask_from_the_command_line(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    local = run_json_without_provenance(tmp_path, "local", str(HELPDESK), "-r", "3", "-w", "1")
    dask = run_json_without_provenance(tmp_path, "dask", str(HELPDESK), "-r", "3", "--dask",
                                       "local", "-w", "2")
    assert local == dask


def test_executor_choices() -> None:
    with executor_for(1) as executor:
        assert executor is None  # one worker: in this process, nothing pickled
    with executor_for(2) as executor:
        assert isinstance(executor, ProcessPoolExecutor)
    with pytest.raises(SimcallError, match="--workers 0: must be at least 1"), executor_for(0):
        pass


def test_unreachable_scheduler_is_a_clear_error() -> None:
    pytest.importorskip("distributed")
    result = CliRunner().invoke(app, ["run", str(HELPDESK), "-r", "2", "--dask",
                                      "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "cannot reach the scheduler" in result.output
    assert "Traceback" not in result.output


def test_a_dask_client_itself_is_taken_as_its_executor() -> None:
    """Issue 16: passing the Client (not ``client.get_executor()``) failed with "'Future'
    object has no attribute 'metrics'"; now it runs, with the same numbers. An in-process
    cluster of one worker keeps it cheap."""
    distributed = pytest.importorskip("distributed", reason="dask is an optional extra")
    from helpers import scenario_from

    tiny = scenario_from()
    alone = simcall.replicate(tiny, 2, seed=3)
    points = {"agents.team.staff": [1, 2]}
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        on_dask = simcall.replicate(tiny, 2, seed=3, executor=client)
        swept = sweep(tiny, points, 2, seed=3, executor=client)
    assert _document(on_dask) == _document(alone)
    assert swept.rows == sweep(tiny, points, 2, seed=3).rows


def test_something_that_is_no_executor_is_named() -> None:
    with pytest.raises(SimcallError, match="executor=str: not an executor"):
        simcall.replicate(simcall.load(HELPDESK), 2, executor="dask")  # type: ignore[arg-type]
