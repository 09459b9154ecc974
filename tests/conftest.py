"""Test configuration: hypothesis runs are derandomized so every run (and CI) is the same."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("simcall", derandomize=True, database=None, print_blob=True)
settings.load_profile("simcall")
