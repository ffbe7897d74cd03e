"""Checking a chunk of a contract file: parse strings per the contract, run its pandera schema, keys and references."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
from sqlalchemy import Connection

from data.schemas import TableSpec, pandera_schema

ERROR_COLUMNS = ["row", "column", "value", "rule"]
TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0")
BOOL_RULE = "must be a yes/no value: one of true, false, yes, no, y, n, 1, 0"
DATE_RULE = "must be a real date written YYYY-MM-DD (a date and time YYYY-MM-DDTHH:MM[:SS] is also accepted)"
DATE_SHAPE = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?)?"
INT_RULE = "must be a whole number"
INT_SHAPE = r"[+-]?\d{1,9}"


def _errors(raw: pd.DataFrame, column: str, mask: pd.Series, rule: str) -> pd.DataFrame:
    """Error records for the rows of `raw` where `mask` holds, in one column."""
    rows = raw.index[np.asarray(mask, dtype=bool)]
    return pd.DataFrame({"row": rows, "column": column, "value": raw.loc[rows, column].to_numpy(), "rule": rule})


@dataclass
class Checked:
    """A parsed chunk: `typed` for the checks, `values` ready for the database (dates as ISO text), and its errors."""

    typed: pd.DataFrame
    values: pd.DataFrame
    errors: pd.DataFrame


def parse_chunk(spec: TableSpec, raw: pd.DataFrame) -> Checked:
    """Turn a chunk of strings into typed columns per the contract; unparseable cells become errors (and nulls)."""
    typed, values, errors = {}, {}, []
    for col in spec.columns:
        s = raw[col.name]
        present = s != ""
        if col.kind == "date":
            shaped = s.str.fullmatch(DATE_SHAPE).fillna(False).astype(bool)
            stamp = pd.to_datetime(s.where(shaped), format="ISO8601", errors="coerce")
            day = stamp.dt.normalize()  # a datetime is reduced to its date
            errors.append(_errors(raw, col.name, present & day.isna(), DATE_RULE))
            typed[col.name] = day
            values[col.name] = s.str.slice(0, 10).where(day.notna())
        elif col.kind == "bool":
            word = s.str.lower()
            truth = pd.Series(pd.NA, index=s.index, dtype="boolean")
            truth[word.isin(TRUE_WORDS)] = True
            truth[word.isin(FALSE_WORDS)] = False
            errors.append(_errors(raw, col.name, present & truth.isna(), BOOL_RULE))
            typed[col.name] = values[col.name] = truth
        elif col.kind == "int":
            shaped = s.str.fullmatch(INT_SHAPE).fillna(False).astype(bool)
            number = pd.to_numeric(s.where(shaped), errors="coerce").astype("Int64")
            errors.append(_errors(raw, col.name, present & ~shaped, INT_RULE))
            typed[col.name] = values[col.name] = number
        elif col.kind == "measures":
            items = s.str.split(";").map(lambda parts: ";".join(p.strip() for p in parts if p.strip()), na_action=None)
            typed[col.name] = values[col.name] = items.where(items != "").astype("str")
        else:
            typed[col.name] = values[col.name] = s.where(present)
    return Checked(pd.DataFrame(typed, index=raw.index), pd.DataFrame(values, index=raw.index), _concat(errors))


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Error frames stacked (an empty frame when there are none)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=ERROR_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def schema_errors(spec: TableSpec, checked: Checked, raw: pd.DataFrame) -> pd.DataFrame:
    """Run the table's pandera schema on the typed chunk; failures as error records with the user's own text."""
    try:
        pandera_schema(spec.name).validate(checked.typed, lazy=True)
        return pd.DataFrame(columns=ERROR_COLUMNS)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    records = []
    frame_level = cases["schema_context"] == "DataFrameSchema"
    for (number, row), _ in cases[frame_level].groupby(["check_number", "index"], sort=False):
        rule = spec.rules[int(number)]
        records.append((int(row), rule.column, rule.text))
    for case in cases[~frame_level].itertuples(index=False):
        if case.index is None or pd.isna(case.index):
            continue
        if case.check == "not_nullable":
            rule = "required"
        elif case.check == "field_uniqueness":
            rule = f"duplicate {case.column}"
        else:
            rule = case.check
        records.append((int(case.index), case.column, rule))
    found = pd.DataFrame(records, columns=["row", "column", "rule"])
    found["value"] = [raw.at[r, c] for r, c in zip(found["row"], found["column"], strict=True)]
    # A cell that failed to parse is already reported; its null must not also read as "required".
    parsed_bad = set(zip(checked.errors["row"], checked.errors["column"], strict=True))
    keep = [(r, c) not in parsed_bad for r, c in zip(found["row"], found["column"], strict=True)]
    return found.loc[keep, ERROR_COLUMNS]


class SeenKeys:
    """Keys of earlier chunks of one file, kept as sorted 64-bit hashes so 9M keys cost 72 MB, not gigabytes.

    A hash collision between two different keys (about 1 in 10^5 for a 9M-row file) would report a false duplicate;
    it can never let a real duplicate through.
    """

    def __init__(self) -> None:
        self._sorted = np.empty(0, dtype=np.uint64)

    def repeated(self, keys: pd.Series) -> pd.Series:
        """True where a (non-null) key already appeared in an earlier chunk; then remember this chunk's keys."""
        given = keys.notna().to_numpy()
        hashes = pd.util.hash_array(keys[given].to_numpy(dtype=object))
        hit = np.zeros(len(keys), dtype=bool)
        if len(self._sorted) and len(hashes):
            pos = np.minimum(np.searchsorted(self._sorted, hashes), len(self._sorted) - 1)
            hit[given] = self._sorted[pos] == hashes
        # Both parts are sorted: the stable sort (timsort) merges the two runs in linear time.
        self._sorted = np.sort(np.concatenate([self._sorted, np.unique(hashes)]), kind="stable")
        return pd.Series(hit, index=keys.index)


