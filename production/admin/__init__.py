"""Admin for events, their targets and package assignments, and the production records.

Event and EventRecipientPackage are bakery models, but their admin lives here: the event page
shows its targets, progress and plan, and the assignment actions go through the fulfillment
workflow, both of which are production's. bakery never imports production, so keeping these
here avoids a circular import. One module per page family.
"""

from . import assignments, events, runs, targets

__all__ = ["assignments", "events", "runs", "targets"]
