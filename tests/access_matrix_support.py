"""What the access matrix (tests/test_access_matrix.py) needs besides AppTest: who owns each case-level reference in
the seeded database, what a rendered page and its downloads hand to the browser, and which URL parameters it read.

A case-level reference is the pseudonymous id of a row about one victim: a case (VC-), an entitlement instance (EN-),
a referral (RF-), a witness (WI-), a special-measures record (SM-) or a survey response (SR-). A row belongs to a
portfolio when the portfolio's scorecard measures the row's source table (for entitlements: the row's code is pooled
by one of its measures) and the row's victim is in the portfolio's cohort; this is worked out here from the catalogue
and the tables, independently of the app's own access code.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd
from pypdf import PdfReader
from sqlalchemy import Engine, select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.state.query_params import QueryParams
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Element

from data.models import Entitlement, Referral, SpecialMeasure, SurveyResponse, Victim, Witness
from metrics.catalogue import COHORT_FLAGS, Catalogue

REFERENCE = re.compile(r"\b(?:VC|EN|RF|WI|SM|SR)-\d{4,}\b")
TABLE_TYPES = {"dataframe", "table", "arrow_data_frame", "arrow_table"}
NESTING_LIMIT = 3  # zips inside zips: an evidence pack holds workbooks, which are zips themselves


def _in_cohort(frame: pd.DataFrame, cohort: dict) -> pd.Series:
    """Rows whose victim columns match the cohort ({domestic_abuse: true}, {offence_group: [...]})."""
    keep = pd.Series(True, index=frame.index)
    for column, wanted in cohort.items():
        if column in COHORT_FLAGS:
            keep &= frame[column].fillna(False).astype(bool) == bool(wanted)
        else:
            keep &= frame[column].isin(list(wanted))
    return keep


def reference_owners(engine: Engine, catalogue: Catalogue) -> dict[str, frozenset[str]]:
    """Every case-level reference in the database and the portfolios whose case-level data it is (maybe none)."""
    with engine.connect() as conn:
        victims = pd.read_sql(select(Victim.__table__), conn)
        ent = pd.read_sql(select(Entitlement.entitlement_id, Entitlement.case_id, Entitlement.code), conn)
        refs = pd.read_sql(select(Referral.referral_id, Referral.case_id), conn)
        wit = pd.read_sql(select(Witness.witness_id, Witness.case_id), conn)
        sms = pd.read_sql(select(SpecialMeasure.sm_id, SpecialMeasure.witness_id), conn)
        srs = pd.read_sql(select(SurveyResponse.response_id, SurveyResponse.case_id), conn)
    sms = sms.merge(wit, on="witness_id", how="left")
    owners: dict[str, set[str]] = {}
    for ids in (victims["case_id"], ent["entitlement_id"], refs["referral_id"], wit["witness_id"], sms["sm_id"]):
        for ref in ids:
            owners.setdefault(ref, set())
    for ref in srs["response_id"]:
        owners.setdefault(ref, set())

    def own(ids, portfolio: str) -> None:
        for ref in ids:
            owners[ref].add(portfolio)

    for portfolio in catalogue.portfolios:
        measures = [catalogue.measure(m) for m in catalogue.scorecard_measures(portfolio.id)]
        sources = {m.source for m in measures if m.case_based}
        codes = {code for m in measures for code in m.codes}
        cohort_cases = set(victims.loc[_in_cohort(victims, portfolio.cohort), "case_id"])
        if sources:
            own(cohort_cases, portfolio.id)
        if "entitlements" in sources:
            own(ent.loc[ent["code"].isin(codes) & ent["case_id"].isin(cohort_cases), "entitlement_id"], portfolio.id)
        if "referrals" in sources:
            # Self-referrals carry no case: they belong to a portfolio only when it covers every victim.
            linked = refs["case_id"].isin(cohort_cases) | (refs["case_id"].isna() & (not portfolio.cohort))
            own(refs.loc[linked, "referral_id"], portfolio.id)
        if "witnesses" in sources:
            own(wit.loc[wit["case_id"].isin(cohort_cases), "witness_id"], portfolio.id)
        if "special_measures" in sources:
            own(sms.loc[sms["case_id"].isin(cohort_cases), "sm_id"], portfolio.id)
        if "survey_responses" in sources:
            own(srs.loc[srs["case_id"].isin(cohort_cases), "response_id"], portfolio.id)
    return {ref: frozenset(ps) for ref, ps in owners.items()}


# ---------------------------------------------------------------- what the browser receives


def _walk(node) -> Iterator:
    yield node
    if isinstance(node, Block):
        for child in node.children.values():
            yield from _walk(child)


def element_texts(at: AppTest) -> Iterator[tuple[str, str]]:
    """(element type, text) for everything rendered: each element's message as sent (chart data and widget options
    included) and every table's cells. Streamlit 1.67 sends a dataframe's rows apart from its message (the browser
    fetches them), so tables are read back as frames rather than found in the message."""
    for node in _walk(at._tree):
        kind = getattr(node, "type", "block")
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            yield kind, proto.SerializeToString().decode("utf-8", errors="ignore")
        if isinstance(node, Element) and kind in TABLE_TYPES:
            frame = node.value
            assert isinstance(frame, pd.DataFrame), kind
            yield kind, frame.to_csv(index=True)


def payload_texts(data: bytes, depth: int = 0) -> Iterator[str]:
    """The text inside a downloadable file: zip members (recursively: workbooks inside packs), PDF text, or the
    bytes themselves as text."""
    if data[:4] == b"PK\x03\x04" and depth < NESTING_LIMIT:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                yield from payload_texts(archive.read(member), depth + 1)
        return
    if data[:5] == b"%PDF-":
        reader = PdfReader(io.BytesIO(data))
        yield "\n".join(page.extract_text() or "" for page in reader.pages)
        return
    yield data.decode("utf-8", errors="ignore")


@dataclass
class Received:
    """Everything the app handed to one session in one run: files (downloads, images) and URL parameters read."""

    files: list[tuple[str | None, bytes]] = field(default_factory=list)
    deferred: list[Callable[[], object]] = field(default_factory=list)
    params_read: set[str] = field(default_factory=set)

    def clear(self) -> None:
        self.files.clear()
        self.deferred.clear()
        self.params_read.clear()

    def file_texts(self) -> Iterator[tuple[str, str]]:
        """(file name, text) of every file, deferred downloads produced as a click would."""
        produced = [(name, data) for name, data in self.files]
        for make in self.deferred:
            data = make()
            produced.append(("deferred", data.encode() if isinstance(data, str) else bytes(data)))
        for name, data in produced:
            for text in payload_texts(data):
                yield name or "file", text


def record_received(monkeypatch) -> Received:
    """Patch Streamlit (in this test only) so that files added for the browser and URL parameters read are kept."""
    received = Received()
    add, add_deferred, getitem = MediaFileManager.add, MediaFileManager.add_deferred, QueryParams.__getitem__

    def recording_add(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if isinstance(path_or_data, bytes | bytearray):
            received.files.append((file_name, bytes(path_or_data)))
        return add(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)

    def recording_add_deferred(self, callable_, *args, **kwargs):
        received.deferred.append(callable_)
        return add_deferred(self, callable_, *args, **kwargs)

    def recording_getitem(self, key):
        received.params_read.add(key)
        return getitem(self, key)

    monkeypatch.setattr(MediaFileManager, "add", recording_add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", recording_add_deferred)
    monkeypatch.setattr(QueryParams, "__getitem__", recording_getitem)
    return received


def references_in(texts: Iterator[tuple[str, str]]) -> dict[str, set[str]]:
    """Reference -> where it was seen."""
    found: dict[str, set[str]] = {}
    for where, text in texts:
        for ref in REFERENCE.findall(text):
            found.setdefault(ref, set()).add(where)
    return found
