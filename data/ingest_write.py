"""Writing checked chunks inside the load's one transaction: SQLite executemany, PostgreSQL COPY + upsert."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection

from data.models import CONTRACT_TABLES
from data.schemas import TableSpec

# Tables the app edits after the initial load: a reload bumps the optimistic-locking version.
VERSIONED = {name for name, model in CONTRACT_TABLES.items() if "version" in model.__table__.columns}
SQLITE_LOAD_CACHE_KIB = 262_144  # page cache for a load: index pages of a 9M-row table stay in memory
SQLITE_DEFAULT_CACHE_KIB = 2_000


def _column_lists(frame: pd.DataFrame) -> list[list]:
    """Each column as a Python list with None for nulls (what the DBAPI binds)."""
    return [frame[c].to_numpy(dtype=object, na_value=None).tolist() for c in frame.columns]


class ChunkWriter:
    """Upserts checked chunks of one table inside an open transaction and counts rows inserted and updated."""

    def __init__(self, conn: Connection, spec: TableSpec, load_id: int):
        self.conn, self.spec, self.load_id = conn, spec, load_id
        self.table, self.key = spec.name, spec.key
        self.columns = [*spec.column_names, "load_id"]
        self.versioned = self.table in VERSIONED
        self.rows_inserted = 0
        self.rows_updated = 0

    def _frame(self, values: pd.DataFrame) -> pd.DataFrame:
        """The chunk's values in database column order, stamped with the load id."""
        frame = values.loc[:, list(self.spec.column_names)].copy()
        frame["load_id"] = self.load_id
        return frame

    def _update_set(self) -> str:
        """SET clause of the upsert: every contract column from the incoming row; versioned tables bump version."""
        sets = [f"{c} = excluded.{c}" for c in self.columns if c != self.key]
        if self.versioned:
            sets.append(f"version = {self.table}.version + 1")
        return ", ".join(sets)

    def write(self, values: pd.DataFrame) -> None:
        """Upsert one chunk."""
        raise NotImplementedError

    def close(self) -> None:
        """Release per-load resources (the transaction itself is the caller's)."""


