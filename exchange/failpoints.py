"""Named places of the import and the export where a test can stop the process.

A test arms one place through the environment, BAKERY_FAILPOINT=NAME, or NAME@N to stop
there once more than N records are done, and runs the command as a process of its own. The
process stops itself at that place (SIGSTOP); the test, which waits for the process to stop,
then kills it or lets it go on (SIGCONT). A kill then lands where the test says, however busy
the machine is. Unarmed, a place costs one lookup in the environment.

Places: import.read@N (N records read and checked on their own), import.lock (before the
write lock), import.check (the checks between records done, inside the transaction),
import.delete (replace mode: the old records deleted), import.write.SECTION@N (N records of
a section written), import.commit (everything written, before the commit);
export.write.SECTION@N (N records of a section written to the output), export.rename (the
whole document in its temporary file, before it takes the target's name).
"""

import os
import signal
import sys

ENVIRONMENT = "BAKERY_FAILPOINT"

_stopped: set[str] = set()


def reach(name: str, done: int | None = None, flush=None):
    """Stop the process here if a test armed this place and it was not stopped at before.

    flush, if given, writes out what the process has buffered, so that the test sees it.
    """
    armed = os.environ.get(ENVIRONMENT)
    if not armed:
        return
    point, _, after = armed.partition("@")
    if point != name or armed in _stopped:
        return
    if after and (done is None or done <= int(after)):
        return
    _stopped.add(armed)
    if flush is not None:
        flush()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os.kill(os.getpid(), signal.SIGSTOP)
