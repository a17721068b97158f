"""Ctrl-C and SIGTERM stop a command cleanly: an exception unwinds it, so that every
transaction rolls back and every temporary file is removed on the way out.

Python turns SIGINT into KeyboardInterrupt already; SIGTERM would end the process at once,
leaving the export's hidden temporary file behind. While `interruptible()` is in force both
raise Interrupted, a KeyboardInterrupt (so that the database driver cancels a running query),
and a second signal does not interrupt the cleanup of the first. Around the moment the work
becomes final (the import's commit, the export's rename), `FinalStep` holds them: the step
completes, and a signal that came meanwhile is then dropped, the work being done.
"""

import contextlib
import signal
import threading

STOPPING = (signal.SIGINT, signal.SIGTERM)

_active = False


class Interrupted(KeyboardInterrupt):
    """A command stopped by a signal; its exit status is 128 + the signal's number."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.status = 128 + signum


def _stop(signum, frame):
    for stopping in STOPPING:
        signal.signal(stopping, signal.SIG_IGN)
    raise Interrupted(signum)


@contextlib.contextmanager
def interruptible():
    """Raise Interrupted on SIGINT or SIGTERM while the block runs (in the main thread only:
    a server's worker thread leaves signals to its server)."""
    global _active
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _stop) for s in STOPPING}
    _active = True
    try:
        yield
    finally:
        _active = False
        for s, handler in previous.items():
            signal.signal(s, handler)


class FinalStep:
    """Hold SIGINT and SIGTERM from hold() to the end of the block: when the block ends well,
    the work is final and a signal held meanwhile is dropped; when it fails, the signal is
    let through (nothing was made final, so "interrupted" is true)."""

    def __init__(self):
        self._held = None

    def hold(self):
        if _active and self._held is None:
            self._held = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if self._held is None:
            return False
        if kind is None:
            pending = signal.sigpending() & set(STOPPING)
            for _ in pending:
                signal.sigwait(pending)
        held, self._held = self._held, None
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return False
