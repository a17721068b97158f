"""Production: package fulfillment, event targets, progress and the event_progress command."""
