"""One codec per kind of value: how it is parsed from the document, formatted back, read by
the export and prepared for the database.

A schema field is bound to its codec once (BoundField.codec, from CODECS); the importer,
the exporter and the writer only ask the codec. A new kind of value is a new codec here and
a line in CODECS.
"""

import datetime
import functools
import itertools
import re
import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Value
from django.db.models.functions import Cast, NullIf
from django.utils.dateparse import parse_datetime

from bakery.names import name_fault, normalize_name

from .errors import Invalid, described, shown

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Written in ASCII digits only: Python's \d and int() also take "٢٠٢٥".
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# ISO 8601 as the format requires it: a date, a time and, checked apart, an offset.
DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?\Z"
)
# A decimal and a uuid as the format writes them, and nothing that merely reads as one.
DECIMAL_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")
# A datetime as Django stores it in SQLite: UTC text without an offset, its microseconds only
# when they are not 0.
SQLITE_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.(?!0{6})[0-9]{6})?"
)


def _type_error(expected, value):
    return Invalid("type", expected=expected, got=described(value))


def _limits(model_field):
    """Return the (min, max) bounds of a field's validators, the strictest of each.

    An integer is held to the 32 bits every database stores (SQLite's validators allow 64),
    so that the same file gets the same answer everywhere.
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


def _reason(exc: ValueError) -> str:
    """Return Python's reason a date is not real, when it reads well ("month must be in 1..12")."""
    text = str(exc)
    if text.startswith("offset"):
        return "the UTC offset must be less than 24 hours"
    return text


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


