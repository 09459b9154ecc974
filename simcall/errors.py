"""User-facing errors.

A planner's mistake must come back as a message naming the key, the value and
what is allowed -- never as a traceback. Everything the scenario layer finds
wrong is collected into one :class:`ScenarioError` so that a file with three
typos is reported once, with all three.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import get_close_matches


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (key path, line) and what."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        key = f"{self.path}: " if self.path else ""
        return f"{where}{key}{self.message}"


class SimcallError(Exception):
    """Base class for errors caused by user input (exit code 2 in the CLI)."""


class SimcallWarning(UserWarning):
    """Base class for warnings about user input that runs but likely means something else
    (a bare number of seconds where minutes were meant). Shown by Python's default filters;
    the command line prints each once on stderr as a ``warning:`` line.

    ``once`` is what makes two warnings the same one for that purpose (default: the
    message): the variants of a comparison loaded from one file share its warnings.
    """

    def __init__(self, message: str, once: str | None = None) -> None:
        super().__init__(message)
        self.once = message if once is None else once


class ScenarioError(SimcallError):
    """A scenario could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[Problem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return f"{head}{self.problems[0]}"
        lines = [f"{head}{len(self.problems)} problems:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for a close match, else an empty string."""
    options = list(choices)
    close = get_close_matches(name, options, n=1, cutoff=0.6)
    if not close and len(name) >= 3:
        close = [option for option in options if option.lower().startswith(name.lower())][:1]
    return f" (did you mean '{close[0]}'?)" if close else ""