class ReferenceIndex:
    """The keys of a referenced table, read once per load, with optional columns to fill rows from (e.g. victim unit)."""

    def __init__(self, conn: Connection, table: str, key: str, extra: tuple[str, ...] = ()):
        self.table, self.key = table, key
        cols = ", ".join((key, *extra))
        cursor = conn.exec_driver_sql(f"SELECT {cols} FROM {table}")  # noqa: S608 (names come from the specs)
        parts = []
        while batch := cursor.fetchmany(200_000):
            part = pd.DataFrame(batch, columns=[key, *extra], dtype=object)
            for name in extra:
                part[name] = part[name].astype("category")
            parts.append(part)
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[key, *extra], dtype=object)
        for name in extra:
            frame[name] = frame[name].astype(object).astype("category")
        self.index = pd.Index(frame[key].to_numpy(dtype=object), dtype=object)
        self.extra = frame[list(extra)]

    def positions(self, values: pd.Series) -> np.ndarray:
        """Position of each value in the referenced keys, -1 when absent (nulls are -1 too)."""
        return self.index.get_indexer(values.to_numpy(dtype=object))

    def missing_errors(self, values: pd.Series, raw: pd.DataFrame, column: str) -> tuple[pd.DataFrame, np.ndarray]:
        """Error records for given values with no referenced row, and the positions (for filling)."""
        pos = self.positions(values)
        bad = values.notna().to_numpy() & (pos < 0)
        errs = _errors(raw, column, bad, "")
        errs["rule"] = [f"{column} {v} not found in {self.table}" for v in errs["value"]]
        return errs, pos

    def fill(self, values: pd.DataFrame, pos: np.ndarray, columns: tuple[str, ...]) -> None:
        """Fill null `columns` of `values` from the referenced row at `pos` (in place)."""
        found = pos >= 0
        if not found.any():
            return
        for name in columns:
            if name not in self.extra.columns:
                continue
            source = pd.Series(pd.NA, index=values.index, dtype=object)
            source[found] = self.extra[name].to_numpy(dtype=object)[pos[found]]
            current = values[name]
            values[name] = current.where(current.notna(), source).astype(object)
