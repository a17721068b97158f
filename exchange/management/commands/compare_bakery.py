"""Compare two exchange documents record by record, ignoring when they were exported."""

from itertools import zip_longest

from django.core.management.base import CommandError

from bakery.management.base import ProjectCommand
from exchange.document import Header, Record, iter_document
from exchange.errors import ExchangeError
from exchange.schema import SECTION_BY_KEY
from exchange.streams import Source

IGNORED = {"exported_at"}


def _entries(path):
    """Yield (place, value, records) of a document: records counts nested list items too."""
    for item in iter_document(Source(path)):
        if isinstance(item, Header) and item.key not in IGNORED:
            yield item.key, item.value, 0
        elif isinstance(item, Record):
            nested = SECTION_BY_KEY[item.section].nested
            children = item.value.get(nested.key) if nested and isinstance(item.value, dict) else []
            count = 1 + (len(children) if isinstance(children, list) else 0)
            yield f"{item.section}[{item.index}]", item.value, count


class Command(ProjectCommand):
    help = (
        "Compare two bakery exchange documents (plain or compressed) record by record, "
        "ignoring exported_at. Exit 0 when they hold the same data, 1 at the first difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("first")
        parser.add_argument("second")

    def handle(self, *args, first, second, **options):
        records = 0
        try:
            for left, right in zip_longest(_entries(first), _entries(second)):
                if left is None or right is None or left[:2] != right[:2]:
                    where = (left or right)[0]
                    raise CommandError(
                        f"The documents differ at {where}:\n  {first}: {left and left[1]!r}\n"
                        f"  {second}: {right and right[1]!r}",
                        returncode=1,
                    )
                records += left[2]
        except ExchangeError as exc:
            raise CommandError(str(exc), returncode=exc.status) from None
        self.stdout.write(f"The documents are identical: {records} records (exported_at aside).")
