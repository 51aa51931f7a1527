"""Loads a CSV lead export into the warehouse's raw schema, as text columns (dbt types them).

Exports come in many shapes: the encoding (UTF-8 with or without a BOM, UTF-16, Latin-1) and the
delimiter (, ; tab |) are taken from leadscore.yml's `source.encoding` / `source.delimiter`, else
detected (a BOM, valid UTF-8, else charset-normalizer, with cp1252 for Latin-script text; csv.Sniffer on
the first lines). Quoted fields
and Windows line endings are pandas' job. A ragged row or a duplicate header is an error naming the
line or the column; nothing is guessed or dropped."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from pathlib import Path

import pandas as pd

from leadscore.byo.checks import DataError
from leadscore.byo.config import ConfigError, LeadTableConfig
from leadscore.warehouse import Warehouse

DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
WESTERN_SINGLE_BYTE = "cp1252"


def detect_encoding(raw: bytes) -> str:
    """A BOM says it; else valid UTF-8 is UTF-8; else charset-normalizer's reading of the bytes
    (UTF-16 without a BOM, Japanese, Chinese, Cyrillic, Greek, ...). Single-byte encodings of the
    Latin script cannot be told apart from the bytes alone (a short French export reads as cp1250
    as well as cp1252): when the reading is in Latin letters, cp1252 is taken (Excel's "CSV" on
    Western Windows), or latin-1 where cp1252 has holes. Set source.encoding for anything else."""
    from charset_normalizer import from_bytes

    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    reading = from_bytes(raw).best()
    if reading is not None and not (_single_byte(reading.encoding) and _in_latin_letters(str(reading))):
        return reading.encoding
    try:
        raw.decode(WESTERN_SINGLE_BYTE)
        return WESTERN_SINGLE_BYTE
    except UnicodeDecodeError:
        return "latin-1"


def _single_byte(encoding: str) -> bool:
    """Every byte one character (cp1252, cp1251, ...), unlike UTF-16 or Shift-JIS."""
    return len(bytes(range(256)).decode(encoding, errors="replace")) == 256


def _in_latin_letters(text: str) -> bool:
    """Most letters beyond ASCII are Latin (é, č, ß), as in any Western or Central European text."""
    letters = [character for character in text if ord(character) > 127 and character.isalpha()]
    latin = sum(unicodedata.name(character, "").startswith("LATIN") for character in letters)
    return 2 * latin >= len(letters)


def detect_delimiter(text: str) -> str:
    sample = text[:SNIFF_BYTES]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first_line = sample.splitlines()[0] if sample else ""
        counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def read_lead_csv(
    path: Path, encoding: str | None = None, delimiter: str | None = None
) -> tuple[pd.DataFrame, str, str]:
    """(text frame, encoding, delimiter) of a CSV export; DataError naming the line or column when ragged."""
    raw = path.read_bytes()
    encoding = encoding or detect_encoding(raw)
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise DataError(
            f"{path}: cannot be read as {encoding} ({error}); set source.encoding in leadscore.yml "
            "(utf-8, utf-8-sig, utf-16, latin-1, cp1252)"
        ) from None
    text = text.removeprefix("\ufeff")
    delimiter = delimiter or detect_delimiter(text)
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(rows, [])
    for row in rows:
        if row and len(row) != len(header):
            raise DataError(
                f"{path}: line {rows.line_num} has {len(row)} fields, the header has {len(header)} "
                f"(delimiter {delimiter!r}, encoding {encoding}). Check the delimiter (source.delimiter) "
                "and that text containing it is quoted"
            )
    duplicated = sorted(name for name, count in Counter(header).items() if count > 1 and name.strip())
    if duplicated:
        raise DataError(
            f"{path}: the header names {', '.join(repr(name) for name in duplicated)} more than once; "
            "rename the columns so each is unique"
        )
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, engine="c")
    except pd.errors.ParserError as error:
        raise DataError(
            f"{path}: {error} (delimiter {delimiter!r}, encoding {encoding}). A row has more fields than "
            "the header: check the delimiter (source.delimiter) and that text with delimiters is quoted"
        ) from None
    return frame, encoding, delimiter


def load_csv(warehouse: Warehouse, config: LeadTableConfig) -> tuple[int, str, str]:
    """(rows loaded, encoding, delimiter) of the configured CSV, written to the raw table as text."""
    if config.csv is None:
        raise ConfigError(
            f"{config.path}: source.csv is not set; load {config.source_schema}.{config.source_table} yourself"
        )
    if not Path(config.csv).exists():
        raise ConfigError(f"{config.path}: source.csv {config.csv} does not exist")
    # Text in, types in dbt: the loader never guesses (and never drops) a value.
    frame, encoding, delimiter = read_lead_csv(Path(config.csv), config.csv_encoding, config.csv_delimiter)
    frame = frame.loc[
        :, [c for c in frame.columns if not (c.startswith("Unnamed:") and frame[c].eq("").all())]
    ]
    frame = frame.astype(object).where(frame.ne(""), None)
    columns = {column: "varchar" for column in frame.columns}
    warehouse.write_frame(config.source_schema, config.source_table, frame, columns, append=False)
    return len(frame), encoding, delimiter
