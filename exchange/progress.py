"""Progress bars on a terminal, per section, for long exports and imports."""


def plain(text: str) -> str:
    """Leave text as it is: no style (a command's stderr is drawn in the error colour)."""
    return text


class RawText:
    """Write to a command's OutputWrapper as it is: no newline added, no colour.

    On a terminal Django draws whatever a command writes to stderr in the error colour; a
    progress bar (or a document) is not an error.
    """

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text):
        self.wrapper.write(text, style_func=plain, ending="")

    def flush(self):
        self.wrapper.flush()


def shows_progress(stream, verbosity: int) -> bool:
    """Whether to draw bars: on a terminal, unless verbosity 0 asks for silence."""
    isatty = getattr(stream, "isatty", None)
    return verbosity >= 1 and callable(isatty) and isatty()


class SectionProgress:
    """One bar per section: records done of the section's total."""

    def __init__(self, stream):
        self.file = RawText(stream)
        self.bar = None
        self.label = None

    def update(self, label: str, done: int, total: int | None = None):
        if label != self.label:
            self.close()
            self.label = label
            # Imported here: a command that draws no bar (not on a terminal) need not load it.
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                desc=label,
                unit=" records",
                file=self.file,
                leave=False,
                dynamic_ncols=True,
                mininterval=0.2,
            )
        self.bar.update(done - self.bar.n)

    def wrap(self, label: str, chunks, total: int | None):
        """Yield lists of records, advancing the bar by each list's records as it passes."""
        done = 0
        for records in chunks:
            yield records
            done += len(records)
            self.update(label, done, total)
        self.update(label, done, total)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
            self.label = None
