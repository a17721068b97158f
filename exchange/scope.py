"""Which records an export holds: everything, some events and all they use, or a selection.

A scope is closed over references: a record in it brings every record it refers to, directly
or not, so that the document imports on its own.
"""

from collections.abc import Iterable

from django.db.models import Q

from bakery.models import Event
from bakery.names import normalize_name
from bakery.suggest import did_you_mean

from .errors import Problems
from .schema import SECTION_BY_KEY, SECTIONS, Section, section_for_model


class Scope:
    """Which records of each section an export holds: all, or a filter per section."""

    def __init__(self, filters: dict[str, Q] | None = None, events: list[str] | None = None):
        self.filters = filters
        self.events = events

    @property
    def everything(self) -> bool:
        return self.filters is None

    def queryset(self, section: Section):
        manager = section.model._default_manager
        if self.filters is None:
            return manager.all()
        if section.key not in self.filters:
            return manager.none()
        return manager.filter(self.filters[section.key])


def _referenced(section: Section, condition: Q) -> dict[str, set]:
    """Return the ids each section's records referenced by these records, one query a field."""
    found: dict[str, set] = {}
    rows = section.model._default_manager.filter(condition)
    for f in section.references:
        ids = rows.exclude(**{f.column: None}).values_list(f.column, flat=True).distinct()
        found.setdefault(f.ref, set()).update(ids)
    if section.nested:
        nested = section.nested
        children = nested.model._default_manager.filter(
            **{f"{nested.parent_attr}__in": rows.values("pk")}
        )
        for f in nested.fields:
            if f.ref:
                ids = children.exclude(**{f.column: None}).values_list(f.column, flat=True)
                found.setdefault(f.ref, set()).update(ids.distinct())
    return found


def close_scope(filters: dict[str, Q], events: list[str] | None = None) -> Scope:
    """Add to the filtered records every record they reference, directly or not."""
    ids: dict[str, set] = {}
    pending = list(filters)
    while pending:
        key = pending.pop()
        condition = filters.get(key, Q(pk__in=[]))
        if ids.get(key):
            condition |= Q(pk__in=ids[key])
        for target, found in _referenced(SECTION_BY_KEY[key], condition).items():
            new = found - ids.setdefault(target, set())
            if new:
                ids[target] |= new
                if target not in pending:
                    pending.append(target)
    closed = dict(filters)
    for key, found in ids.items():
        if found:
            closed[key] = closed.get(key, Q(pk__in=[])) | Q(pk__in=found)
    return Scope(closed, events)


def event_scope(names: Iterable[str]) -> Scope:
    """Scope an export to events and everything of theirs, refusing unknown names.

    A name is looked up as it is stored (NFC, spaces stripped), however it was typed; an
    unknown one is refused with the closest existing name, if one is close.
    """
    names = list(dict.fromkeys(normalize_name(name) for name in names))
    known = set(Event.objects.filter(name__in=names).values_list("name", flat=True))
    unknown = [name for name in names if name not in known]
    if unknown:
        # Every event is a candidate for a suggestion: read only when a name is unknown.
        existing = list(Event.objects.order_by("name").values_list("name", flat=True))
        problems = Problems()
        for name in unknown:
            problems.add("--event", "unknown_event", value=name, hint=did_you_mean(name, existing))
        problems.raise_if_any()
    return _events_scope(Q(name__in=names), sorted(names))


def _events_scope(event_filter: Q, names: list[str]) -> Scope:
    events = Event.objects.filter(event_filter)
    filters = {"events": Q(pk__in=events.values("pk"))}
    for section in SECTIONS:
        if "event_name" in section.field_map:
            filters[section.key] = Q(event__in=events.values("pk"))
    return close_scope(filters, names)


def selection_scope(queryset) -> Scope:
    """Scope an export to selected records of one model and what they reference.

    Selected events bring everything of theirs, as export_bakery --event does. Other records
    make a document scoped to no event: it holds only part of the bakery, so a replace with
    it deletes nothing (a scope of null would let it delete everything).
    """
    if queryset.model is Event:
        names = list(queryset.order_by("name").values_list("name", flat=True))
        return _events_scope(Q(pk__in=queryset.values("pk")), names)
    section = section_for_model(queryset.model)
    if section.model is queryset.model:
        condition = Q(pk__in=queryset.values("pk"))
    else:
        column = section.nested.model._meta.get_field(section.nested.parent_attr).attname
        condition = Q(pk__in=queryset.values(column))
    return close_scope({section.key: condition}, events=[])
