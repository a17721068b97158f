"""Every message the exchange gives, keyed by code, and the problems that carry them."""

from dataclasses import dataclass
from decimal import Decimal

from bakery.names import FAULTS as NAME_FAULTS

MESSAGES = {
    # The file and its JSON.
    "unreadable": "cannot read {path}: {reason}",
    "json": "invalid JSON at line {line}, column {column}: {reason}",
    "too_deep": "nesting deeper than {limit} levels at line {line}, column {column}",
    "too_long_value": "more than {limit} bytes without a double quote from line {line}, "
    "column {column}: no string, number or space of a bakery document is this long",
    "too_large": "the uncompressed document is larger than {limit} bytes; "
    "raise the limit with --max-size if this file is trusted",
    "no_space": "not enough space in TMPDIR ({directory}) for the import's temporary files; "
    "free some space there or set TMPDIR to a directory with more",
    "zip_members": "a .zip must hold exactly one file, this one holds {count}",
    "zip_member_path": "the .zip member {name!r} has an unsafe path",
    "duplicate_key": "the key {key!r} appears twice in the same object",
    # The header. A {value} or {got} parameter is already quoted as it reads in the file.
    "not_object": "the document must be a JSON object, got {got}",
    "format": "must be {expected!r}, got {value}: this is not a bakery exchange document",
    "version_newer": "version {value} is newer than this bakery supports ({supported}); "
    "upgrade bakery to import it",
    "version": "must be a supported version ({supported}), got {value}",
    "scope": 'must be null or an object like {{"events": ["Christmas 2025"]}}, got {got}',
    "scope_events": "must be a list of event names, got {got}",
    "unknown_section": "unknown section {key!r}{hint}",
    "section_type": "must be a list of records, got {got}",
    # A record's fields.
    "record_type": "must be an object, got {got}",
    "unknown_field": "unknown field {key!r}{hint}",
    "required": "is required",
    "required_new": "is required to create {kind} {key}, which is not in the database",
    "type": "must be {expected}, got {got}",
    "blank": "must not be empty",
    "nul": "must not contain the NUL character (\\u0000), got {value}",
    "name_control": NAME_FAULTS["name_control"] + ", got {value}",
    "name_edges": NAME_FAULTS["name_edges"] + ", got {value}",
    "max_length": "must be at most {limit} characters, got {length}: {value}",
    "greater_than_zero": "must be greater than 0, got {value}",
    "non_negative": "must not be negative, got {value}",
    "max_value": "must be at most {limit}, got {value}",
    "min_value": "must be at least {limit}, got {value}",
    "decimal_places": "must have at most {limit} decimal places, got {value}",
    "decimal_digits": "must have at most {limit} digits before the decimal point, got {value}",
    "not_finite": "must be a finite number, got {value}",
    "choice": "must be one of {choices}, got {value}",
    "date": "must be a date as YYYY-MM-DD, got {value}",
    "no_such_date": "must be a real date, got {value} ({reason})",
    "datetime": "must be a date and time like 2025-12-15T10:00:00Z, got {value}",
    "no_such_datetime": "must be a real date and time, got {value} ({reason})",
    "naive_datetime": "must have a UTC offset (like 2025-12-15T10:00:00Z), got {value}",
    "uuid": "must be a UUID like 0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11, got {value}",
    "one_of": "give exactly one of {keys}, got {found}",
    "required_for_mode": "is required when yield_mode is {mode!r}",
    # Between records.
    "duplicate": "{key} appears twice in the file, first at {first}",
    "duplicate_child": "{key} appears twice in this list, first at {first}",
    "unknown_ref": "no {kind} named {value!r} in the file or the database{hint}",
    "unknown_event": "no event named {value!r} in the database{hint}",
    "unknown_ref_replace": "no {kind} named {value!r} in the file (replace mode deletes the "
    "database's records first){hint}",
    "recipe_mismatch": "{name!r} is made from {actual!r}, not from {value!r}",
    "cycle": "{name!r} would contain itself: {path}",
    "runs_recipe_changed": "{name!r} would be made from {value!r}, but {referrers} in the "
    "database make it from {current!r}",
    # Warnings.
    "new_uuid": "missing; a new uuid was given, so importing this file again would "
    "duplicate this run",
    "merge_skipped": "{key} already exists with a different {fields}; left as it is (merge)",
    # Usage.
    "usage": "{reason}",
}

