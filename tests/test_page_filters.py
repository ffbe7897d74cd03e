"""Filters on the read pages through AppTest: choosing area=X on the Victims' Code page narrows every number to that
area's victims, as metrics/ computes them on the filtered rows, and keeps the choice in the URL."""

from __future__ import annotations

import pytest

from data import queries
from data.engine import make_engine
from metrics.catalogue import load_catalogue
from metrics.measures import compute, prepare
from metrics.periods import rolling_12
from tests.test_page_victims_code import assert_headline_and_rights, open_victims_code, row_of
from ui import vcop


@pytest.fixture(scope="module")
def by_area(seeded_db_url):
    """Rolling-12-month rows of the MoJ portfolio for every victim and for the first area's victims alone."""
    engine = make_engine(seeded_db_url)
    catalogue = load_catalogue()
    as_of = queries.latest_as_of(engine)
    period = rolling_12(as_of)
    frames = queries.metric_frames(engine, period.start.date(), period.end.date(), as_of=as_of)
    area = sorted(frames["victims"]["area"].dropna().astype(str).unique())[0]
    ids = list(vcop.measure_ids(catalogue))
    targets = queries.targets_frame(engine)
    out = {"name": area}
    for name, filters in (("all", None), ("area", {"area": area})):
        prepared = prepare(frames, catalogue, as_of=as_of, start=period.start, end=period.end, filters=filters)
        out[name] = compute(prepared, catalogue, periods=[period], portfolio="vcop", metric_ids=ids, targets=targets)
    engine.dispose()
    return out


@pytest.mark.slow  # AppTest: signs in and opens the page unfiltered, then with ?f_area=
def test_choosing_an_area_narrows_the_victims_code_page(seeded_app_env, by_area):
    at = open_victims_code("board", portfolio="vcop")
    assert not at.exception
    assert_headline_and_rights(at, by_area["all"])
    area = by_area["name"]
    at.selectbox(key="filter_area").set_value(area).run()
    assert not at.exception
    assert at.query_params["f_area"] == area  # kept in the URL, so a link reopens the filtered view
    assert any(f"Area: {area}" in c.value for c in at.caption)
    assert_headline_and_rights(at, by_area["area"])
    # The filter really narrowed the base: fewer instances counted than for every area.
    assert (
        row_of(by_area["area"], "VCOP_OVERALL")["denominator"] < row_of(by_area["all"], "VCOP_OVERALL")["denominator"]
    )
