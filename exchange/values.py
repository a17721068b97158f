"""Convert field values between the document (JSON) and Python, with their checks."""

import datetime
import functools
import itertools
import re
import uuid
from decimal import Decimal, InvalidOperation

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.dateparse import parse_datetime

from bakery.models import strip_name

from .errors import Invalid

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# ISO 8601 as the format requires it: a date, a time and, checked apart, an offset.
DATETIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?\Z"
)


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


def _type_error(expected, value):
    return Invalid("type", expected=expected, got=described(value))


def _limits(model_field):
    """Return the (min, max) bounds of a field's validators, the strictest of each.

    An integer field's validators also hold the connection's range, which is 64 bits on
    SQLite and 32 on PostgreSQL: a file's values are held to the 32 bits every database
    stores, so that the same file gets the same answer everywhere.
    """
    lows = [v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator)]
    low, high = max(lows, default=None), min(highs, default=None)
    if isinstance(model_field, models.IntegerField):
        low = INT_MIN if low is None else max(low, INT_MIN)
        high = INT_MAX if high is None else min(high, INT_MAX)
    return low, high


def _check_bounds(value, low, high, written=None):
    """Refuse a value outside its field's bounds, quoting it as written in the file."""
    below = low is not None and value < low
    if not below and (high is None or value <= high):
        return
    written = shown(value if written is None else written)
    if below:
        if low == 0:
            raise Invalid("non_negative", value=written)
        if low in (1, Decimal("0.0001")):
            raise Invalid("greater_than_zero", value=written)
        raise Invalid("min_value", limit=low, value=written)
    raise Invalid("max_value", limit=high, value=written)


def aware_datetime(value) -> datetime.datetime:
    """Parse an ISO 8601 date and time with a UTC offset, or raise Invalid."""
    if not isinstance(value, str):
        raise _type_error("a date and time string", value)
    if not DATETIME_RE.match(value):
        raise Invalid("datetime", value=shown(value))
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise Invalid("no_such_datetime", value=shown(value), reason=_reason(exc)) from None
    if parsed.tzinfo is None:
        raise Invalid("naive_datetime", value=shown(value))
    try:
        # The database stores UTC: 0001-01-01T00:00:00+01:00 is in year 0 there.
        parsed.astimezone(datetime.UTC)
    except OverflowError:
        raise Invalid(
            "no_such_datetime",
            value=shown(value),
            reason="it is outside the years 1 to 9999 in UTC",
        ) from None
    return parsed


def _reason(exc: ValueError) -> str:
    """Return Python's reason a date is not real, when it reads well ("month must be in 1..12")."""
    text = str(exc)
    if text.startswith("offset"):
        return "the UTC offset must be less than 24 hours"
    return text


def _text(value: str) -> str:
    """Refuse text no database stores alike: PostgreSQL refuses a NUL character."""
    if "\x00" in value:
        raise Invalid("nul", value=shown(value))
    return value


def _name(value: str) -> str:
    """Strip a name as the models do; refuse an empty one or one with other blanks at its ends."""
    _text(value)
    if not value.strip():
        raise Invalid("blank")
    value = strip_name(value)
    if value != value.strip():
        raise Invalid("name_edges", value=shown(value))
    return value


def make_parser(bound):
    """Return a function turning a document value into the model field's value, or raising."""
    f = bound.model_field
    nullable = not bound.required

    if isinstance(f, models.ForeignKey):

        def parse_ref(value):
            if value is None or value == "":
                if f.null:
                    return None
                raise Invalid("required") if value is None else Invalid("blank")
            if not isinstance(value, str):
                raise _type_error("a name (string)", value)
            return _name(value)

        return parse_ref

    if f.choices:
        choices = [c for c, _ in f.choices]

        def parse_choice(value):
            if value is None and nullable:
                return f.get_default()
            if value not in choices:
                raise Invalid("choice", choices=" | ".join(choices), value=shown(value))
            return value

        return parse_choice

    if isinstance(f, models.CharField | models.TextField):
        max_length = f.max_length
        is_name = bound.attr == "name"

        def parse_text(value):
            if value is None:
                if nullable:
                    return ""
                raise Invalid("required")
            if not isinstance(value, str):
                raise _type_error("a string", value)
            value = _name(value) if is_name else _text(value)
            if max_length is not None and len(value) > max_length:
                raise Invalid("max_length", limit=max_length, length=len(value), value=shown(value))
            return value

        return parse_text

    if isinstance(f, models.BooleanField):

        def parse_bool(value):
            if value is None and nullable:
                return f.get_default()
            if not isinstance(value, bool):
                raise _type_error("true or false", value)
            return value

        return parse_bool

    if isinstance(f, models.IntegerField):
        low, high = _limits(f)
        default = f.get_default() if f.has_default() else None

        def parse_int(value):
            if value is None:
                if f.null or not bound.required:
                    return default
                raise Invalid("required")
            if isinstance(value, bool) or not isinstance(value, int):
                # A number with a fraction or an exponent comes as a Decimal: 4.0 and 1e3 are
                # whole, 2.5 is not. Its bounds are compared first, so that int() never
                # spends minutes on 1e999999999.
                if not (isinstance(value, Decimal) and value.is_finite()):
                    raise _type_error("a whole number", value)
                if value != value.to_integral_value():
                    raise _type_error("a whole number", value)
                _check_bounds(value, low, high)
                value = int(value)
            _check_bounds(value, low, high)
            return value

        return parse_int

    if isinstance(f, models.DecimalField):
        low, high = _limits(f)
        places, whole = f.decimal_places, f.max_digits - f.decimal_places
        quantum = Decimal(1).scaleb(-places)
        default = f.get_default() if f.has_default() else None

        def parse_decimal(value):
            if value is None:
                if not bound.required:
                    return default
                raise Invalid("required")
            if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
                raise _type_error('a decimal (a string like "12.50" or a number)', value)
            try:
                text = value.strip() if isinstance(value, str) else value
                number = Decimal(repr(text) if isinstance(text, float) else text)
            except InvalidOperation:
                raise _type_error('a decimal (a string like "12.50" or a number)', value) from None
            if not number.is_finite():
                raise Invalid("not_finite", value=shown(value))
            # Compared by exponent: abs() of 1e999999999 would overflow the decimal context.
            if number and number.adjusted() >= whole:
                raise Invalid("decimal_digits", limit=whole, value=shown(number))
            exact = number.quantize(quantum)
            if exact != number:
                raise Invalid("decimal_places", limit=places, value=shown(number))
            if not exact:
                # -0 is 0: a database would store either, and export the other.
                exact = abs(exact)
            _check_bounds(exact, low, high, written=number)
            return exact

        return parse_decimal

    if isinstance(f, models.DateTimeField):

        def parse_datetime(value):
            if value is None:
                if not bound.required:
                    return None
                raise Invalid("required")
            return aware_datetime(value)

        return parse_datetime

    if isinstance(f, models.DateField):

        def parse_date(value):
            if value is None:
                if not bound.required:
                    return None
                raise Invalid("required")
            if not isinstance(value, str) or not DATE_RE.match(value):
                raise Invalid("date", value=shown(value))
            try:
                return datetime.date.fromisoformat(value)
            except ValueError as exc:
                raise Invalid("no_such_date", value=shown(value), reason=_reason(exc)) from None

        return parse_date

    if isinstance(f, models.UUIDField):

        def parse_uuid(value):
            if value is None:
                return None
            if not isinstance(value, str):
                raise _type_error("a UUID string", value)
            try:
                return uuid.UUID(value.strip())
            except ValueError:
                raise Invalid("uuid", value=shown(value)) from None

        return parse_uuid

    raise TypeError(f"no document conversion for {f!r}")


