"""What a record's name may hold: one declaration for the models, the admin and the import.

A name is printed on terminals, pages and labels and compared with names typed elsewhere, so
it is kept in one Unicode form (NFC: "Café" typed either way is one name) and may not hold
what a reader cannot see or a terminal would obey.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

# Unicode's control characters (category Cc), all of them: NUL, tab, line breaks, ESC, BEL,
# DEL and the C1 controls. A name holding ESC could rewrite the terminal it is printed on.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

# What is wrong with a name, by code: the import adds ", got VALUE", a form shows it as is.
FAULTS = {
    "name_control": "must not contain a control character (a tab, a line break, ESC, ...)",
    "name_edges": "must not begin or end with a blank or invisible character "
    "(a no-break space, a zero-width space, ...)",
}


def normalize_name(value: str) -> str:
    """Return a name as it is stored: in NFC, the spaces at its ends stripped as the
    database's check trims them (other blanks are refused, not stripped: name_fault)."""
    return unicodedata.normalize("NFC", value).strip(" ")


def _invisible(char: str) -> bool:
    """Whether a character shows nothing: a blank, or a format character such as U+200B."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def name_fault(value: str) -> str | None:
    """Return the code of what is wrong with a name, or None; the spaces at its ends are
    allowed, to be stripped.

    Blanks other than spaces are not stripped: stripping them silently would rename a record
    between one copy of the data and the next.
    """
    if CONTROL.search(value):
        return "name_control"
    value = value.strip(" ")
    if value and (_invisible(value[0]) or _invisible(value[-1])):
        return "name_edges"
    return None


def validate_name(value: str):
    """Refuse a name with a control character, or a blank or invisible character at an end."""
    code = name_fault(value)
    if code is not None:
        raise ValidationError(f"A name {FAULTS[code]}.", code=code)
