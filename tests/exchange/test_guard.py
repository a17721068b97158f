"""The byte guard refuses, at their offset, the bytes the JSON parser would take wrongly."""

import pytest

from exchange.guard import MAX_DIGITS, MAX_VALUE, BadBytes, ByteGuard


def guard(*pieces: bytes):
    """Feed pieces to a new guard as the reader does, the empty piece last; raise BadBytes."""
    inspect = ByteGuard()
    for piece in (*pieces, b""):
        inspect(piece)


def refusal(*pieces: bytes) -> tuple[str, int, dict]:
    with pytest.raises(BadBytes) as caught:
        guard(*pieces)
    return caught.value.code, caught.value.offset, caught.value.params


def test_accepts_an_ordinary_document_in_any_pieces():
    text = b'{"notes": "a \\"quoted\\" \\\\ word \\ud83c\\udf6a", "n": 12345}'
    for size in (1, 2, 5, 7, len(text)):
        guard(*(text[i : i + size] for i in range(0, len(text), size)))


def test_refuses_a_whole_number_of_too_many_digits_where_it_starts():
    digits = b"7" * (MAX_DIGITS + 1)
    assert refusal(b'{"n": ', digits[:100], digits[100:], b"}")[:2] == ("too_many_digits", 6)


def test_takes_as_many_digits_inside_a_string_and_up_to_the_limit_outside():
    guard(b'{"s": "', b"1" * (MAX_DIGITS + 10), b'"}')
    guard(b'{"n": ', b"1" * MAX_DIGITS, b"}")


def test_counts_an_escaped_quote_as_inside_the_string():
    digits = b"1" * (MAX_DIGITS + 1)
    guard(b'{"s": "a \\" ', digits, b'"}')
    # An escaped backslash before the quote: the quote ends the string, the digits are a number.
    assert refusal(b'{"s": "a \\\\", "n": ', digits)[0] == "too_many_digits"


def test_refuses_a_lone_half_of_a_surrogate_pair_with_its_escape():
    assert refusal(b'{"s": "x \\ud800 y"}') == ("lone_surrogate", 9, {"escape": "\\ud800"})
    assert refusal(b'{"s": "x \\udc00"}')[:2] == ("lone_surrogate", 9)


def test_takes_a_surrogate_pair_split_between_pieces_and_an_escaped_backslash_before_u():
    guard(b'{"s": "\\ud83c', b'\\udf6a"}')
    guard(b'{"s": "\\\\ud800"}')


def test_refuses_a_value_longer_than_the_limit_without_a_quote():
    piece = b" " * (1024 * 1024)
    pieces = [b'{"s": "'] + [piece] * (MAX_VALUE // len(piece) + 1)
    assert refusal(*pieces)[:2] == ("too_long_value", 7)


def test_names_each_refusal_as_a_located_problem():
    exc = BadBytes("too_many_digits", 6)
    assert str(exc.problem(1, 7)) == (
        f"invalid JSON at line 1, column 7: a number of more than {MAX_DIGITS} digits"
    )
