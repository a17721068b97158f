"""Show what is left to bake, assemble, buy and pack for an event."""

import csv
import io
import json

from django.core.management.base import CommandError

from bakery.management.base import ProjectCommand
from bakery.models import Event, FulfillmentStatus
from bakery.names import normalize_name
from production.management.commands.event_progress import unknown_names_message
from production.services import EventPlan, decimal_text, event_plan

# The columns aligned to the right.
NUMERIC = {"Target", "Produced", "Assembled", "Remaining", "Quantity"}


def columns(header: tuple[str, ...], rows: list[tuple], right: set[int]) -> list[str]:
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
    status_label = dict(FulfillmentStatus.choices)
    sections = [
        (
            "To bake",
            ("Recipe", "Target", "Produced", "Remaining"),
            [
                (p.recipe_name, p.target_batches, p.produced_batches, p.remaining_batches)
                for p in plan.production
            ],
            "No production targets.",
        ),
        (
            "To assemble",
            ("Finished good", "Target", "Assembled", "Remaining"),
            [
                (
                    a.finished_good_name,
                    a.target_quantity,
                    a.assembled_quantity,
                    a.remaining_quantity,
                )
                for a in plan.assembly
            ],
            "No assembly targets.",
        ),
        (
            "Finished units needed",
            ("Finished unit", "Quantity"),
            [(u.finished_unit_name, u.quantity) for u in plan.units_needed],
            "None.",
        ),
        (
            "Shopping list",
            ("Ingredient", "Unit", "Quantity"),
            [(s.ingredient_name, s.unit, decimal_text(s.quantity)) for s in plan.shopping_list],
            "Nothing to buy.",
        ),
        (
            "To pack",
            ("Recipient", "Package", "Quantity", "Status"),
            [
                (
                    p.recipient_name,
                    p.package_name,
                    p.quantity,
                    status_label.get(p.fulfillment_status, p.fulfillment_status),
                )
                for p in plan.packing
            ],
            "Nothing left to pack.",
        ),
    ]
    for title, header, rows, empty in sections:
        lines += ["", title]
        if rows:
            numeric = {i for i, title in enumerate(header) if title in NUMERIC}
            lines += columns(header, rows, numeric)
        else:
            lines.append(f"  {empty}")
    return lines


def shopping_csv(plan: EventPlan) -> str:
    """Return the shopping list as CSV: ingredient, unit, quantity."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ingredient", "unit", "quantity"])
    for line in plan.shopping_list:
        writer.writerow([line.ingredient_name, line.unit, decimal_text(line.quantity)])
    return out.getvalue()


class Command(ProjectCommand):
    help = (
        "Show what is left to do for an event: the batches to bake and goods to assemble to "
        "reach its targets, the finished units those goods need, the shopping list for the "
        "remaining batches and the packages not yet delivered. --format csv writes the "
        "shopping list."
    )

    def add_arguments(self, parser):
        parser.add_argument("event", metavar="EVENT", help="Name of the event.")
        parser.add_argument(
            "--format",
            choices=["table", "json", "csv"],
            default="table",
            help="Output format (default: table); csv writes the shopping list.",
        )

    def handle(self, *args, **options):
        # Looked up as stored (NFC, spaces stripped), however the name was typed.
        name = normalize_name(options["event"])
        event = Event.objects.filter(name=name).first()
        if event is None:
            raise CommandError(unknown_names_message([name]), returncode=1)
        plan = event_plan(event)
        if options["format"] == "json":
            self.stdout.write(json.dumps(plan.as_dict(), indent=2, ensure_ascii=False))
        elif options["format"] == "csv":
            self.stdout.write(shopping_csv(plan), ending="")
        else:
            self.stdout.write("\n".join(render_table(plan)))
