"""Stream an exchange document: its header values, then its records one at a time.

The document is never held whole: records are built one by one from the parser's events,
with the nesting depth bounded and keys repeated inside an object reported.
"""

import lzma
import zipfile
import zlib
from dataclasses import dataclass, field

import ijson

from .errors import JSON_REASONS, ExchangeError, json_type, problem
from .guard import BadBytes, ByteGuard
from .schema import HEADER_KEYS, SECTION_BY_KEY
from .streams import SizeLimitExceeded, Source

# The format needs four levels (document, section, record, nested list item); anything far
# deeper is refused before it can exhaust the stack or the memory.
MAX_DEPTH = 32
BUFFER_SIZE = 64 * 1024
SCALARS = frozenset(("null", "boolean", "integer", "double", "number", "string"))


class TooDeep(Exception):
    """The document nests deeper than MAX_DEPTH."""


@dataclass
class Record:
    section: str
    index: int
    value: object
    duplicate_keys: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Header:
    key: str
    value: object


@dataclass
class Misplaced:
    """A top-level key that is neither a section nor a header field, or a section not a list."""

    key: str
    code: str
    got: str = ""


def _build(kind, value, events, depth, path, duplicates):
    """Build one JSON value from the parser's events, noting keys repeated in an object."""
    if kind in SCALARS:
        return value
    if depth > MAX_DEPTH:
        raise TooDeep
    if kind == "start_map":
        obj = {}
        for kind, value in events:
            if kind == "end_map":
                return obj
            key = value
            kind, value = next(events)
            if key in obj:
                duplicates.append((path, key))
            if kind in SCALARS:
                obj[key] = value
            else:
                obj[key] = _build(kind, value, events, depth + 1, f"{path}.{key}", duplicates)
        return obj
    items = []
    for kind, value in events:
        if kind == "end_array":
            return items
        if kind in SCALARS:
            items.append(value)
        else:
            child = f"{path}[{len(items)}]"
            items.append(_build(kind, value, events, depth + 1, child, duplicates))
    return items


def iter_document(source: Source):
    """Yield the Header, Record and Misplaced items of a document, in file order.

    Raise ExchangeError for a document that is not JSON, or not an object, with its line and
    column, and for one larger than the source's size limit.
    """
    with source.open(inspect=ByteGuard()) as reader:
        try:
            yield from _walk(ijson.basic_parse(reader, buf_size=BUFFER_SIZE, use_float=False))
        except SizeLimitExceeded:
            raise ExchangeError([problem("", "too_large", limit=source.max_size)]) from None
        except BadBytes as exc:
            line, column = position(source, exc.offset)
            raise ExchangeError([exc.problem(line, column)]) from None
        except (ijson.JSONError, TooDeep, UnicodeDecodeError) as exc:
            last_read = max(0, reader.offset - BUFFER_SIZE)
            raise ExchangeError([locate_error(source, last_read, exc)]) from None
        except (OSError, EOFError, lzma.LZMAError, zlib.error, zipfile.BadZipFile) as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise ExchangeError(
                [problem("", "unreadable", path=source.name, reason=reason)]
            ) from None


def position(source: Source, offset: int) -> tuple[int, int]:
    """Return the line and column of the character at a byte offset of the document."""
    with source.open(slow_from=offset) as reader:
        while reader.offset < offset and reader.read(min(BUFFER_SIZE, offset - reader.offset)):
            pass
    return reader.line, reader.column_chars + 1


def _walk(events):
    kind, value = next(events, (None, None))
    if kind != "start_map":
        got = "nothing" if kind is None else json_type(_build(kind, value, events, 1, "", []))
        raise ExchangeError([problem("", "not_object", got=got)])
    seen = set()
    for kind, key in events:
        if kind == "end_map":
            break
        kind, value = next(events)
        if key in seen:
            yield Misplaced(key, "duplicate_key")
        seen.add(key)
        if key in SECTION_BY_KEY and kind == "start_array":
            for index, (kind, value) in enumerate(events):
                if kind == "end_array":
                    break
                duplicates = []
                path = f"{key}[{index}]"
                if kind in SCALARS:
                    record = value
                else:
                    record = _build(kind, value, events, 3, path, duplicates)
                yield Record(key, index, record, duplicates)
        else:
            built = value if kind in SCALARS else _build(kind, value, events, 2, key, [])
            if key in SECTION_BY_KEY:
                yield Misplaced(key, "section_type", json_type(built))
            elif key in HEADER_KEYS:
                yield Header(key, built)
            else:
                yield Misplaced(key, "unknown_section")
    for _ in events:
        pass


def locate_error(source: Source, slow_from: int, exc: Exception):
    """Read the document again, byte by byte near the failure, to say where it is."""
    with source.open(slow_from=slow_from) as reader:
        depth = 0
        try:
            for kind, _ in ijson.basic_parse(reader, buf_size=BUFFER_SIZE, use_float=False):
                if kind in ("start_map", "start_array"):
                    depth += 1
                    if depth > MAX_DEPTH:
                        return problem(
                            "",
                            "too_deep",
                            limit=MAX_DEPTH,
                            line=reader.line,
                            column=max(reader.column_chars, 1),
                        )
                elif kind in ("end_map", "end_array"):
                    depth -= 1
        except (ijson.JSONError, UnicodeDecodeError) as again:
            exc = again
        except SizeLimitExceeded:
            return problem("", "too_large", limit=source.max_size)
    column = max(reader.column_chars, 1)
    if broken_sequence_before(reader.tail) and "UTF8" in str(exc.args[0] if exc.args else ""):
        # The parser stops at the byte that cannot continue a character ("Crème" saved as
        # Latin-1 stops at the m): the character to fix is the one before.
        column = max(column - 1, 1)
    return problem("", "json", line=reader.line, column=column, reason=json_reason(exc))


def broken_sequence_before(tail: bytes) -> bool:
    """Whether the last byte read is valid on its own, after the lead of an unfinished character."""
    if not tail:
        return False
    last = tail[-1]
    if not (last < 0x80 or 0xC2 <= last <= 0xF4) or last == ord("\n"):
        return False
    return any(0xC2 <= b <= 0xF4 for b in tail[:-1])


def json_reason(exc: Exception) -> str:
    """Say why the JSON parser stopped, in words for a person editing the file."""
    if isinstance(exc, UnicodeDecodeError):
        # The parser made bytes that are not UTF-8 of a \u escape it did not check.
        return "an escape that is not a character (half of a UTF-16 surrogate pair?)"
    text = exc.args[0] if exc.args else ""
    if isinstance(text, bytes):
        # The C parser gives its message as bytes, quoting the offending byte as it is.
        text = text.decode("utf-8", "replace")
    text = str(text).strip()
    if not text:
        return type(exc).__name__
    reason = text.splitlines()[0].strip()
    for prefix in ("parse error: ", "lexical error: "):
        reason = reason.removeprefix(prefix)
    return JSON_REASONS.get(reason, reason)
