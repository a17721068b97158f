"""The exchange document's JSON Schema (draft 2020-12), built from exchange/schema.py.

Every section, field and nested list comes from SECTIONS, and each value's rules from the
codec its field is bound to (exchange/codecs.py): a field added there is in the schema with no
edit here. The committed copy, docs/bakery-exchange-v1.schema.json, is made with

    python -m exchange.format_schema > docs/bakery-exchange-v1.schema.json

The schema checks the shape of a document: its keys, each value's type and spelling, the
bounds of numbers written as numbers, and the rules inside one record (exactly one of a
component's references; a finished unit's yield for its yield mode). The checks between records
(references that resolve, natural keys given twice, cycles, a run's recipe) and a value's
bounds when it is written as a string are the import's alone (docs/exchange-format.md).

Patterns are written for ECMA 262 regular expressions, as JSON Schema says, and read alike by
Python's re, which the jsonschema library uses: every one that is anchored ends in $(?!\\n),
since Python's $ also matches before a final line break.
"""

import copy
import json
import os
import sys
from decimal import Decimal

from bakery.names import CONTROL

from .codecs import (
    DATE_RE,
    DATETIME_RE,
    INT_MAX,
    INT_MIN,
    UUID_RE,
    BooleanCodec,
    ChoiceCodec,
    DateCodec,
    DateTimeCodec,
    DecimalCodec,
    IntegerCodec,
    NameCodec,
    ReferenceCodec,
    TextCodec,
    UUIDCodec,
)
from .rules import DefaultFrom, NewUuid, RequiredWhen

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# The end of the text: in Python, $ alone would also accept one line break after it.
END = "$(?!\\n)"


def _regex_escape(char: str) -> str:
    return f"\\u{ord(char):04x}"


def _control_ranges() -> str:
    """Return the ranges of bakery.names.CONTROL as JSON Schema text: the control characters
    (Unicode category Cc), to be put in a character class."""
    body = CONTROL.pattern.removeprefix("[").removesuffix("]")
    if len(body) % 3:
        raise ValueError(f"unexpected form of bakery.names.CONTROL: {CONTROL.pattern!r}")
    ranges = [body[i : i + 3] for i in range(0, len(body), 3)]
    if any(r[1] != "-" for r in ranges):
        raise ValueError(f"unexpected form of bakery.names.CONTROL: {CONTROL.pattern!r}")
    return "".join(f"{_regex_escape(r[0])}-{_regex_escape(r[2])}" for r in ranges)


def _anchored(pattern: str) -> str:
    """Return a codec's regular expression (matched from the start, ending in \\Z) anchored
    for JSON Schema."""
    body = pattern.removesuffix("\\Z")
    if body == pattern:
        raise ValueError(f"expected a pattern ending in \\Z: {pattern!r}")
    return f"^{body}{END}"


CONTROL_RANGES = _control_ranges()
# A name: spaces, then a character that is neither a space nor a control, then no control.
NAME_PATTERN = f"^ *[^{CONTROL_RANGES} ][^{CONTROL_RANGES}]*{END}"
# Text of any other field: anything but NUL, which PostgreSQL cannot store.
TEXT_PATTERN = f"^[^\\u0000]*{END}"
UUID_PATTERN = _anchored(UUID_RE.pattern)
DATE_PATTERN = _anchored(DATE_RE.pattern)
# DATETIME_RE leaves the offset optional to refuse its absence in words of its own
# (naive_datetime); the document requires it.
_OPTIONAL_OFFSET = ")?\\Z"
if not DATETIME_RE.pattern.endswith(_OPTIONAL_OFFSET):
    raise ValueError(f"unexpected form of DATETIME_RE: {DATETIME_RE.pattern!r}")
DATETIME_PATTERN = _anchored(DATETIME_RE.pattern.removesuffix(_OPTIONAL_OFFSET) + ")\\Z")

# Kinds of value shared by many fields, referred to as #/$defs/KIND.
DEFS = {
    "name": {
        "description": "A name: not blank and without control characters (Unicode category "
        "Cc: tab, line breaks, ESC, DEL, ...). Spaces at its ends are stripped and it is "
        "stored in Unicode NFC; an invisible character (such as U+200B) at an end is refused "
        "by the import.",
        "type": "string",
        "pattern": NAME_PATTERN,
    },
    "uuid": {
        "description": "A UUID in its canonical form, 8-4-4-4-12 hexadecimal digits in "
        "either case.",
        "type": "string",
        "pattern": UUID_PATTERN,
    },
    "date": {
        "description": "A date, YYYY-MM-DD.",
        "type": "string",
        "format": "date",
        "pattern": DATE_PATTERN,
    },
    "datetime": {
        "description": "A date and time in ISO 8601 with a UTC offset, like "
        "2025-12-15T10:00:00Z or 2025-12-15T11:00:00+01:00; export writes UTC with Z.",
        "type": "string",
        "pattern": DATETIME_PATTERN,
    },
}


def _ref(kind: str) -> dict:
    return {"$ref": f"#/$defs/{kind}"}


