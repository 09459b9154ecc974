"""How ``simcall`` reads its options and explains them: the click classes of its commands.

Why a module of its own: two things Typer leaves to its defaults read badly to a planner.

- A flag (``--check``, ``--details``, ``--help``) takes no value, yet the rich help shows
  ``<bool>`` as its value type (recent Typer versions), as if ``--check true`` were asked
  for. A flag here shows no value type at all.
- Typer's help renderer (``typer.rich_utils``) imports ``rich.markdown`` (with
  markdown-it) and ``rich.traceback`` (with pygments' lexers), for a markup mode and pretty
  exceptions simcall does not use: a fifth of what ``simcall --help`` costs. Here the help
  renderer is loaded with stand-ins for those two (:func:`load_help_renderer`).
- A mistyped option gets click's suggestions by spelling alone: ``--reps`` suggests
  ``--help, --records, --workers`` and misses ``--replications``. Here an abbreviation
  (every letter typed, in order, the first one first: ``--reps``, ``--repl``, ``--max``)
  is suggested first, and only when none fits are the close spellings offered.

Every command is made with :class:`Command`, the application with :class:`Group`
(:mod:`simcall.cli.main`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from difflib import get_close_matches
from importlib import import_module
from types import ModuleType
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

# click's exceptions, wherever this Typer takes click from (recent Typer versions carry
# their own copy of click, older ones import click): the module of typer.BadParameter
_NoSuchOption: Any = sys.modules[typer.BadParameter.__module__].NoSuchOption


def abbreviated(typed: str, name: str) -> bool:
    """Whether ``typed`` is an abbreviation of the option ``name`` (both with dashes).

    The letters after the dashes must all appear in ``name`` in the order typed, the first
    one first: ``--reps`` and ``--repl`` abbreviate ``--replications``, ``--rec`` abbreviates
    ``--records``; ``--eps`` abbreviates nothing (it does not start the name).
    """
    word, target = typed.lstrip("-"), name.lstrip("-")
    if not word or typed[:2] != name[:2] or word[0] != target[0] or len(word) > len(target):
        return False
    rest = iter(target)
    return all(letter in rest for letter in word)  # consumes: letters in order


def suggestions(typed: str, names: Iterable[str]) -> list[str]:
    """The options to suggest for the unknown option ``typed``, best first.

    The options ``typed`` begins (``--res``: ``--resume``), else those it abbreviates
    (:func:`abbreviated`), else the ones spelt closest (click's own rule), else none.
    """
    options = sorted(set(names))
    return ([n for n in options if n.startswith(typed)]
            or [n for n in options if abbreviated(typed, n)]
            or get_close_matches(typed, options))


def _long_names(command: Any, ctx: Any) -> list[str]:
    return [name for param in command.get_params(ctx) if param.param_type_name == "option"
            for name in (*param.opts, *param.secondary_opts) if name.startswith("--")]


def _parse(command: Any, ctx: Any, args: list[str],
           parse: Callable[[Any, list[str]], list[str]]) -> list[str]:
    try:
        return parse(ctx, args)
    except _NoSuchOption as exc:
        if exc.option_name.startswith("--"):
            # click words the message: one suggestion as "Did you mean", more as a list
            exc.possibilities = suggestions(exc.option_name, _long_names(command, ctx))
        raise


def _flags_without_type(command: Any, ctx: Any) -> None:
    """A flag takes no value: give it an empty value type for the help to show."""
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""


# the modules Typer's help renderer imports and simcall's help never uses: (module, name)
_UNUSED_BY_HELP = (("rich.markdown", "Markdown"), ("rich.traceback", "Traceback"))


def _stand_in(module: str, name: str) -> type:
    """A class standing for ``module.name``: calling it, or asking it for an attribute
    (``Traceback.from_exception``), imports the real module and hands over to the real
    class, so the stand-in changes no behaviour, only when the module is loaded."""

    def real() -> Any:
        return getattr(import_module(module), name)

    class Deferred(type):
        def __getattr__(cls, attribute: str) -> Any:
            return getattr(real(), attribute)

    class StandIn(metaclass=Deferred):
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            return real()(*args, **kwargs)

    StandIn.__name__ = StandIn.__qualname__ = name
    return StandIn


def load_help_renderer() -> None:
    """Import ``typer.rich_utils`` with stand-ins (:func:`_stand_in`) for the modules in
    ``_UNUSED_BY_HELP``.

    The stand-ins sit in ``sys.modules`` only while Typer's module loads, so any later
    import (a report, a user's own script) gets the real modules. Nothing is done when the
    renderer or one of those modules is loaded already.
    """
    if "typer.rich_utils" in sys.modules or any(m in sys.modules for m, _ in _UNUSED_BY_HELP):
        return
    for module, name in _UNUSED_BY_HELP:
        stand_in = ModuleType(module)
        setattr(stand_in, name, _stand_in(module, name))
        sys.modules[module] = stand_in
    try:
        import_module("typer.rich_utils")
    finally:
        for module, _ in _UNUSED_BY_HELP:
            del sys.modules[module]


class _Simcall:
    """What every ``simcall`` command and the application share: flags without ``<bool>``,
    a lighter help renderer, abbreviations suggested (mixed in before Typer's class)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return _parse(self, ctx, args, super().parse_args)  # type: ignore[misc]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _flags_without_type(self, ctx)
        load_help_renderer()
        super().format_help(ctx, formatter)  # type: ignore[misc]


class Command(_Simcall, TyperCommand):
    """A ``simcall`` command."""


class Group(_Simcall, TyperGroup):
    """The ``simcall`` application, for its own options (``--version``)."""
