"""Show what is left to bake, assemble, buy and pack for an event."""

import json

from django.core.management.base import CommandError
from django.utils import timezone

from bakery.management.base import ProjectCommand
from bakery.models import Event
from production.management.commands.event_progress import events_named
from production.report import plan_csv, plan_tables
from production.services import EventPlan, event_plan, upcoming_events

NO_UPCOMING_EVENT = "No event is coming (none dated today or later); name the event to plan."


def columns(header: tuple[str, ...], rows: list[tuple], right: frozenset[int]) -> list[str]:
    """Return a header and rows as indented lines, columns aligned (numbers to the right)."""
    cells = [tuple(str(cell) for cell in row) for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return [
        "  "
        + "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in cells
    ]


def render_table(plan: EventPlan) -> list[str]:
    """Return the lines of an event's plan, one titled section per part of the work."""
    event = plan.event
    heading = f"{event.name} ({event.event_date:%Y-%m-%d}): what is left to do"
    lines = [heading, "=" * len(heading)]
    for table in plan_tables(plan):
        lines += ["", table.title]
        if table.rows:
            lines += columns(table.header, table.rows, table.numeric)
        else:
            lines.append(f"  {table.empty}")
    return lines


class Command(ProjectCommand):
    help = (
        "Show what is left to do for an event (by default the next one): the batches to "
        "bake and goods to assemble to reach its targets, the finished units those goods "
        "need, the shopping list for the remaining batches and the packages not yet "
        "delivered. --format csv writes the shopping list."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "event",
            metavar="EVENT",
            nargs="?",
            help="Name of the event (default: the next event from today).",
        )
        parser.add_argument(
            "--format",
            choices=["table", "json", "csv"],
            default="table",
            help="Output format (default: table); csv writes the shopping list.",
        )

    def handle(self, *args, **options):
        event = self.event(options["event"])
        plan = event_plan(event)
        if options["format"] == "json":
            self.stdout.write(json.dumps(plan.as_dict(), indent=2, ensure_ascii=False))
        elif options["format"] == "csv":
            self.stdout.write(plan_csv(plan, "shopping"), ending="")
        else:
            self.stdout.write("\n".join(render_table(plan)))

    def event(self, typed: str | None) -> Event:
        """Return the event named, or with no name the next one from today."""
        if typed is None:
            event = upcoming_events(timezone.localdate()).first()
            if event is None:
                raise CommandError(NO_UPCOMING_EVENT, returncode=1)
            return event
        return events_named([typed])[0]
