"""The one escaping function (config.safe_text.plain): user- and file-supplied text shown inside Markdown can never
be a link, an image, HTML or LaTeX, and still reads as written (issue #15, item 3)."""

from __future__ import annotations

import pytest

from config.safe_text import WORD_JOINER, plain
from tests.markdown_support import live_markup, rendered_text

PAYLOADS = [
    "![x](http://127.0.0.1:9/x.png)",
    "[Sign in](http://127.0.0.1:9/p)",
    "http://127.0.0.1:9/p",
    "<img src=x onerror=alert(1)>",
    r"$\href{http://x}{y}$",
    "HTTPS://127.0.0.1:9/p and www.example.org/p",
    "mail someone@example.org",
    "<http://127.0.0.1:9/p>",
    "[Sign in][1]\n\n[1]: http://127.0.0.1:9/p",
    ":red[Sign in] :material/warning:",
    "<script>alert('x')</script>",
    "&lt;img src=x&gt; and &#91;x&#93;(http://127.0.0.1:9/p)",
    "$$x^2$$ and \\$5",
    "# Heading\n- item\n1. first\n> quote\n| a | b |\n|---|---|\n~~struck~~ *em* `code`",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_payload_is_live_markup_when_written_out(payload):
    """Not vacuous: the checker finds each payload live before escaping (the entity line only as a link)."""
    if payload.startswith(("# Heading", ":red")):
        return  # formatting or Streamlit's colour and icon directives, not links: still compared below
    assert live_markup(payload), payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_plain_leaves_nothing_live_and_reads_as_written(payload):
    escaped = plain(payload)
    assert live_markup(escaped) == [], escaped
    shown = rendered_text(escaped).replace(WORD_JOINER, "")
    assert shown.split() == payload.split()  # word for word (paragraph breaks aside)


def test_ids_dates_and_ordinary_text_are_unchanged():
    for text in ("AC-001", "FB-0002", "HM-003", "2026-01-01", "Head of Victim Services", "3.5 days", "e.g. this"):
        assert plain(text) == text


def test_missing_values_read_as_a_dash():
    assert plain(None) == plain(float("nan")) == "–"
