"""The base of every command of the project: options written whole, usage errors exit 2,
Ctrl-C and SIGTERM a one-line message and exit 130 or 143."""

from django.core.management.base import BaseCommand, CommandError

from exchange.interrupts import Interrupted, interruptible


class ProjectCommand(BaseCommand):
    """A command whose options are never matched by a prefix, so that a mistyped or invented
    option (`--force` for `--force-color`) is a usage error naming the valid ones, never a run.
    """

    def interrupted(self, options) -> str:
        """Return what a stopped run of this command says it left (after "interrupted; ")."""
        return "nothing was written"

    def execute(self, *args, **options):
        try:
            with interruptible():
                return super().execute(*args, **options)
        except Interrupted as stop:
            # Everything the run opened has been closed, rolled back or removed on the way out.
            raise CommandError(
                f"interrupted; {self.interrupted(options)}", returncode=stop.status
            ) from None

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, allow_abbrev=False, **kwargs)
        refuse = parser.error

        def usage_error(message):
            # From the shell argparse prints the usage and exits with status 2; from
            # call_command() the CommandError carries the same status.
            if parser.called_from_command_line:
                refuse(message)
            raise CommandError(f"Error: {message}", returncode=2)

        parser.error = usage_error
        return parser
