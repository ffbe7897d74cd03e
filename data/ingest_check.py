"""Checking a chunk of a contract file: parse strings per the contract, run its pandera schema, keys and references."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from sqlalchemy import Connection

from data.schemas import TableSpec, pandera_schema

ERROR_COLUMNS = ["row", "column", "value", "rule"]
TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0")
BOOL_RULE = "must be a yes/no value: one of true, false, yes, no, y, n, 1, 0"
DATE_RULE = "must be a real date written YYYY-MM-DD (a date and time YYYY-MM-DDTHH:MM[:SS] is also accepted)"
# [0-9], not \d: \d also matches other scripts' digits ("١٢"), which the parsers turn into a silent null.
DATE_SHAPE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?"
INT_RULE = "must be a whole number"
INT_SHAPE = r"[+-]?[0-9]{1,9}"
NUL_RULE = "must not contain a NUL character (the file may be UTF-16 or binary; save it as 'CSV UTF-8')"


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
        nul = s.str.contains("\x00", regex=False)
        if nul.any():  # PostgreSQL cannot store NUL in text: report it here rather than fail mid-write
            errors.append(_errors(raw, col.name, nul, NUL_RULE))
            s = s.where(~nul, "")
            present = present & ~nul
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
    broken = cases[cases["index"].isna()]
    if len(broken):  # a check that raised (rather than failed rows) must stop the load, not pass silently
        case = broken.iloc[0]
        raise RuntimeError(f"the check '{case['check']}' on {case['column']} could not run: {case['failure_case']}")
    records = []
    frame_level = cases["schema_context"] == "DataFrameSchema"
    for (number, row), _ in cases[frame_level].groupby(["check_number", "index"], sort=False):
        rule = spec.rules[int(number)]
        records.append((int(row), rule.column, rule.text))
    for case in cases[~frame_level].itertuples(index=False):
        if case.check == "not_nullable":
            rule = "required"
        elif case.check == "field_uniqueness" and spec.key_from:  # reported at the key's second column
            records.append((int(case.index), spec.key_from[-1], "duplicate " + " and ".join(spec.key_from)))
            continue
        elif case.check == "field_uniqueness":
            rule = f"duplicate {case.column}"
        else:
            rule = case.check
        records.append((int(case.index), case.column, rule))
    found = pd.DataFrame(records, columns=["row", "column", "rule"])
    found["value"] = ""
    for column, at in found.groupby("column").groups.items():
        found.loc[at, "value"] = raw.loc[found.loc[at, "row"], column].to_numpy()
    # A cell that failed to parse is already reported; its null must not also read as "required".
    parsed_bad = set(zip(checked.errors["row"], checked.errors["column"], strict=True))
    keep = [(r, c) not in parsed_bad for r, c in zip(found["row"], found["column"], strict=True)]
    return found.loc[keep, ERROR_COLUMNS]


def check_chunk(spec: TableSpec, raw: pd.DataFrame) -> Checked:
    """Parse and check one chunk against the contract (no database): `errors` holds every problem found."""
    for missing in (c for c in spec.column_names if c not in raw.columns):
        raw[missing] = ""
    if spec.key_from:  # a two-column key, stored joined; empty while a part is missing (that part is reported)
        parts = [raw[c] for c in spec.key_from]
        whole = pd.concat([p != "" for p in parts], axis=1).all(axis=1)
        raw[spec.key] = parts[0].str.cat(parts[1:], sep="|").where(whole, "")
    checked = parse_chunk(spec, raw)
    checked.errors = _concat([checked.errors, schema_errors(spec, checked, raw)])
    return checked


class SeenKeys:
    """Keys of earlier chunks of one file, to find a key repeated across chunks.

    Extracts usually list keys in ascending order: while every chunk's keys rise strictly above the previous chunk's,
    no key can repeat and only the chunks' key arrays are kept (no hashing). Otherwise the keys are kept as sorted
    64-bit hashes (9M keys cost 72 MB, not gigabytes). A hash collision between two different keys (about 1 in
    10^5 for a 9M-row file) would report a false duplicate; it can never let a real duplicate through.
    """

    def __init__(self) -> None:
        self._ascending: list[pyarrow.Array] | None = []
        self._last: str | None = None
        self._sorted = np.empty(0, dtype=np.uint64)

    def repeated(self, keys: pd.Series) -> pd.Series:
        """True where a (non-null) key already appeared in an earlier chunk; then remember this chunk's keys."""
        given = keys.notna().to_numpy()
        values = keys[given].astype("str")
        arrow = pyarrow.array(values)
        if self._ascending is not None:
            rising = len(arrow) < 2 or pc.all(pc.greater(arrow[1:], arrow[:-1])).as_py()
            above = self._last is None or len(arrow) == 0 or arrow[0].as_py() > self._last
            if rising and above:
                self._ascending.append(arrow)
                self._last = arrow[-1].as_py() if len(arrow) else self._last
                return pd.Series(False, index=keys.index)
            for earlier in self._ascending:  # out of order: from now on, remember hashes
                self._remember(self._hash(earlier.to_numpy(zero_copy_only=False)))
            self._ascending = None
        hashes = self._hash(arrow.to_numpy(zero_copy_only=False))
        hit = np.zeros(len(keys), dtype=bool)
        if len(self._sorted) and len(hashes):
            order = np.argsort(hashes, kind="stable")  # sorted needles: searchsorted walks the array once
            pos = np.minimum(np.searchsorted(self._sorted, hashes[order]), len(self._sorted) - 1)
            found = np.empty(len(hashes), dtype=bool)
            found[order] = self._sorted[pos] == hashes[order]
            hit[given] = found
        self._remember(hashes)
        return pd.Series(hit, index=keys.index)

    @staticmethod
    def _hash(values: np.ndarray) -> np.ndarray:
        """64-bit hashes of key strings."""
        return pd.util.hash_array(np.asarray(values, dtype=object), categorize=False)

    def _remember(self, hashes: np.ndarray) -> None:
        """Merge hashes into the sorted array (both sorted: the stable sort, timsort, merges the runs linearly)."""
        self._sorted = np.sort(np.concatenate([self._sorted, np.sort(hashes)]), kind="stable")


class ReferenceIndex:
    """The keys of a referenced table, read once per load (a million victims take about a second and 100 MB)."""

    def __init__(self, conn: Connection, table: str, key: str):
        self.table, self.key = table, key
        # The raw DBAPI cursor: SQLAlchemy Row objects cost more than the fetch itself for a million keys.
        cursor = conn.connection.dbapi_connection.cursor()
        cursor.execute(f"SELECT {key} FROM {table}")  # noqa: S608 (names come from the specs)
        keys: list[str] = []
        while batch := cursor.fetchmany(200_000):
            keys.extend(r[0] for r in batch)
        cursor.close()
        self.index = pd.Index(np.array(keys, dtype=object), dtype=object)

    def missing_errors(self, values: pd.Series, raw: pd.DataFrame, column: str) -> pd.DataFrame:
        """Error records for the given (non-null) values that name no referenced row."""
        pos = self.index.get_indexer(values.to_numpy(dtype=object))
        bad = values.notna().to_numpy() & (pos < 0)
        errs = _errors(raw, column, bad, "")
        errs["rule"] = [f"{column} {v} not found in {self.table}" for v in errs["value"]]
        return errs
