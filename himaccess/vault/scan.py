"""Looking for Aadhaar numbers outside the vault: every text column, the media and data folders, logs.

An *Aadhaar-shaped number* is twelve digits (optionally grouped 4-4-4 by
spaces or hyphens) not touching another letter or digit, not starting with
0 or 1, with a valid Verhoeff check digit: what ``vault.actions.normalise``
accepts. Findings name where the number is and show it masked, never whole.

1. Database: the text columns (character, text, JSON) of every table are
   found by introspection, not listed, so a table added tomorrow is scanned
   too. Each table is read once, with a WHERE clause that ORs one regular
   expression test per column (PostgreSQL's ``~``, SQLite's ``REGEXP``), so
   the database returns only the few rows that may hold a number; Python
   then applies the exact rule above. The vault's own table and the columns
   in ``SKIPPED_COLUMNS`` (each with its reason) are left out.
2. Files: every file under the given folders, read as bytes line by line
   (UTF-8, undecodable bytes replaced); the key directory and SQLite
   database files are left out. Compressed or image content (PDF streams,
   scanned documents) is not looked into.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from himaccess.lib.identifiers import verhoeff_is_valid
from himaccess.vault.masking import masked
from himaccess.vault.models import VaultEntry

_AADHAAR_SHAPE = re.compile(r"(?<![0-9A-Za-z])([2-9]\d{3})[ -]?(\d{4})[ -]?(\d{4})(?![0-9A-Za-z])", re.ASCII)
# The database's pre-filter: a superset of the rule above in each dialect.
_PG_PATTERN = r"(^|[^0-9A-Za-z])[2-9][0-9]{3}[ -]?[0-9]{4}[ -]?[0-9]{4}($|[^0-9A-Za-z])"
_SQLITE_PATTERN = r"(?<![0-9A-Za-z])[2-9][0-9]{3}[ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9A-Za-z])"
_PG_TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")
_SQLITE_TEXT = re.compile(r"CHAR|TEXT|CLOB|JSON", re.IGNORECASE)
# Columns that hold other kinds of numbers in the Aadhaar shape, and why they are not scanned.
SKIPPED_COLUMNS: dict[tuple[str, str], str] = {
    (VaultEntry._meta.db_table, "*"): "the vault itself",
}
SKIPPED_SUFFIXES = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal")
MAX_SHOWN_PER_PLACE = 5


@dataclass(frozen=True)
class Finding:
    where: str
    masked: str

    def __str__(self) -> str:
        return f"{self.where}: {self.masked}"


def aadhaar_shaped(text: str) -> list[str]:
    """The Aadhaar-shaped numbers in ``text`` (see the module's docstring)."""
    found = []
    for match in _AADHAAR_SHAPE.finditer(text):
        digits = "".join(match.groups())
        if verhoeff_is_valid(digits):
            found.append(digits)
    return found


def _text_columns(using: str) -> dict[str, list[str]]:
    connection = connections[using]
    columns: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.table_name, c.column_name FROM information_schema.columns c "
                "JOIN information_schema.tables t "
                "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
                "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
                "AND c.data_type = ANY(%s) ORDER BY c.table_name, c.ordinal_position",
                [list(_PG_TEXT_TYPES)],
            )
            for table, column in cursor.fetchall():
                columns.setdefault(table, []).append(column)
        elif connection.vendor == "sqlite":
            for table in connection.introspection.table_names(cursor):
                if table.startswith("sqlite_"):
                    continue
                cursor.execute(f"PRAGMA table_info({connection.ops.quote_name(table)})")
                for row in cursor.fetchall():
                    if _SQLITE_TEXT.search(row[2] or ""):
                        columns.setdefault(table, []).append(row[1])
        else:
            raise NotImplementedError(f"no scan for {connection.vendor}")
    return {
        table: [c for c in cols if (table, c) not in SKIPPED_COLUMNS]
        for table, cols in columns.items()
        if (table, "*") not in SKIPPED_COLUMNS
    }


def _row_key(using: str, table: str) -> str:
    connection = connections[using]
    with connection.cursor() as cursor:
        keys = connection.introspection.get_primary_key_columns(cursor, table) or []
    if len(keys) == 1:
        return connection.ops.quote_name(keys[0])
    return "ctid" if connection.vendor == "postgresql" else "rowid"


def scan_table(table: str, columns: list[str], *, using: str = "default") -> Iterator[Finding]:
    connection = connections[using]
    quote = connection.ops.quote_name
    key = _row_key(using, table)
    if connection.vendor == "postgresql":
        tests = " OR ".join(f"{quote(c)}::text ~ %s" for c in columns)
        selected = ", ".join(f"{quote(c)}::text" for c in columns)
        sql = f"SELECT {key}::text, {selected} FROM {quote(table)} WHERE {tests}"  # noqa: S608
        params = [_PG_PATTERN] * len(columns)
    else:
        tests = " OR ".join(f"CAST({quote(c)} AS TEXT) REGEXP %s" for c in columns)
        selected = ", ".join(quote(c) for c in columns)
        sql = f"SELECT CAST({key} AS TEXT), {selected} FROM {quote(table)} WHERE {tests}"  # noqa: S608
        params = [_SQLITE_PATTERN] * len(columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(500):
            for row in rows:
                for column, value in zip(columns, row[1:], strict=True):
                    for digits in aadhaar_shaped(str(value)) if value is not None else []:
                        yield Finding(f"{table}.{column} id={row[0]}", masked(digits[-4:]))


def scan_database(*, using: str = "default", tables: Iterable[str] | None = None) -> Iterator[Finding]:
    """Findings in every text column of every table (or of ``tables``), table by table."""
    columns = _text_columns(using)
    for table in sorted(columns if tables is None else set(tables) & set(columns)):
        if columns[table]:
            yield from scan_table(table, columns[table], using=using)


def _files(roots: Iterable[Path], skip: Iterable[Path]) -> Iterator[Path]:
    skipped = {path.resolve() for path in skip}
    seen: set[Path] = set()
    for root in roots:
        root = root.resolve()
        if not root.exists():
            continue
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in candidates:
            resolved = path.resolve()
            if resolved in seen or not path.is_file() or path.is_symlink():
                continue
            if any(resolved == s or s in resolved.parents for s in skipped):
                continue
            if path.name.endswith(SKIPPED_SUFFIXES):
                continue
            seen.add(resolved)
            yield path


def scan_files(roots: Iterable[Path], *, skip: Iterable[Path] = ()) -> Iterator[Finding]:
    """Findings in the files under ``roots`` (files or folders), as ``path:line``."""
    for path in _files(roots, skip):
        try:
            with path.open("rb") as handle:
                for number, raw in enumerate(handle, start=1):
                    for digits in aadhaar_shaped(raw.decode("utf-8", "replace")):
                        yield Finding(f"{path}:{number}", masked(digits[-4:]))
        except OSError as exc:
            yield Finding(f"{path}", f"could not be read ({exc.strerror})")