# What the JSON parser's reasons mean, for a person editing the file; others are shown as is.
JSON_REASONS = {
    "premature EOF": "the document ends too soon (is it cut short?)",
    "trailing garbage": "unexpected text after the end of the document",
    "invalid char in json text.": "unexpected character",
    "invalid object key (must be a string)": "a key must be a string in double quotes "
    "(is there a comma too many?)",
    "object key and value must be separated by a colon (':')": "expected ':' after a key",
    "after key and value, inside map, I expect ',' or '}'": "expected ',' or '}' after a value",
    "after array element, I expect ',' or ']'": "expected ',' or ']' after a list item",
    "unallowed token at this point in JSON text": "unexpected character",
    "invalid bytes in UTF8 string.": "text that is not UTF-8",
    "probable comment found in input text, comments are not enabled.": "comments are not "
    "allowed in JSON",
    "invalid string in json text.": "unexpected word (is a string missing its double quotes?)",
    "invalid character inside string.": "a control character inside a string (write a tab "
    "as \\t, a line break as \\n)",
    "inside a string, '\\' occurs before a character which it may not.": "a backslash "
    "before a character it may not escape (write a backslash as \\\\)",
    "invalid (non-hex) character occurs after '\\u' inside string.": "\\u must be followed "
    "by four hexadecimal digits",
    "malformed number, a digit is required after the minus sign.": "a number needs a digit "
    "after its minus sign",
    "malformed number, a digit is required after the decimal point.": "a number needs a "
    "digit after its decimal point",
    "malformed number, a digit is required after the exponent.": "a number needs a digit "
    "after its exponent",
}


def message(code: str, **params) -> str:
    """Return the text of a message code with its parameters."""
    return MESSAGES[code].format(**params)


class Invalid(Exception):
    """A value that does not fit its field, with a message code."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(message(code, **params))


@dataclass(frozen=True)
class Problem:
    """One located problem of an exchange document."""

    location: str
    code: str
    text: str

    def __str__(self):
        return f"{self.location}: {self.text}" if self.location else self.text


def problem(location: str, code: str, **params) -> Problem:
    return Problem(location, code, message(code, **params))


class ExchangeError(Exception):
    """A document that cannot be imported (status 1) or an unusable request (status 2).

    in_document is False for a refusal that is not the document's fault (a full disk).
    """

    def __init__(
        self,
        problems: list[Problem],
        total: int | None = None,
        status: int = 1,
        in_document: bool = True,
    ):
        self.problems = problems
        self.total = total if total is not None else len(problems)
        self.status = status
        self.in_document = in_document
        super().__init__(self.render())

    def render(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"and {self.total - len(self.problems)} more")
        return "\n".join(lines)


class Problems:
    """Collect problems up to a limit, counting the rest, and give them back in file order.

    A problem may carry an order (a tuple: its place in the file); problems are returned
    sorted by it, ties in the order they were added, so checks that run in separate passes
    still report in file order. Only the first `limit` problems in that order are kept.
    """

    def __init__(self, limit: int = 100):
        self.limit = limit
        self._kept: list[tuple[tuple, int, Problem]] = []
        self.total = 0

    def add(self, location: str, code: str, *, order: tuple = (), **params):
        self.total += 1
        self._kept.append((order, self.total, problem(location, code, **params)))
        if len(self._kept) >= 2 * max(self.limit, 1):
            self._trim()

    def add_invalid(self, location: str, exc: Invalid, *, order: tuple = ()):
        self.add(location, exc.code, order=order, **exc.params)

    def _trim(self):
        self._kept.sort(key=lambda kept: kept[:2])
        del self._kept[max(self.limit, 0) :]

    @property
    def items(self) -> list[Problem]:
        """Return the kept problems in file order."""
        self._trim()
        return [p for _, _, p in self._kept]

    def __bool__(self):
        return self.total > 0

    def raise_if_any(self, status: int = 1):
        if self.total:
            raise ExchangeError(self.items, self.total, status)


def json_type(value) -> str:
    """Name a JSON value's type as a person reading the file would."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def shown(value, limit: int = 60) -> str:
    """Quote a value for a message as it reads in the file, shortened past a limit."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json_type(value)
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[: limit - 1] + "…")
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def described(value) -> str:
    """Name a value's type and quote it, as in "a string '4'" or "a list"."""
    if value is None or isinstance(value, bool | dict | list):
        return shown(value)
    return f"{json_type(value)} {shown(value)}"
