"""Every message the exchange gives, keyed by code, and the problems that carry them."""

from dataclasses import dataclass

MESSAGES = {
    # The file and its JSON.
    "unreadable": "cannot read {path}: {reason}",
    "json": "invalid JSON at line {line}, column {column}: {reason}",
    "too_deep": "nesting deeper than {limit} levels at line {line}, column {column}",
    "too_large": "the uncompressed document is larger than {limit} bytes; "
    "raise the limit with --max-size if this file is trusted",
    "zip_members": "a .zip must hold exactly one file, this one holds {count}",
    "zip_member_path": "the .zip member {name!r} has an unsafe path",
    "duplicate_key": "the key {key!r} appears twice in the same object",
    # The header.
    "not_object": "the document must be a JSON object, got {got}",
    "format": "must be {expected!r}, got {value!r}: this is not a bakery exchange document",
    "version_newer": "version {value} is newer than this bakery supports ({supported}); "
    "upgrade bakery to import it",
    "version": "must be a supported version ({supported}), got {value!r}",
    "scope": 'must be null or an object like {{"events": ["Christmas 2025"]}}, got {value!r}',
    "unknown_section": "unknown section{hint}",
    "section_type": "must be a list of records, got {got}",
    # A record's fields.
    "record_type": "must be an object, got {got}",
    "unknown_field": "unknown field{hint}",
    "required": "is required",
    "type": "must be {expected}, got {got} {value}",
    "blank": "must not be empty",
    "max_length": "must be at most {limit} characters, got {length}",
    "greater_than_zero": "must be greater than 0, got {value}",
    "non_negative": "must not be negative, got {value}",
    "max_value": "must be at most {limit}, got {value}",
    "min_value": "must be at least {limit}, got {value}",
    "decimal_places": "must have at most {limit} decimal places, got {value}",
    "decimal_digits": "must have at most {limit} digits before the decimal point, got {value}",
    "not_finite": "must be a finite number, got {value}",
    "choice": "must be one of {choices}, got {value!r}",
    "date": "must be a date as YYYY-MM-DD, got {value!r}",
    "datetime": "must be an ISO 8601 date and time, got {value!r}",
    "naive_datetime": "must have a UTC offset (like 2025-12-15T10:00:00Z), got {value!r}",
    "uuid": "must be a UUID, got {value!r}",
    "one_of": "give exactly one of {keys}",
    "required_for_mode": "is required when yield_mode is {mode!r}",
    # Between records.
    "duplicate": "{key} appears twice in the file, first at {first}",
    "duplicate_child": "{key} appears twice in this list, first at {first}",
    "unknown_ref": "no {kind} named {value!r} in the file or the database",
    "unknown_ref_replace": "no {kind} named {value!r} in the file (replace mode deletes the "
    "database's records first)",
    "recipe_mismatch": "{unit!r} is made from {actual!r}, not from {recipe!r}",
    "cycle": "{good!r} would contain itself: {path}",
    "runs_recipe_changed": "{unit!r} would be made from {recipe!r}, but {count} production "
    "run(s) in the database make it from {current!r}",
    # Warnings.
    "new_uuid": "missing; a new uuid was given, so importing this file again would "
    "duplicate this run",
    "merge_skipped": "{key} already exists with a different {fields}; left as it is (merge)",
    # Usage.
    "usage": "{reason}",
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
    """A document that cannot be imported (status 1) or an unusable request (status 2)."""

    def __init__(self, problems: list[Problem], total: int | None = None, status: int = 1):
        self.problems = problems
        self.total = total if total is not None else len(problems)
        self.status = status
        super().__init__(self.render())

    def render(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"and {self.total - len(self.problems)} more")
        return "\n".join(lines)


class Problems:
    """Collect problems up to a limit, counting the rest."""

    def __init__(self, limit: int = 100):
        self.limit = limit
        self.items: list[Problem] = []
        self.total = 0

    def add(self, location: str, code: str, **params):
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(problem(location, code, **params))

    def add_invalid(self, location: str, exc: Invalid):
        self.add(location, exc.code, **exc.params)

    def __bool__(self):
        return self.total > 0

    def raise_if_any(self, status: int = 1):
        if self.total:
            raise ExchangeError(self.items, self.total, status)
