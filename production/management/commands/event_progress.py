"""Show how far events are from their production and assembly targets."""

import json
import math

from django.core.management.base import CommandError
from django.utils import timezone

from bakery.management.base import ProjectCommand
from bakery.models import Event
from bakery.names import normalize_name
from bakery.numbers import decimal_text
from bakery.suggest import closest, did_you_mean
from production.services import EventProgress, event_progress, events_by_proximity

BAR_WIDTH = 20
COMPLETE_MARK = "✓ complete"


def percent_text(pct) -> str:
    """Show a percentage without a useless trailing .0 (75%, 66.7%, 150%)."""
    return f"{decimal_text(pct)}%"


def progress_bar(pct) -> str:
    """Draw a fixed-width bar, full from 100% on (the percentage shows any excess)."""
    filled = min(BAR_WIDTH, math.floor(pct * BAR_WIDTH / 100))
    return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "]"


def render_table(progress: EventProgress) -> list[str]:
    """Return the lines of one event's progress report, its target columns aligned."""
    event = progress.event
    heading = f"{event.name} ({event.event_date:%Y-%m-%d})"
    lines = [heading, "=" * len(heading)]
    sections = [
        (
            "Production",
            [
                (p.recipe_name, f"{p.produced_batches}/{p.target_batches} batches", p)
                for p in progress.production
            ],
        ),
        (
            "Assembly",
            [
                (a.finished_good_name, f"{a.assembled_quantity}/{a.target_quantity}", a)
                for a in progress.assembly
            ],
        ),
    ]
    rows = [row for _, section_rows in sections for row in section_rows]
    if not rows:
        lines.append("No targets set.")
    name_width = max((len(name) for name, _, _ in rows), default=0)
    amount_width = max((len(amount) for _, amount, _ in rows), default=0)
    pct_width = max((len(percent_text(t.progress_pct)) + 2 for _, _, t in rows), default=0)
    for title, section_rows in sections:
        if section_rows:
            lines.append(title)
        for name, amount, target in section_rows:
            pct = f"({percent_text(target.progress_pct)})"
            mark = f"  {COMPLETE_MARK}" if target.is_complete else ""
            lines.append(
                f"  {name:<{name_width}}  {amount:<{amount_width}}  {pct:>{pct_width}}  "
                f"{progress_bar(target.progress_pct)}{mark}"
            )
    packages = progress.packages
    lines.append(
        f"Packages: {packages['pending']} pending, {packages['ready']} ready, "
        f"{packages['delivered']} delivered ({packages['total']} total)"
    )
    if rows:
        lines.append(f"Targets complete: {progress.targets_complete}/{progress.targets_total}")
    return lines


def unknown_names_message(unknown: list[str]) -> str:
    """Refuse unknown event names, each with the closest existing name if one is close.

    One name: "No event named 'christmas 2025'; did you mean 'Christmas 2025'?"; several:
    "No events named 'christmas 2025' (did you mean 'Christmas 2025'?), 'Xmas'."
    """
    existing = list(Event.objects.order_by("name").values_list("name", flat=True))
    if len(unknown) == 1:
        name = unknown[0]
        hint = did_you_mean(name, existing)
        return f"No event named '{name}'{hint}" + ("" if hint else ".")
    named = []
    for name in unknown:
        match = closest(name, existing)
        named.append(f"'{name}'" + (f" (did you mean {match!r}?)" if match is not None else ""))
    return f"No events named {', '.join(named)}."


def events_named(typed: list[str]) -> list[Event]:
    """Return the events of the names typed, in the order asked, looked up as stored (NFC,
    spaces stripped), refusing every unknown name at once (exit 1)."""
    names = list(dict.fromkeys(normalize_name(name) for name in typed))
    by_name = {event.name: event for event in Event.objects.filter(name__in=names)}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise CommandError(unknown_names_message(unknown), returncode=1)
    return [by_name[name] for name in names]


class Command(ProjectCommand):
    help = (
        "Show each event's progress against its production and assembly targets, and its "
        "package counts. With no event name, show every event, the nearest upcoming first. "
        "--format json writes one object for a single event name, and a list of objects for "
        "several names or none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "events",
            nargs="*",
            metavar="EVENT",
            help="Names of the events to show, in this order (default: every event).",
        )
        parser.add_argument(
            "--format",
            choices=["table", "json"],
            default="table",
            help="Output format (default: table).",
        )

    def handle(self, *args, **options):
        names = options["events"]
        events = events_named(names) if names else events_by_proximity(timezone.localdate())
        progresses = [event_progress(event) for event in events]
        if options["format"] == "json":
            data = [progress.as_dict() for progress in progresses]
            self.stdout.write(
                json.dumps(data[0] if len(names) == 1 else data, indent=2, ensure_ascii=False)
            )
            return
        if not progresses:
            if options["verbosity"] >= 1:
                self.stderr.write("No events yet.")
            return
        self.stdout.write("\n\n".join("\n".join(render_table(p)) for p in progresses))
