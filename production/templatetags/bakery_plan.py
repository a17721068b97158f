"""Template tags of the bakery's pages: decimals as the baker writes them, upcoming events."""

from django import template
from django.contrib import admin
from django.utils import timezone

from bakery.models import Event
from bakery.numbers import decimal_text
from production import services
from production.services import event_progress

register = template.Library()

# How many upcoming events the admin index shows.
UPCOMING = 3


@register.filter
def decimal(value) -> str:
    """Show a decimal without trailing zeros: 2.25, 3, 66.7."""
    return decimal_text(value)


@register.inclusion_tag("production/upcoming_events.html", takes_context=True)
def upcoming_events(context):
    """The next events from today with their progress, for users who may see events."""
    request = context["request"]
    # The admin's own rules: view or change permission shows the events.
    events_admin = admin.site.get_model_admin(Event)
    if not events_admin.has_view_permission(request):
        return {"shown": False}
    today = timezone.localdate()
    events = services.upcoming_events(today)[:UPCOMING]
    return {
        "shown": True,
        "may_add": events_admin.has_add_permission(request),
        "today": today,
        "upcoming": [
            {
                "event": event,
                "days": (event.event_date - today).days,
                "progress": event_progress(event),
            }
            for event in events
        ],
    }
