"""Suggest the name a person probably meant when the one they gave is not found.

    >>> did_you_mean("christmas 2025", ["Easter 2026", "Christmas 2025"])
    "; did you mean 'Christmas 2025'?"
    >>> did_you_mean("Nowhere 2099", ["Easter 2026", "Christmas 2025"])
    ''

Append the hint to a message that names what was not found:
f"no event named {name!r}{did_you_mean(name, names)}".
"""

import difflib
from collections.abc import Iterable

# How alike two names must be to be suggested: difflib's ratio, from 0 (nothing alike) to 1.
CUTOFF = 0.6
# Words a baker writes short, spelled out before names are compared ("Xmas 2025" is
# "Christmas 2025"): by spelling alone they are too far apart to be suggested.
SHORT_WORDS = {"xmas": "christmas", "nye": "new year's eve", "bday": "birthday"}


def closest(name: str, candidates: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """Return the candidate closest to name, ignoring case, or None when none is close.

    A candidate that differs from name only in case comes first; name itself is never
    returned. Of candidates that differ only in case from each other, the first is kept.
    """
    folded: dict[str, str] = {}
    for candidate in candidates:
        if candidate != name:
            folded.setdefault(candidate.casefold(), candidate)
    key = " ".join(SHORT_WORDS.get(word, word) for word in name.casefold().split())
    if key in folded:
        return folded[key]
    matches = difflib.get_close_matches(key, list(folded), n=1, cutoff=cutoff)
    return folded[matches[0]] if matches else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return "; did you mean 'X'?" for the closest candidate, or "" when none is close."""
    match = closest(name, candidates)
    return f"; did you mean {match!r}?" if match is not None else ""