def format_datetime(value):
    """Write a datetime in UTC with a Z, as the format says (a naive one is taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat() + "Z"
    text = value.astimezone(datetime.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def format_sqlite_datetime(text):
    """Write SQLite's text of a datetime as the format says, without parsing it.

    Text of Django's stored form is rewritten as it is, even when it is no real date and
    time (only another program could store one): the import then names the record. Text of
    another form is read as Django's own converter reads it.
    """
    if text is None:
        return None
    if SQLITE_DATETIME.fullmatch(text):
        return f"{text[:10]}T{text[11:]}Z"
    return format_datetime(parse_datetime(text))


def _text(value: str) -> str:
    """Refuse text no database stores alike: PostgreSQL refuses a NUL character."""
    if "\x00" in value:
        raise Invalid("nul", value=shown(value))
    return value


def _name(value: str) -> str:
    """Return a name as the models store it, or refuse it as they would (bakery/names.py)."""
    fault = name_fault(value)
    if fault is not None:
        raise Invalid(fault, value=shown(value))
    value = normalize_name(value)
    if not value:
        raise Invalid("blank")
    return value


def _map(function, values) -> list:
    return list(map(function, values))


class Codec:
    """A kind of value: parse() a document value, format() a database value, read() a column.

    Subclasses set what differs. The values given to format() are the database driver's own
    (the export skips Django's converters, which would double its time).
    """

    # Whether format() is needed at all: values written as the driver reads them have none.
    formats = True

    def __init__(self, bound):
        self.bound = bound
        self.model_field = bound.model_field
        self.required = bound.required

    def parse(self, value):
        """Return the model value of a document value (null is missing()), or raise Invalid.

        Each codec writes its own, whole: it runs for every value of a file.
        """
        raise NotImplementedError

    def missing(self):
        """Return the value of an optional field left null; refuse a required one."""
        if self.required:
            raise Invalid("required")
        return None

    def format(self, value):
        """Return the document value of a value read from the database."""
        return value

    def format_column(self, values) -> list:
        """Return the document values of a column read from the database."""
        return _map(self.format, values)

    def read(self, names):
        """Return what the export selects for this field, and what turns a column of it into
        document values (None where they are written as read)."""
        return self.bound.attr, self.format_column if self.formats else None

    def prepare(self, db):
        """Return what turns a checked value into the driver's, or None to pass it as it is."""
        return None

    def example(self):
        """Return a valid document value of this kind (for documentation and tests)."""
        raise NotImplementedError


class TextCodec(Codec):
    # What checks the text itself (a name has rules of its own).
    clean = staticmethod(_text)

    def __init__(self, bound):
        super().__init__(bound)
        self.max_length = self.model_field.max_length

    def missing(self):
        if self.required:
            raise Invalid("required")
        return ""

    def parse(self, value):
        if value is None:
            return self.missing()
        if not isinstance(value, str):
            raise _type_error("a string", value)
        value = self.clean(value)
        limit = self.max_length
        if limit is not None and len(value) > limit:
            raise Invalid("max_length", limit=limit, length=len(value), value=shown(value))
        return value

    def format(self, value):
        # Empty text is written as null.
        return value or None

    def example(self):
        return f"Some {self.bound.key.replace('_', ' ')}"

    def read(self, names):
        # Empty text is made null by the query, so that the column is written as read.
        return NullIf(self.bound.attr, Value(""), output_field=models.TextField()), None


class NameCodec(TextCodec):
    """A record's own name: stripped as the models strip it, never empty."""

    clean = staticmethod(_name)


class ChoiceCodec(Codec):
    formats = False

    def __init__(self, bound):
        super().__init__(bound)
        self.choices = [c for c, _ in self.model_field.choices]

    def parse(self, value):
        if value is None and not self.required:
            return self.model_field.get_default()
        if value not in self.choices:
            raise Invalid("choice", choices=" | ".join(self.choices), value=shown(value))
        return value

    def example(self):
        return self.choices[0]


class BooleanCodec(Codec):
    def missing(self):
        if self.required:
            raise _type_error("true or false", None)
        return self.model_field.get_default()

    def parse(self, value):
        if value is None:
            return self.missing()
        if not isinstance(value, bool):
            raise _type_error("true or false", value)
        return value

    def format(self, value):
        # SQLite gives 0 or 1.
        return None if value is None else bool(value)

    def example(self):
        return False


class _NumberCodec(Codec):
    def __init__(self, bound):
        super().__init__(bound)
        f = self.model_field
        self.low, self.high = _limits(f)
        self.default = f.get_default() if f.has_default() else None

    def missing(self):
        if self.required:
            raise Invalid("required")
        return self.default


class IntegerCodec(_NumberCodec):
    formats = False

    def parse(self, value):
        if value is None:
            return self.missing()
        # A whole number as JSON writes it, -?[0-9]+: the parser gives one with a fraction or
        # an exponent (4.0, 1e3) as a Decimal, refused like a string.
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error("a whole number", value)
        _check_bounds(value, self.low, self.high)
        return value

    def example(self):
        return 2


class DecimalCodec(_NumberCodec):
    expected = 'a decimal (a string like "12.50" or a number)'

    def __init__(self, bound):
        super().__init__(bound)
        f = self.model_field
        self.places, self.whole = f.decimal_places, f.max_digits - f.decimal_places
        self.quantum = Decimal(1).scaleb(-self.places)
        self.spec = f".{self.places}f"

    def parse(self, value):
        if value is None:
            return self.missing()
        if isinstance(value, str):
            # Only the format's own spelling: Decimal() would also read " 1.5", "+1.5",
            # "1_000", "1e3", "NaN" and "١.٥".
            if not DECIMAL_RE.match(value):
                raise _type_error(self.expected, value)
            number = Decimal(value)
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            number = value if isinstance(value, Decimal) else Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        else:
            raise _type_error(self.expected, value)
        if not number.is_finite():
            raise Invalid("not_finite", value=shown(value))
        # Compared by exponent: abs() of 1e999999999 would overflow the decimal context.
        if number and number.adjusted() >= self.whole:
            raise Invalid("decimal_digits", limit=self.whole, value=shown(number))
        exact = number.quantize(self.quantum)
        if exact != number:
            raise Invalid("decimal_places", limit=self.places, value=shown(number))
        if not exact:
            # -0 is 0: a database would store either, and export the other.
            exact = abs(exact)
        _check_bounds(exact, self.low, self.high, written=number)
        return exact

    def format(self, value):
        if value is None:
            return None
        if isinstance(value, float | int):
            # At most 12 digits: a float holds them exactly enough to round back.
            return format(value, self.spec)
        return str(Decimal(value).quantize(self.quantum))

    def format_column(self, values) -> list:
        if self.model_field.null:
            return _map(self.format, values)
        # One map of format() in C, which writes a float, an int and a Decimal alike.
        return list(map(format, values, itertools.repeat(self.spec)))

    def example(self):
        return format(Decimal("2.5"), self.spec)

    def prepare(self, db):
        digits, places = self.model_field.max_digits, self.places
        adapt = db.ops.adapt_decimalfield_value
        return lambda value: adapt(value, digits, places)


class DateCodec(Codec):
    def parse(self, value):
        if value is None:
            return self.missing()
        if not isinstance(value, str) or not DATE_RE.match(value):
            raise Invalid("date", value=shown(value))
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as exc:
            raise Invalid("no_such_date", value=shown(value), reason=_reason(exc)) from None

    def format(self, value):
        return None if value is None else value.isoformat()

    def prepare(self, db):
        return db.ops.adapt_datefield_value

    def example(self):
        return "2025-12-24"


class DateTimeCodec(Codec):
    def parse(self, value):
        if value is None:
            return self.missing()
        # Kept in UTC: PostgreSQL takes offsets up to 15:59 only, a file may hold any up to
        # 23:59, and the database keeps the instant, not the offset.
        return aware_datetime(value).astimezone(datetime.UTC)

    format = staticmethod(format_datetime)

    def read(self, names):
        if connection.vendor != "sqlite":
            return super().read(names)
        # Read as SQLite's text and rewritten, rather than parsed by the driver's converter.
        column = Cast(self.bound.attr, models.TextField())
        return column, functools.partial(_map, format_sqlite_datetime)

    def prepare(self, db):
        return db.ops.adapt_datetimefield_value

    def example(self):
        return "2025-12-15T10:00:00Z"


class UUIDCodec(Codec):
    def missing(self):
        return None

    def parse(self, value):
        if value is None:
            return self.missing()
        if not isinstance(value, str):
            raise _type_error("a UUID string", value)
        # Canonical only: uuid.UUID() would also read braces, "urn:uuid:" and 32 bare digits.
        if not UUID_RE.match(value):
            raise Invalid("uuid", value=shown(value))
        return uuid.UUID(value)

    def format(self, value):
        # SQLite gives 32 hex digits.
        if value is None or isinstance(value, uuid.UUID):
            return None if value is None else str(value)
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"

    def prepare(self, db):
        return None if db.features.has_native_uuid_field else (lambda value: value.hex)

    def example(self):
        return "0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11"


class ReferenceCodec(Codec):
    """A reference to another section's record, by its name; the database holds its id."""

    formats = False

    def parse(self, value):
        if value is None or value == "":
            if self.model_field.null:
                return None
            raise Invalid("required") if value is None else Invalid("blank")
        if not isinstance(value, str):
            raise _type_error("a name (string)", value)
        return _name(value)

    def example(self):
        return f"Some {self.bound.model_field.related_model._meta.verbose_name}"

    def read(self, names):
        # Read as the target's id, named from the names read once an export.
        return self.bound.column, functools.partial(names.column, self.bound.ref)


# The codec of each kind of model field, the first that fits; a choice field and a
# reference are told apart before this list.
CODECS: tuple[tuple[type[models.Field], type[Codec]], ...] = (
    (models.BooleanField, BooleanCodec),
    (models.IntegerField, IntegerCodec),
    (models.DecimalField, DecimalCodec),
    (models.DateTimeField, DateTimeCodec),
    (models.DateField, DateCodec),
    (models.UUIDField, UUIDCodec),
    (models.CharField, TextCodec),
    (models.TextField, TextCodec),
)


def codec_for(bound) -> Codec:
    """Return the codec of a schema field bound to its model field."""
    f = bound.model_field
    if bound.ref:
        return ReferenceCodec(bound)
    if f.choices:
        return ChoiceCodec(bound)
    if bound.attr == "name":
        return NameCodec(bound)
    for field_class, codec in CODECS:
        if isinstance(f, field_class):
            return codec(bound)
    raise TypeError(f"no codec for {f!r}")
