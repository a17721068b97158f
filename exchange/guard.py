"""The byte guard in front of the JSON parser: refuse what the parser would take wrongly."""

import re

from .errors import Problem, problem

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


class BadBytes(Exception):
    """Bytes the parser would take wrongly, at an offset of the document."""

    def __init__(self, code: str, offset: int, **params):
        self.code, self.offset, self.params = code, offset, params
        super().__init__(code)

    def problem(self, line: int, column: int) -> Problem:
        """Return the problem these bytes make, at their line and column."""
        reasons = {
            "lone_surrogate": f"{self.params.get('escape')} is half of a UTF-16 surrogate "
            "pair, without its other half",
            "too_many_digits": f"a number of more than {MAX_DIGITS} digits",
        }
        if self.code in reasons:
            return problem("", "json", line=line, column=column, reason=reasons[self.code])
        return problem("", self.code, line=line, column=column, **self.params)


class ByteGuard:
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
