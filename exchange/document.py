"""Stream an exchange document: its header values, then its records one at a time.

The document is never held whole: records are built one by one from the parser's events,
with the nesting depth bounded and keys repeated inside an object reported.
"""

import lzma
import re
import zipfile
import zlib
from dataclasses import dataclass, field

import ijson

from .errors import JSON_REASONS, ExchangeError, json_type, problem
from .schema import HEADER_KEYS, SECTION_BY_KEY
from .streams import SizeLimitExceeded, Source

# The format needs four levels (document, section, record, nested list item); anything far
# deeper is refused before it can exhaust the stack or the memory.
MAX_DEPTH = 32
BUFFER_SIZE = 64 * 1024
SCALARS = frozenset(("null", "boolean", "integer", "double", "number", "string"))
# The parser holds a whole string or number in memory: no value of a bakery is near this long,
# and a document of one endless string is refused before it fills the memory.
MAX_VALUE = 16 * 1024**2
# Python converts no longer whole number from its digits (sys.get_int_max_str_digits()); the
# C parser fails on one so badly that the process may crash, so it must never see one.
MAX_DIGITS = 4300
# Digits become 0 and everything else a space, so that bytes.find looks for a long run in C.
AS_DIGITS = bytes(ord("0") if b in b"0123456789" else ord(" ") for b in range(256))
LONG_RUN = b"0" * (MAX_DIGITS + 1)
# A quote after a run of backslashes: an odd run escapes it.
SLASHED_QUOTE = re.compile(rb'(\\+)"')
# A \u escape of half a UTF-16 surrogate pair, after a run of backslashes: an odd run means
# the last backslash starts the escape, an even one that the backslashes escape each other.
SURROGATE_ESCAPE = re.compile(rb"(\\+)u[dD][89a-fA-F][0-9a-fA-F]{2}")
LOW_SURROGATE = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")


class TooDeep(Exception):
    """The document nests deeper than MAX_DEPTH."""


class BadBytes(Exception):
    """Bytes the parser would take wrongly, at an offset of the document."""

    def __init__(self, code: str, offset: int, **params):
        self.code, self.offset, self.params = code, offset, params
        super().__init__(code)