def _json_number(value):
    """Return a bound as JSON writes it: a whole number as an integer."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _decimal_pattern(places: int, whole: int) -> str:
    """Return the spelling of a decimal string the import takes (codecs.DECIMAL_RE) within
    its digits: leading zeros and trailing zeros of the fraction count for nothing."""
    fraction = f"(\\.[0-9]{{1,{places}}}0*)?" if places else "(\\.0+)?"
    return f"^-?0*[0-9]{{1,{whole}}}{fraction}{END}"


def _number_bounds(low, high, limit) -> dict:
    """Return the bounds of a number: its field's, within the digits it may have."""
    bounds = {}
    if low is not None and low > -limit:
        bounds["minimum"] = _json_number(low)
    else:
        bounds["exclusiveMinimum"] = -limit
    if high is not None and high < limit:
        bounds["maximum"] = _json_number(high)
    else:
        bounds["exclusiveMaximum"] = limit
    return bounds


def _value_schema(codec) -> dict:
    """Return the schema of a field's non-null values, from its codec."""
    if isinstance(codec, ReferenceCodec):
        return _ref("name")
    if isinstance(codec, NameCodec):
        schema = _ref("name")
        if codec.max_length is not None:
            schema["maxLength"] = codec.max_length
        return schema
    if isinstance(codec, TextCodec):
        schema = {"type": "string", "pattern": TEXT_PATTERN}
        if codec.max_length is not None:
            schema["maxLength"] = codec.max_length
        return schema
    if isinstance(codec, ChoiceCodec):
        return {"type": "string", "enum": list(codec.choices)}
    if isinstance(codec, BooleanCodec):
        return {"type": "boolean"}
    if isinstance(codec, IntegerCodec):
        schema = {"type": "integer"}
        if codec.low is not None:
            schema["minimum"] = _json_number(codec.low)
        if codec.high is not None:
            schema["maximum"] = _json_number(codec.high)
        return schema
    if isinstance(codec, DecimalCodec):
        return {
            "type": ["string", "number"],
            "pattern": _decimal_pattern(codec.places, codec.whole),
            **_number_bounds(codec.low, codec.high, 10**codec.whole),
        }
    if isinstance(codec, DateTimeCodec):
        return _ref("datetime")
    if isinstance(codec, DateCodec):
        return _ref("date")
    if isinstance(codec, UUIDCodec):
        return _ref("uuid")
    raise TypeError(f"no JSON Schema for {type(codec).__name__}")


