"""Plurals through the translation layer: CLDR plural rules (Babel), English one/other, Welsh all six forms."""

from __future__ import annotations

import pytest

from config import i18n
from config.i18n import PLURAL_CATEGORIES, catalogue, placeholders, plural_category, plural_forms, t, tn

# CLDR cy, worked by hand from the rule set: n = 0 zero; n = 1 one; n = 2 two; n = 3 few; n = 6 many; else other.
WELSH = [(0, "zero"), (1, "one"), (2, "two"), (3, "few"), (6, "many"), (7, "other"), (4, "other"), (100, "other")]
ENGLISH = [(0, "other"), (1, "one"), (2, "other"), (3, "other"), (6, "other"), (7, "other")]


@pytest.mark.parametrize(("count", "category"), WELSH)
def test_welsh_plural_categories(count, category):
    assert plural_category(count, "cy") == category


@pytest.mark.parametrize(("count", "category"), ENGLISH)
def test_english_plural_categories(count, category):
    assert plural_category(count, "en") == category


@pytest.mark.parametrize(
    ("count", "category"), [("1", "one"), ("2", "two"), ("1,006", "other"), (1.5, "other"), (None, "other")]
)
def test_counts_given_as_text_or_blank(count, category):
    assert plural_category(count, "cy") == category


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 0, "0 decisions recorded for Board in this meeting"),
        ("en", 1, "1 decision recorded for Board in this meeting"),
        ("en", 2, "2 decisions recorded for Board in this meeting"),
        ("cy", 0, "Dim penderfyniadau wedi'u cofnodi ar gyfer Board yn y cyfarfod hwn"),
        ("cy", 1, "1 penderfyniad wedi'i gofnodi ar gyfer Board yn y cyfarfod hwn"),
        ("cy", 2, "2 penderfyniad wedi'u cofnodi ar gyfer Board yn y cyfarfod hwn"),
        ("cy", 3, "3 penderfyniad wedi'u cofnodi ar gyfer Board yn y cyfarfod hwn"),
    ],
)
def test_decisions_caption(lang, count, expected):
    assert t("meeting.decisions_caption", lang, count=count, name="Board") == expected
    assert tn("meeting.decisions_caption", count, lang, name="Board") == expected


@pytest.mark.parametrize(
    ("lang", "days", "expected"),
    [("en", 1, "1 day overdue"), ("en", 6, "6 days overdue"), ("cy", 1, "1 diwrnod yn hwyr"),
     ("cy", 2, "2 ddiwrnod yn hwyr"), ("cy", 7, "7 diwrnod yn hwyr")],
)  # fmt: skip
def test_the_only_number_chooses_the_form_without_count(lang, days, expected):
    assert t("actions.overdue_days", lang, days=days) == expected


def test_a_plain_call_reads_the_other_form():
    assert t("evidence.caption", "en") == "{count} evidence files"
    assert t("evidence.caption", "en", count=1) == "1 evidence file"


def test_the_current_language_chooses_the_rule():
    saved = i18n._provider
    try:
        i18n.set_language_provider(lambda: "cy")
        assert t("actions.linked_caption", count=0, source="F-1") == "Dim camau gweithredu wedi'u codi o F-1"
    finally:
        i18n.set_language_provider(saved)


def test_plural_messages_are_complete_in_both_languages():
    en, cy = plural_forms("en"), plural_forms("cy")
    assert set(en) == set(cy) and len(en) >= 20
    assert {key for key, forms in en.items() if set(forms) != {"one", "other"}} == set()
    assert {key for key, forms in cy.items() if set(forms) != set(PLURAL_CATEGORIES)} == set()
    for lang, forms in (("en", en), ("cy", cy)):
        # Every form fills only the placeholders the message is given (those of its "other" form).
        wrong = {
            k: c
            for k, f in forms.items()
            for c, text in f.items()
            if not placeholders(text) <= placeholders(f["other"])
        }
        assert wrong == {}, lang
        assert all(catalogue(lang)[key] == f["other"] for key, f in forms.items())


def test_no_message_says_s_in_brackets():
    for lang in i18n.LANGUAGES:
        assert [key for key, text in catalogue(lang).items() if "(s)" in text] == []