class SqliteWriter(ChunkWriter):
    """SQLite: new keys with a plain executemany INSERT (about twice as fast), known keys with INSERT … ON CONFLICT."""

    def __init__(self, conn: Connection, spec: TableSpec, load_id: int):
        super().__init__(conn, spec, load_id)
        self.dbapi = conn.connection.dbapi_connection
        self.dbapi.execute(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")
        # Empty at the start of the load: every key is new (repeats inside the file are rejected before writing).
        probe = f"SELECT NOT EXISTS (SELECT 1 FROM {self.table})"  # noqa: S608 (names come from the specs)
        self.table_was_empty = self.dbapi.execute(probe).fetchone()[0]
        cols = [*self.columns, "version"] if self.versioned else self.columns
        marks = ", ".join("?" for _ in cols)
        self.insert_sql = f"INSERT INTO {self.table} ({', '.join(cols)}) VALUES ({marks})"  # noqa: S608
        self.upsert_sql = f"{self.insert_sql} ON CONFLICT ({self.key}) DO UPDATE SET {self._update_set()}"
        self.keys_ready = False

    def _existing(self, keys: list[str]) -> set[str]:
        """The chunk's keys that are already in the table, found with one join against a temporary key table."""
        if self.table_was_empty:
            return set()
        if not self.keys_ready:
            self.dbapi.execute("CREATE TEMP TABLE IF NOT EXISTS _ingest_keys (k TEXT PRIMARY KEY)")
            self.keys_ready = True
        self.dbapi.execute("DELETE FROM _ingest_keys")
        self.dbapi.executemany("INSERT INTO _ingest_keys (k) VALUES (?)", ((k,) for k in keys))
        found = self.dbapi.execute(
            f"SELECT t.{self.key} FROM _ingest_keys AS k JOIN {self.table} AS t ON t.{self.key} = k.k"  # noqa: S608
        )
        return {row[0] for row in found}

    def write(self, values: pd.DataFrame) -> None:
        """Insert the chunk's new rows and upsert the ones whose key exists."""
        frame = self._frame(values)
        lists = _column_lists(frame)
        if self.versioned:
            lists.append([1] * len(frame))
        rows = list(zip(*lists, strict=True))
        existing = self._existing(lists[self.columns.index(self.key)])
        if existing:
            key_pos = self.columns.index(self.key)
            known = [r for r in rows if r[key_pos] in existing]
            rows = [r for r in rows if r[key_pos] not in existing]
            self.dbapi.executemany(self.upsert_sql, known)
            self.rows_updated += len(known)
        self.dbapi.executemany(self.insert_sql, rows)
        self.rows_inserted += len(rows)

    def close(self) -> None:
        """Give the pooled connection its ordinary page cache back."""
        self.dbapi.execute(f"PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}")


class PostgresWriter(ChunkWriter):
    """PostgreSQL: COPY the chunk into a temporary staging table, then INSERT … SELECT … ON CONFLICT DO UPDATE."""

    def __init__(self, conn: Connection, spec: TableSpec, load_id: int):
        super().__init__(conn, spec, load_id)
        self.dbapi = conn.connection.dbapi_connection
        self.stage = f"_stage_{self.table}"
        cols = ", ".join(self.columns)
        with self.dbapi.cursor() as cur:
            # Dropped at commit or rollback; CREATE … AS carries no NOT NULL, so the copy never trips on a default.
            cur.execute(f"DROP TABLE IF EXISTS {self.stage}")
            cur.execute(
                f"CREATE TEMP TABLE {self.stage} ON COMMIT DROP AS SELECT {cols} FROM {self.table} WITH NO DATA"  # noqa: S608
            )
        insert_cols, select_cols = cols, cols
        if self.versioned:
            insert_cols, select_cols = f"{cols}, version", f"{cols}, 1"
        self.upsert_sql = (
            f"WITH up AS (INSERT INTO {self.table} ({insert_cols}) SELECT {select_cols} FROM {self.stage} "  # noqa: S608
            f"ON CONFLICT ({self.key}) DO UPDATE SET {self._update_set()} RETURNING (xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up"
        )

    def write(self, values: pd.DataFrame) -> None:
        """Stage the chunk with COPY (CSV written by pyarrow) and upsert it; xmax = 0 marks a fresh insert."""
        frame = self._frame(values)
        table = pa.Table.from_pandas(frame.astype(_arrow_friendly(frame)), preserve_index=False)
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
        with self.dbapi.cursor() as cur:
            cur.execute(f"TRUNCATE {self.stage}")
            with cur.copy(f"COPY {self.stage} ({', '.join(self.columns)}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
            inserted, updated = cur.execute(self.upsert_sql).fetchone()
        self.rows_inserted += inserted
        self.rows_updated += updated


def _arrow_friendly(frame: pd.DataFrame) -> dict[str, str]:
    """Dtypes pyarrow writes as PostgreSQL reads them: text as strings, flags as booleans, numbers as integers."""
    out = {}
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype):
            out[name] = "boolean"
        elif pd.api.types.is_integer_dtype(dtype):
            out[name] = "Int64"
        else:
            out[name] = "str"
    return out


def fill_from_victims(conn: Connection, spec: TableSpec, load_id: int) -> None:
    """Fill this load's null victim-derived columns (demographics, unit) from the linked victim, in one statement."""
    if not spec.fill_from_victim:
        return
    table = spec.name
    sets = ", ".join(f"{c} = COALESCE({table}.{c}, v.{c})" for c in spec.fill_from_victim)
    gaps = " OR ".join(f"{table}.{c} IS NULL" for c in spec.fill_from_victim)
    conn.exec_driver_sql(
        f"UPDATE {table} SET {sets} FROM victims AS v "  # noqa: S608 (names come from the specs)
        f"WHERE v.case_id = {table}.case_id AND {table}.load_id = {int(load_id)} AND ({gaps})"
    )


def make_writer(conn: Connection, spec: TableSpec, load_id: int) -> ChunkWriter:
    """The writer for the connection's database."""
    if conn.dialect.name == "postgresql":
        return PostgresWriter(conn, spec, load_id)
    return SqliteWriter(conn, spec, load_id)


def write_chunk(writer: ChunkWriter, values: pd.DataFrame) -> None:
    """Write one checked chunk (the seam a fault-injection test replaces)."""
    writer.write(values)
