"""Rules of a section's records beyond their fields' own values, declared in schema.py.

A record rule looks at one record that passed its fields' checks (apply); the importer runs
it in its first pass. A rule between records (MatchesReferenced, NoCycle) needs the file and
the database: the importer gathers what it names (needs) and checks it in its second pass,
inside the import's transaction. Values are read by key.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """What a record rule says of a record: a problem at one of its fields, or a warning."""

    key: str
    code: str
    params: dict
    warning: bool = False


class RecordRule:
    """A rule of one record: it may fill a value, warn, or refuse the record."""

    @property
    def reads(self) -> tuple[str, ...]:
        """The keys whose values the rule needs: a patch lacking one of them is checked
        only if it creates its record, with the values the record is created with."""
        raise NotImplementedError

    def apply(self, row: dict) -> tuple[Finding, ...]:
        """Check or complete a record; return what is wrong with it, usually nothing."""
        raise NotImplementedError


@dataclass(frozen=True)
class RequiredWhen(RecordRule):
    """A field required by the value of another: a finished unit's yield by its yield mode."""

    by: str
    # The value of `by` -> the key it requires.
    required: dict

    @property
    def reads(self):
        return (self.by, *self.required.values())

    def apply(self, row):
        key = self.required.get(row[self.by])
        if key is not None and row[key] is None:
            return (Finding(key, "required_for_mode", {"mode": row[self.by]}),)
        return ()


@dataclass(frozen=True)
class DefaultFrom(RecordRule):
    """A field left empty is derived from another: an event's year from its date."""

    key: str
    source: str
    derive: Callable

    @property
    def reads(self):
        # Without its own key the rule fills it: a new record gets it, an update keeps its own.
        return (self.source,)

    def apply(self, row):
        if row[self.key] is None:
            row[self.key] = self.derive(row[self.source])
        return ()


@dataclass(frozen=True)
class NewUuid(RecordRule):
    """A record without its uuid gets a new one, with a warning: a second import of the same
    file would not know it again."""

    key: str = "uuid"

    @property
    def reads(self):
        return (self.key,)

    def apply(self, row):
        if row[self.key] is None:
            row[self.key] = uuid.uuid4()
            return (Finding(self.key, "new_uuid", {}, warning=True),)
        return ()


@dataclass(frozen=True)
class MatchesReferenced:
    """A record's field equals the same field of the record a reference of it names, as that
    record will be after the import: a production run's recipe is its finished unit's.

    code is the problem of a record that disagrees; changed_code that of an update giving the
    referenced record a value that records in the database, and not in the file, disagree
    with.
    """

    ref: str
    key: str
    their: str
    code: str
    changed_code: str


@dataclass(frozen=True)
class NoCycle:
    """A record does not contain itself through the references of its nested list to its own
    section: a finished good holding a box that holds the good."""

    ref: str
    code: str = "cycle"
