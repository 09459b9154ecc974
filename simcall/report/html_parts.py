"""Pieces every section of the HTML report uses: tables and embedded figures.

Why a module of its own: the report's sections live in more than one module
(:mod:`simcall.report.html`, :mod:`simcall.report.html_staffing`), and a table or a
figure must look the same in all of them.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence
from typing import Any

Draw = Callable[[Any], object]  # draws on a matplotlib Axes


def figure_png(draw: Draw, width: float = 9.0, height: float = 3.6) -> bytes:
    """Draw on a fresh figure (no pyplot, no window) and return it as PNG bytes."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    draw(figure.add_subplot())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def figures_html(figures: Sequence[tuple[str, str, Draw]], height: float = 3.6) -> str:
    out = []
    for title, caption, draw in figures:
        data = base64.b64encode(figure_png(draw, height=height)).decode("ascii")
        out.append(f'<figure><img alt="{html.escape(title)}" '
                   f'src="data:image/png;base64,{data}">'
                   f"<figcaption><strong>{html.escape(title)}.</strong> "
                   f"{html.escape(caption)}</figcaption></figure>")
    return "\n".join(out)


def table_html(head: Sequence[str], rows: Sequence[str]) -> str:
    cells = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in head)
    return (f'<div class="table-wrap"><table><thead><tr>{cells}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')