def empty_is_null(bound) -> bool:
    """Whether a field's empty text is written as null in the document: text, not a choice."""
    f = bound.model_field
    return isinstance(f, models.CharField | models.TextField) and not f.choices


def make_formatter(bound):
    """Return a function turning a value read from the database into its document value.

    It takes the database driver's own values (the exporter skips Django's converters, which
    would double its time): Decimal or, on SQLite, a float; an aware datetime or, on SQLite,
    a naive one in UTC; a UUID or, on SQLite, 32 hex digits.
    """
    f = bound.model_field
    if isinstance(f, models.DecimalField):
        quantum = Decimal(1).scaleb(-f.decimal_places)
        spec = f".{f.decimal_places}f"

        def decimal_text(v):
            if v is None:
                return None
            if isinstance(v, float | int):
                # At most 12 digits: a float holds them exactly enough to round back.
                return format(v, spec)
            return str(Decimal(v).quantize(quantum))

        return decimal_text
    if isinstance(f, models.DateTimeField):
        return format_datetime
    if isinstance(f, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(f, models.UUIDField):
        return format_uuid
    if empty_is_null(bound):
        return lambda v: v or None
    if isinstance(f, models.BooleanField):
        return lambda v: None if v is None else bool(v)
    return None


# A datetime as Django stores it in SQLite: UTC text without an offset, its microseconds only
# when they are not 0.
SQLITE_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.(?!0{6})[0-9]{6})?"
)


def format_sqlite_datetime(text):
    """Write SQLite's text of a datetime as the format says, without parsing it.

    "2025-12-15 10:00:00", as Django stores it, is "2025-12-15T10:00:00Z". Text of another
    form (written by another program) is read as Django's own converter reads it. Text of
    Django's form that is no real date and time ("2025-02-30 10:00:00", which only another
    program could store) is written as it is, where Django's converter would stop the export
    with a traceback: the import then names the record and what is wrong with it.
    """
    if text is None:
        return None
    if SQLITE_DATETIME.fullmatch(text):
        return f"{text[:10]}T{text[11:]}Z"
    return format_datetime(parse_datetime(text))


def _map(function, values) -> list:
    return list(map(function, values))


def _format_each(spec, values) -> list:
    return list(map(format, values, itertools.repeat(spec)))


def make_column_formatter(bound, formatter=None):
    """Return a function turning a column of values read from the database into a list of
    document values, or None where they are written as they are read.

    It applies formatter, by default make_formatter's, to each value, except that a decimal
    column without nulls is formatted by one map of format(), which writes a float, an int
    and a Decimal alike.
    """
    f = bound.model_field
    if formatter is None and isinstance(f, models.DecimalField) and not f.null:
        return functools.partial(_format_each, f".{f.decimal_places}f")
    formatter = formatter or make_formatter(bound)
    return functools.partial(_map, formatter) if formatter else None


def format_uuid(value):
    """Write a UUID, or SQLite's 32 hex digits of one, in its usual hyphenated form."""
    if value is None or isinstance(value, uuid.UUID):
        return None if value is None else str(value)
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def format_datetime(value):
    """Write a datetime in UTC with a Z, as the format says (a naive one is taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat() + "Z"
    text = value.astimezone(datetime.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"