class Inspector:
    """Watch the bytes on their way to the parser for what it would take wrongly.

    The parser holds a string however long it is, crashes on a whole number of thousands of
    digits, and turns a lone half of a surrogate pair (\\ud800) into '?' or into bytes that
    are not UTF-8: each is refused here, at the offset it begins. It costs a few scans of each
    piece in C, and Python only where a backslash or a long run of digits is.
    """

    def __init__(self):
        # Bytes before the current piece.
        self.read = 0
        self.since_quote = 0
        # Whether the current piece starts inside a string, and the backslashes and digits
        # that ended the last piece.
        self.in_string = False
        self.backslashes = 0
        self.digits = 0
        # The end of the last piece kept for the escapes check, and where it starts.
        self.carry = b""
        self.carry_offset = 0

    def __call__(self, data: bytes):
        self._check_length(data)
        self._check_digits(data)
        self._check_escapes(data)
        self.read += len(data)

    def _check_length(self, data: bytes):
        quote = self._last_quote(data)
        self.since_quote = len(data) - quote - 1 if quote >= 0 else self.since_quote + len(data)
        if self.since_quote > MAX_VALUE:
            raise BadBytes(
                "too_long_value", self.read + len(data) - self.since_quote, limit=MAX_VALUE
            )

    def _last_quote(self, data: bytes) -> int:
        """Return the place of the last quote of a piece that is not escaped, or -1."""
        quote = data.rfind(b'"')
        while quote >= 0:
            before = data[:quote]
            slashes = len(before) - len(before.rstrip(b"\\")) if before.endswith(b"\\") else 0
            if slashes == quote:
                slashes += self.backslashes
            if slashes % 2 == 0:
                return quote
            quote = data.rfind(b'"', 0, quote)
        return -1

    def _quotes(self, data: bytes) -> int:
        """Count the quotes of a piece that open or close a string (not escaped ones)."""
        quotes = data.count(b'"')
        if quotes and (self.backslashes or b'\\"' in data):
            slashed = b"\\" * self.backslashes + data
            quotes -= sum(len(m.group(1)) % 2 for m in SLASHED_QUOTE.finditer(slashed))
        return quotes

    def _check_digits(self, data: bytes):
        # The digits that ended the last piece stand in as zeros: only their number matters.
        digits = b"0" * self.digits + data.translate(AS_DIGITS)
        run = digits.find(LONG_RUN)
        while run >= 0:
            # find gives the first place of a run: where it starts.
            start = max(run - self.digits, 0)
            if not self.in_string ^ (self._quotes(data[:start]) % 2 == 1):
                raise BadBytes("too_many_digits", self.read + run - self.digits)
            end = digits.find(b" ", run)
            run = -1 if end < 0 else digits.find(LONG_RUN, end)
        self.in_string ^= self._quotes(data) % 2 == 1
        trailing = len(data) - len(data.rstrip(b"\\"))
        self.backslashes = self.backslashes + trailing if trailing == len(data) else trailing
        self.digits = min(len(digits) - len(digits.rstrip(b"0")), MAX_DIGITS + 1)

    def _check_escapes(self, data: bytes):
        buffer, final = self.carry + data, not data
        if b"\\u" not in buffer:
            self._keep(buffer, len(buffer))
            return
        done = 0
        for match in SURROGATE_ESCAPE.finditer(buffer):
            slashes = len(match.group(1))
            start = match.start() + slashes - 1
            if slashes % 2 == 0 or start < done:
                continue
            text = buffer[start : start + 6]
            if text[3:4] in b"cdefCDEF":
                raise BadBytes("lone_surrogate", self.carry_offset + start, escape=text.decode())
            if len(buffer) < start + 12 and not final:
                # The other half may come with the next piece.
                self._keep(buffer, start, exact=True)
                return
            if not LOW_SURROGATE.match(buffer, start + 6):
                raise BadBytes("lone_surrogate", self.carry_offset + start, escape=text.decode())
            done = start + 12
        self._keep(buffer, max(done, len(buffer) - 11))

    def _keep(self, buffer: bytes, cut: int, exact: bool = False):
        """Keep the end of the buffer from cut for the next piece, with the backslashes before it.

        The kept part starts where the count of backslashes before an escape is known: at an
        escape (exact), or after a byte that is not a backslash.
        """
        cut = max(cut, 0)
        while not exact and cut > 0 and buffer[cut - 1 : cut] == b"\\":
            cut -= 1
        self.carry_offset += cut
        self.carry = buffer[cut:]


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
    with source.open(inspect=Inspector()) as reader:
        try:
            yield from _walk(ijson.basic_parse(reader, buf_size=BUFFER_SIZE, use_float=False))
        except SizeLimitExceeded:
            raise ExchangeError([problem("", "too_large", limit=source.max_size)]) from None
        except BadBytes as exc:
            line, column = position(source, exc.offset)
            raise ExchangeError([bad_bytes_problem(exc, line, column)]) from None
        except (ijson.JSONError, TooDeep, UnicodeDecodeError) as exc:
            last_read = max(0, reader.offset - BUFFER_SIZE)
            raise ExchangeError([locate_error(source, last_read, exc)]) from None
        except (OSError, EOFError, lzma.LZMAError, zlib.error, zipfile.BadZipFile) as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise ExchangeError(
                [problem("", "unreadable", path=source.name, reason=reason)]
            ) from None


def bad_bytes_problem(exc: BadBytes, line: int, column: int):
    """Return the problem of bytes the Inspector refused, at their line and column."""
    reasons = {
        "lone_surrogate": f"{exc.params.get('escape')} is half of a UTF-16 surrogate pair, "
        "without its other half",
        "too_many_digits": f"a number of more than {MAX_DIGITS} digits",
    }
    if exc.code in reasons:
        return problem("", "json", line=line, column=column, reason=reasons[exc.code])
    return problem("", exc.code, line=line, column=column, **exc.params)


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