def _nullable(schema: dict, *also) -> dict:
    """Return a schema that also takes null (and the values of also)."""
    if "$ref" in schema or also:
        return {"anyOf": [schema, {"enum": [None, *also]}]}
    schema = dict(schema)
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    schema["type"] = [*types, "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _bounds_text(low, high) -> str:
    """Say a number's bounds as the import's messages do (the 32-bit ones go unsaid)."""
    parts = []
    if low == 0:
        parts.append("Not negative.")
    elif low is not None and low in (1, Decimal("0.0001")):
        parts.append("Greater than 0.")
    elif low is not None and low > INT_MIN:
        parts.append(f"At least {low}.")
    if high is not None and high < INT_MAX:
        parts.append(f"At most {high}.")
    return " ".join(parts)


def _kind_text(codec) -> str:
    if isinstance(codec, ReferenceCodec):
        target = codec.model_field.related_model._meta.verbose_name
        return (
            f"The name of {'an' if target[0] in 'aeiou' else 'a'} {target} (in "
            f"{codec.bound.ref}), in this file or the database."
        )
    if isinstance(codec, ChoiceCodec):
        return f"One of {', '.join(codec.choices)}."
    if isinstance(codec, DecimalCodec):
        return (
            f'A decimal: a string like "12.50" or a JSON number, at most {codec.whole} '
            f"digits before the decimal point and {codec.places} after. "
            + _bounds_text(codec.low, codec.high)
        ).strip()
    if isinstance(codec, IntegerCodec):
        return f"A whole number. {_bounds_text(codec.low, codec.high)}".strip()
    if isinstance(codec, BooleanCodec):
        return "true or false."
    if isinstance(codec, TextCodec) and not isinstance(codec, NameCodec):
        return "Text, without the NUL character."
    return ""


def _default(codec):
    """Return the document value of a field's default, or None when it has none to show."""
    f = codec.model_field
    if codec.required or not f.has_default() or callable(f.default):
        return None
    value = f.get_default()
    if isinstance(codec, ChoiceCodec):
        return str(value)
    return codec.format(value)


def _field_schema(section, bound) -> dict:
    """Return the schema of one field of a record, with what it means as its description."""
    codec = bound.codec
    notes = [_kind_text(codec)]
    if section is not None and bound.key in section.natural_key:
        whole = len(section.natural_key) == 1
        notes.append("The record's natural key." if whole else "Part of the natural key.")
    default = _default(codec)
    if default is not None:
        notes.append(f"Null, or absent from a new record: {json.dumps(default)}.")
    for rule in section.rules if section is not None else ():
        if isinstance(rule, DefaultFrom) and rule.key == bound.key:
            notes.append(f"Null, or absent from a new record: taken from {rule.source}.")
        if isinstance(rule, NewUuid) and rule.key == bound.key:
            notes.append(
                "Null or absent: the import gives the record a new one (with a warning: "
                "importing the file again would then duplicate the record)."
            )
    if isinstance(codec, TextCodec) and not codec.required:
        notes.append('Null or "" for none.')
    schema = _value_schema(codec)
    if isinstance(codec, ReferenceCodec) and not codec.required:
        schema = _nullable(schema, "")
        notes.append('Null or "" for none.')
    elif not codec.required:
        schema = _nullable(schema)
    description = " ".join(n for n in notes if n)
    return {"description": description, **schema} if description else schema


def _given(key: str) -> dict:
    """Return the schema of a record giving a value to key (neither null nor "")."""
    return {"required": [key], "properties": {key: {"not": {"enum": [None, ""]}}}}


def _required_when(section, rule) -> list[dict]:
    """Return a RequiredWhen rule as if/then schemas: the key a value of `by` requires."""
    by = section.field_map[rule.by].codec
    default = None if by.required else _default(by)
    clauses = []
    for value, key in rule.required.items():
        if value == default:
            # A record without `by` (or with null) has its default value.
            condition = {"properties": {rule.by: {"enum": [value, None]}}}
        else:
            condition = {"required": [rule.by], "properties": {rule.by: {"const": value}}}
        needed = {"required": [key], "properties": {key: {"not": {"type": "null"}}}}
        clauses.append({"if": condition, "then": needed})
    return clauses


def _record_schema(fields, section=None, nested=None, one_of=(), rules=()) -> dict:
    """Return the schema of a record (or of an item of a nested list)."""
    properties = {f.key: _field_schema(section, f) for f in fields}
    if nested is not None:
        properties[nested.key] = {
            "description": "The record's whole list: in update mode it replaces the list "
            "of the record in the database. Null, or absent from a new record: an empty list.",
            "type": ["array", "null"],
            "items": _record_schema(nested.fields, one_of=nested.one_of),
        }
    schema = {"description": f"Gives exactly one of {' or '.join(one_of)}."} if one_of else {}
    schema.update(
        {
            "type": "object",
            "additionalProperties": False,
            "required": [f.key for f in fields if f.required],
            "properties": properties,
        }
    )
    if one_of:
        schema["oneOf"] = [_given(key) for key in one_of]
    clauses = [clause for rule in rules for clause in rule]
    if clauses:
        schema["allOf"] = clauses
    return schema


def _section_schema(section) -> dict:
    rules = [_required_when(section, rule) for rule in section.rules_of(RequiredWhen)]
    record = _record_schema(section.fields, section, section.nested, rules=rules)
    key = ", ".join(section.natural_key)
    return {
        "description": f"The {section.model._meta.verbose_name_plural}; a record's natural "
        f"key is its {key}.",
        "type": "array",
        "items": record,
    }


def _header_schema() -> dict:
    # exchange.schema is imported when the schema is built: it imports the models, which need
    # Django set up first (main() does it).
    from .schema import FORMAT, HEADER_KEYS, VERSION

    header = {
        "format": {"description": "What the document is.", "const": FORMAT},
        "version": {
            "description": "The version of the format; an import refuses a newer one.",
            "const": VERSION,
        },
        "exported_at": {"description": "When the document was written.", **_ref("datetime")},
        "application": {
            "description": "The program and version that wrote the document; the import "
            "does not read it.",
            "type": "string",
        },
        "scope": {
            "description": 'null for a full export, or {"events": [names]} for an export '
            "limited to those events and everything they use.",
            "anyOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["events"],
                    "properties": {"events": {"type": "array", "items": {"type": "string"}}},
                },
            ],
        },
    }
    if tuple(header) != HEADER_KEYS:
        raise ValueError(f"the header keys are {HEADER_KEYS}, the schema's {tuple(header)}")
    return header


def document_schema() -> dict:
    """Return the JSON Schema (draft 2020-12) of an exchange document."""
    from .schema import SECTIONS, VERSION

    return {
        "$schema": DIALECT,
        "title": f"Bakery exchange document, version {VERSION}",
        "description": "One JSON object: a header, then lists of records in dependency "
        "order, each referring to others by natural key (a name, or a run's uuid). The "
        "schema checks the shape of the document; the import also checks what is between "
        "records (docs/exchange-format.md).",
        "type": "object",
        "required": ["format", "version", "exported_at"],
        "additionalProperties": False,
        "properties": {
            **_header_schema(),
            **{section.key: _section_schema(section) for section in SECTIONS},
        },
        "$defs": copy.deepcopy(DEFS),
    }


def schema_text() -> str:
    """Return the schema as committed: indented by 2, keys in document order, a final newline."""
    return json.dumps(document_schema(), indent=2) + "\n"


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bakery.settings")
    import django

    django.setup()
    sys.stdout.write(schema_text())


if __name__ == "__main__":
    main()
