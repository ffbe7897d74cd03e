"""Month tables: a suppressed month's counts read "fewer than 10" in the reader's language, never "None"."""

from __future__ import annotations

import pytest

from config import i18n
from ui.formatting import format_count


@pytest.fixture
def language():
    """Set the current language for t(); restore the UI's provider afterwards."""
    saved = i18n._provider
    yield lambda lang: i18n.set_language_provider(lambda: lang)
    i18n.set_language_provider(saved)


@pytest.mark.parametrize(
    ("lang", "value", "suppressed", "expected"),
    [
        ("en", 7, True, "fewer than 10"),
        ("cy", 7, True, "llai na 10"),
        ("en", float("nan"), True, "fewer than 10"),  # blanked upstream: still worded, not "None"
        ("en", 12345, False, "12,345"),
        ("cy", 12345, False, "12,345"),
        ("en", None, False, "–"),
        ("en", float("nan"), False, "–"),
    ],
)
def test_month_counts(language, lang, value, suppressed, expected):
    language(lang)
    assert format_count(value, suppressed) == expected
