"""An event's plan as titled tables: one definition for the command, the admin and the CSVs.

Each part of the plan is a PlanTable (title, column headings, rows of text, what to say when it
is empty); `event_plan --format table`, the event page, the printable page and the CSV downloads
all show these same tables.
"""

import csv
import io
from dataclasses import dataclass

from bakery.models import FulfillmentStatus
from bakery.numbers import decimal_text

from .services import EventPlan


@dataclass(frozen=True)
class PlanTable:
    """One part of the plan: its key in the JSON, its title, headings, rows and empty text."""

    key: str
    title: str
    header: tuple[str, ...]
    rows: list[tuple]
    empty: str
    # The columns holding numbers, aligned to the right.
    numeric: frozenset[int]


# The part of the plan that names people: who gets which package.
PACKING = "packing"

# The lists a baker downloads as CSV: file name part → (table key, CSV column names).
CSV_LISTS = {
    "shopping": ("shopping_list", ("ingredient", "unit", "quantity")),
    PACKING: (PACKING, ("recipient", "package", "quantity", "status")),
}

# A spreadsheet reads a cell starting with one of these as a formula: a name such as
# "=HYPERLINK(...)" is written with a leading apostrophe, which shows it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plan_tables(plan: EventPlan) -> list[PlanTable]:
    """Return the parts of an event's plan as tables, in the order they are done."""
    status_label = dict(FulfillmentStatus.choices)
    parts = [
        (
            "production",
            "To bake",
            ("Recipe", "Target", "Produced", "Remaining"),
            [
                (p.recipe_name, p.target_batches, p.produced_batches, p.remaining_batches)
                for p in plan.production
            ],
            "No production targets.",
        ),
        (
            "assembly",
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
            "units_needed",
            "Finished units needed",
            ("Finished unit", "Quantity"),
            [(u.finished_unit_name, u.quantity) for u in plan.units_needed],
            "None.",
        ),
        (
            "shopping_list",
            "Shopping list",
            ("Ingredient", "Unit", "Quantity"),
            [(s.ingredient_name, s.unit, decimal_text(s.quantity)) for s in plan.shopping_list],
            "Nothing to buy.",
        ),
        (
            PACKING,
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
    numbers = {"Target", "Produced", "Assembled", "Remaining", "Quantity"}
    return [
        PlanTable(
            key=key,
            title=title,
            header=header,
            rows=[tuple(str(cell) for cell in row) for row in rows],
            empty=empty,
            numeric=frozenset(i for i, name in enumerate(header) if name in numbers),
        )
        for key, title, header, rows, empty in parts
    ]


def plan_csv(plan: EventPlan, name: str) -> str:
    """Return one of the CSV_LISTS of an event's plan ("shopping" or "packing") as CSV text."""
    key, columns = CSV_LISTS[name]
    table = next(t for t in plan_tables(plan) if t.key == key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([as_text(cell) for cell in row] for row in table.rows)
    return out.getvalue()


def as_text(cell: str) -> str:
    """Return a CSV cell a spreadsheet shows as the text it is, never runs as a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell
