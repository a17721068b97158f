"""Every field of the schema is bound to one codec, whose example parses and formats back."""

import pytest

from exchange.codecs import ReferenceCodec
from exchange.schema import SECTIONS

FIELDS = [
    (section.key, f)
    for section in SECTIONS
    for f in (*section.fields, *(section.nested.fields if section.nested else ()))
]


@pytest.mark.parametrize(("section", "field"), FIELDS, ids=[f"{s}.{f.key}" for s, f in FIELDS])
def test_a_field_s_codec_parses_its_example_and_formats_it_back(section, field):
    codec = field.codec
    assert codec is field.codec, "bound once"
    example = codec.example()
    value = codec.parse(example)
    if not isinstance(codec, ReferenceCodec):
        assert codec.format(value) == example
