"""What every result object's display must do (issue 16): a short ``repr`` and a notebook
table that is well-formed, escaped HTML. Shared by the tests of each result's wing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

MAX_REPR = 1200  # characters: a few lines, never the records (a summary's own was 481,000)


def check_display(result: Any, texts: Iterable[str] = ()) -> ET.Element:
    """Check ``repr(result)`` and ``result._repr_html_()``; return the parsed HTML.

    The HTML must parse as XML (every tag closed, every ``<`` and ``&`` of a name escaped:
    stricter than a browser, so a fragment that passes renders as written), hold no script,
    and show each of ``texts`` as text.
    """
    text = repr(result)
    assert len(text) <= MAX_REPR, f"repr is {len(text)} characters:\n{text[:300]}"
    assert text.startswith("<" + type(result).__name__), text
    assert text.count("\n") <= 10, text
    page = ET.fromstring(result._repr_html_())
    assert page.tag == "div"
    assert page.find(".//script") is None
    shown = "".join(page.itertext())
    for expected in texts:
        assert expected in shown, f"{expected!r} not shown in the notebook view"
    assert page.find(".//table") is not None
    return page
