"""Compare two exchange documents: the records the second adds, removes and changes."""

from django.core.management.base import CommandError

from bakery.management.base import ProjectCommand
from exchange.diff import Unreadable, compare_files, json_report, text_report
from exchange.management.commands.import_bakery import add_max_size

DOCUMENT = "a path (.gz, .bz2, .xz and .zip are read decompressed), or '-' for standard input"


class Command(ProjectCommand):
    help = (
        "Compare two bakery exchange documents. Records are matched by natural key in each "
        "section (a name; 'event / recipe' for a pair; a run's uuid) and nested lines by their "
        "references, so order never matters; values are compared as the import reads them "
        '("2.5" and "2.5000" are equal), exported_at aside. Reports per section the records '
        "added (+), removed (-) and changed (~, field by field, old → new), then a summary. "
        "Exit status: 0 identical, 1 different, 2 usage error or a document that cannot be "
        "read or is not a bakery document."
    )

    def add_arguments(self, parser):
        parser.add_argument("first", help=f"The first (old) document: {DOCUMENT}.")
        parser.add_argument(
            "second", help=f"The second (new) document, compared with the first: {DOCUMENT}."
        )
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help='text (default): the report for a reader. json: {"identical": BOOL, '
            '"sections": {SECTION: {"added": [KEY...], "removed": [KEY...], "changed": '
            '[{"key": KEY, "fields": {FIELD: [OLD, NEW]}}]}}} with every section, KEY the '
            'natural key (names joined by " / ", a run\'s uuid) and a nested list that differs '
            'one field holding both lists; "header": {KEY: [OLD, NEW]} is added when the '
            "header's version, scope or application differ.",
        )
        add_max_size(parser)

    def handle(self, *args, first, second, format, max_size, **options):
        try:
            comparison = compare_files(first, second, max_size=max_size)
        except Unreadable as exc:
            raise CommandError(str(exc), returncode=2) from None
        if format == "json":
            self.stdout.write(json_report(comparison))
        else:
            for line in text_report(comparison):
                self.stdout.write(line)
        if not comparison.identical:
            raise CommandError("The documents differ.", returncode=1)
