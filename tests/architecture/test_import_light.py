"""``import simcall`` stays light: no scipy, matplotlib or pandas until they are needed.

Why: every command and every script starts with ``import simcall``; the closed forms
(scipy), the figures (matplotlib) and the tables (pandas) are loaded on first use. The
check runs in a fresh interpreter, since this test process has long imported them all.

Since issue 15 the front door imports no wing at all: each public name (``simcall.load``,
``simcall.simulate``, ...) imports its wing on first use, so ``import simcall`` loads
neither numpy nor the pydantic models (half of its time before). ``simcall.fit`` stays the
fitting function even when the wing of that name is imported after the front door.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("scipy", "matplotlib", "pandas", "pyarrow", "dask")

PROBE = (
    "import json, sys; import simcall; "
    "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
)


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_simcall_loads_no_heavy_library() -> None:
    loaded = _loaded_after(PROBE)
    assert "simcall" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def _modules_after(code: str) -> set[str]:
    """Every module (full names) loaded after ``import simcall`` and then ``code``."""
    return _loaded_after(f"import json, sys; import simcall; {code}; "
                         "print(json.dumps(sorted(sys.modules)))")


def test_import_simcall_loads_no_wing_and_no_pydantic() -> None:
    loaded = _modules_after("pass")
    assert {m for m in loaded if m.startswith("simcall.")} <= {"simcall.errors",
                                                                "simcall.version"}
    assert loaded.isdisjoint({"numpy", "pydantic", "simpy"})


def test_a_public_name_imports_its_wing_on_first_use() -> None:
    loaded = _modules_after("simcall.load")
    assert {"pydantic", "simcall.scenario", "simcall.scenario.loader"} <= loaded
    loaded = _modules_after("import simcall.fit.reader; assert callable(simcall.fit)")
    assert "simcall.fit" in loaded


def test_the_probe_sees_a_heavy_library_when_one_is_loaded() -> None:
    """The check can fail: touching ``simcall.erlang`` loads scipy, and the probe sees it."""
    loaded = _loaded_after(PROBE.replace("import simcall; ", "import simcall; simcall.erlang; "))
    assert "scipy" in loaded
