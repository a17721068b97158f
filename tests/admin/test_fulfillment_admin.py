"""The package assignment admin: the next-step button and the confirmed "Mark delivered"."""

from pathlib import Path

import pytest
from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from bakery.models import EventRecipientPackage, FulfillmentStatus
from production.services import mark_delivered, mark_ready
from tests.factories import EventFactory, EventRecipientPackageFactory, RecipientFactory

PENDING, READY, DELIVERED = (
    FulfillmentStatus.PENDING,
    FulfillmentStatus.READY,
    FulfillmentStatus.DELIVERED,
)
PRODUCTION_TEMPLATES = Path(__file__).resolve().parents[2] / "production" / "templates"


def url(view, *args):
    """Return the URL of a view of the package assignment admin."""
    return reverse(f"admin:bakery_eventrecipientpackage_{view}", args=args)


def shown_messages(response):
    """Return the (level, text) of every message shown on a followed response."""
    return [(message.level, message.message) for message in response.context["messages"]]


def stored(assignment) -> str:
    """Return the fulfillment status of an assignment as stored."""
    return EventRecipientPackage.objects.get(pk=assignment.pk).fulfillment_status


def history(assignment) -> list[tuple[int, str]]:
    """Return the admin history of an assignment: (action flag, message), oldest first."""
    return [
        (entry.action_flag, entry.get_change_message())
        for entry in LogEntry.objects.filter(object_id=str(assignment.pk)).order_by("pk")
    ]


def step(client, assignment, status, **extra):
    """Press the change page's next-step button as if the page had offered `status`."""
    return client.post(url("next_step", assignment.pk), {"status": status}, **extra)


def run_action(client, action, assignments, follow=False, **fields):
    """Run a list action on the given assignments."""
    return client.post(
        url("changelist"),
        {
            "action": action,
            "_selected_action": [a.pk for a in assignments],
            "index": 0,
            "select_across": 0,
            **fields,
        },
        follow=follow,
    )


@pytest.fixture
def staff_with(db):
    """Make a logged-in staff client with the given permissions on package assignments."""

    def make(*codenames):
        user = User.objects.create_user("helper", password="pw", is_staff=True)
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        client = Client()
        client.force_login(user)
        return client

    return make


def test_change_form_template_is_found_under_production(admin_client, db):
    assignment = EventRecipientPackageFactory()

    response = admin_client.get(url("change", assignment.pk))

    template = PRODUCTION_TEMPLATES / "admin/bakery/eventrecipientpackage/change_form.html"
    assert str(template) in [t.origin.name for t in response.templates]


@pytest.mark.parametrize(
    ("status", "following", "button"),
    [(PENDING, READY, "Mark ready"), (READY, DELIVERED, "Mark delivered")],
)
def test_change_page_offers_the_next_step_only(admin_client, db, status, following, button):
    assignment = EventRecipientPackageFactory(fulfillment_status=status)

    response = admin_client.get(url("change", assignment.pk))

    assertContains(
        response,
        f'<form method="post" action="{url("next_step", assignment.pk)}">',
    )
    assertContains(response, f'<input type="hidden" name="status" value="{following}">', html=True)
    assertContains(
        response, f'<button type="submit" class="button default">{button}</button>', html=True
    )
    assertContains(response, f"<p>Status: <strong>{status.label}</strong></p>", html=True)
    html = response.content.decode()
    form = html[html.index(url("next_step", assignment.pk)) :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]


def test_change_page_says_a_delivered_assignment_is_final_and_offers_no_step(admin_client, db):
    assignment = EventRecipientPackageFactory(fulfillment_status=DELIVERED)

    response = admin_client.get(url("change", assignment.pk))

    assertContains(response, "<p>Status: <strong>Delivered — final</strong></p>", html=True)
    assertNotContains(response, url("next_step", assignment.pk))
    assertNotContains(response, 'name="status"')


def test_add_page_has_no_step(admin_client, db):
    response = admin_client.get(url("add"))

    assertNotContains(response, 'id="fulfillment-step"')


def test_next_step_walks_pending_to_delivered_one_step_at_a_time(admin_client, db):
    assignment = EventRecipientPackageFactory()
    change = url("change", assignment.pk)

    ready = step(admin_client, assignment, READY)
    assert (ready.status_code, ready.url) == (302, change)
    assert stored(assignment) == READY
    page = admin_client.get(change)
    assert shown_messages(page) == [(messages.SUCCESS, f"Marked ready: {assignment}.")]
    assertContains(page, '<button type="submit" class="button default">Mark delivered')

    delivered = step(admin_client, assignment, DELIVERED, follow=True)
    assert delivered.redirect_chain == [(change, 302)]
    assert stored(assignment) == DELIVERED
    assert shown_messages(delivered) == [(messages.SUCCESS, f"Marked delivered: {assignment}.")]
    assertContains(delivered, "Delivered — final")


def test_next_step_keeps_the_change_list_filters(admin_client, db):
    assignment = EventRecipientPackageFactory()
    filters = "_changelist_filters=fulfillment_status__exact%3Dpending"

    page = admin_client.get(f"{url('change', assignment.pk)}?{filters}")
    response = admin_client.post(f"{url('next_step', assignment.pk)}?{filters}", {"status": READY})

    assertContains(page, f'action="{url("next_step", assignment.pk)}?{filters}"')
    assert response.url == f"{url('change', assignment.pk)}?{filters}"
    assert stored(assignment) == READY


def test_a_stale_page_cannot_repeat_a_step_taken_meanwhile(admin_client, db):
    assignment = EventRecipientPackageFactory()
    admin_client.get(url("change", assignment.pk))  # the page offers "Mark ready"
    mark_ready(EventRecipientPackage.objects.get(pk=assignment.pk))  # someone else is quicker

    response = step(admin_client, assignment, READY, follow=True)

    assert stored(assignment) == READY
    assert shown_messages(response) == [(messages.WARNING, f"{assignment} is already ready.")]
    assert history(assignment) == []


def test_a_stale_page_cannot_step_past_a_delivered_assignment(admin_client, db):
    assignment = EventRecipientPackageFactory(fulfillment_status=READY)
    admin_client.get(url("change", assignment.pk))  # the page offers "Mark delivered"
    mark_delivered(EventRecipientPackage.objects.get(pk=assignment.pk))

    response = step(admin_client, assignment, DELIVERED, follow=True)

    assert stored(assignment) == DELIVERED
    assert shown_messages(response) == [
        (
            messages.WARNING,
            f"{assignment} is already delivered; a delivered package cannot change any more.",
        )
    ]


def test_next_step_refuses_a_skip_with_the_services_message(admin_client, db):
    assignment = EventRecipientPackageFactory()

    response = step(admin_client, assignment, DELIVERED, follow=True)

    assert stored(assignment) == PENDING
    assert shown_messages(response) == [
        (
            messages.WARNING,
            f"{assignment} is pending: it can only be marked ready next, not delivered.",
        )
    ]


def test_next_step_refuses_an_unknown_status(admin_client, db):
    assignment = EventRecipientPackageFactory()

    response = step(admin_client, assignment, "eaten", follow=True)

    assert stored(assignment) == PENDING
    assert shown_messages(response) == [
        (
            messages.WARNING,
            "'eaten' is not a fulfillment status; choose one of pending, ready, delivered.",
        )
    ]


def test_next_step_is_refused_without_change_permission(staff_with):
    client = staff_with("view_eventrecipientpackage")
    assignment = EventRecipientPackageFactory()

    page = client.get(url("change", assignment.pk))
    response = step(client, assignment, READY)

    assertContains(page, "Status: <strong>Pending</strong>")
    assertNotContains(page, "Mark ready")
    assert response.status_code == 403
    assert stored(assignment) == PENDING
    assert history(assignment) == []


def test_next_step_is_allowed_with_change_permission(staff_with):
    client = staff_with("view_eventrecipientpackage", "change_eventrecipientpackage")
    assignment = EventRecipientPackageFactory()

    response = step(client, assignment, READY)

    assert response.status_code == 302
    assert stored(assignment) == READY


def test_next_step_answers_only_post(admin_client, db):
    assignment = EventRecipientPackageFactory()

    response = admin_client.get(url("next_step", assignment.pk), {"status": READY})

    assert response.status_code == 405
    assert stored(assignment) == PENDING


def test_next_step_is_protected_against_cross_site_requests(db):
    user = User.objects.create_superuser("baker", "baker@example.com", "pw")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assignment = EventRecipientPackageFactory()

    response = step(client, assignment, READY)

    assert response.status_code == 403
    assert stored(assignment) == PENDING


def test_next_step_on_a_deleted_assignment_goes_to_the_admin_index(admin_client, db):
    assignment = EventRecipientPackageFactory()
    pk = assignment.pk
    assignment.delete()

    response = admin_client.post(url("next_step", pk), {"status": READY})

    assert (response.status_code, response.url) == (302, reverse("admin:index"))


def test_every_step_of_the_button_is_in_the_history(admin_client, admin_user, db):
    assignment = EventRecipientPackageFactory()

    step(admin_client, assignment, READY)
    step(admin_client, assignment, DELIVERED)
    step(admin_client, assignment, DELIVERED)  # refused: not recorded

    assert history(assignment) == [(CHANGE, "Marked ready"), (CHANGE, "Marked delivered")]
    entry = LogEntry.objects.filter(object_id=str(assignment.pk)).first()
    assert (entry.user, entry.object_repr) == (admin_user, str(assignment))
    assertContains(admin_client.get(url("history", assignment.pk)), "Marked delivered")


def test_mark_ready_action_records_each_step_in_the_history(admin_client, db):
    pending = EventRecipientPackageFactory()
    ready = EventRecipientPackageFactory(fulfillment_status=READY)

    run_action(admin_client, "mark_ready", [pending, ready])

    assert (stored(pending), stored(ready)) == (READY, READY)
    assert history(pending) == [(CHANGE, "Marked ready")]
    assert history(ready) == []


@pytest.fixture
def selection(db):
    """Four assignments of one event, one per kind a "Mark delivered" meets."""
    event = EventFactory(name="Christmas")

    def assignment(name, status):
        return EventRecipientPackageFactory(
            event=event, recipient=RecipientFactory(name=name), fulfillment_status=status
        )

    return {
        "alice": assignment("Alice", READY),
        "bob": assignment("Bob", PENDING),
        "carol": assignment("Carol", READY),
        "dave": assignment("Dave", DELIVERED),
    }


def test_mark_delivered_asks_first_naming_what_changes_and_what_not(admin_client, selection):
    response = run_action(admin_client, "mark_delivered", selection.values())

    assert response.status_code == 200
    assertTemplateUsed(response, "production/fulfillment_confirmation.html")
    alice, bob, carol, dave = selection.values()
    assert response.context["changes"] == [alice, carol]
    assert [(a, str(error)) for a, error in response.context["refusals"]] == [
        (bob, f"{bob} is pending: it can only be marked ready next, not delivered."),
        (
            dave,
            f"{dave} is already delivered; a delivered package cannot change any more.",
        ),
    ]
    for assignment in (alice, carol):
        row = (
            f"<tr><td>{assignment.recipient}</td><td>{assignment.package}</td>"
            f"<td>Christmas</td><td>Ready</td></tr>"
        )
        assertContains(response, row, html=True)
        assertContains(
            response,
            f'<input type="hidden" name="_selected_action" value="{assignment.pk}">',
            html=True,
        )
    for assignment in (bob, dave):
        assertNotContains(response, f'name="_selected_action" value="{assignment.pk}"')
    assertContains(
        response, '<input type="hidden" name="action" value="mark_delivered">', html=True
    )
    assertContains(response, '<input type="hidden" name="post" value="yes">', html=True)
    assertContains(response, '<input type="submit" value="Yes, mark delivered">', html=True)
    assertContains(
        response,
        f'<a href="{url("changelist")}" class="button cancel-link">No, take me back</a>',
        html=True,
    )


def test_asking_to_confirm_changes_nothing(admin_client, selection):
    run_action(admin_client, "mark_delivered", selection.values())

    assert [stored(a) for a in selection.values()] == [READY, PENDING, READY, DELIVERED]
    assert not LogEntry.objects.exists()


def test_taking_me_back_changes_nothing(admin_client, selection):
    confirmation = run_action(admin_client, "mark_delivered", selection.values())
    back = admin_client.get(url("changelist"))

    assert confirmation.status_code == back.status_code == 200
    assert [stored(a) for a in selection.values()] == [READY, PENDING, READY, DELIVERED]
    assert not LogEntry.objects.exists()


def test_confirming_delivers_the_named_assignments_and_records_them(admin_client, selection):
    alice, bob, carol, dave = selection.values()
    ids = [alice, carol]  # what the confirmation page re-posts

    response = admin_client.post(
        url("changelist"),
        {"action": "mark_delivered", "_selected_action": [a.pk for a in ids], "post": "yes"},
        follow=True,
    )

    assert [stored(a) for a in selection.values()] == [DELIVERED, PENDING, DELIVERED, DELIVERED]
    assert shown_messages(response) == [
        (messages.SUCCESS, "Marked 2 package assignments delivered.")
    ]
    assert history(alice) == history(carol) == [(CHANGE, "Marked delivered")]
    assert history(bob) == history(dave) == []


def test_confirming_a_page_gone_stale_refuses_what_changed_meanwhile(admin_client, selection):
    alice, carol = selection["alice"], selection["carol"]
    run_action(admin_client, "mark_delivered", [alice, carol])
    mark_delivered(EventRecipientPackage.objects.get(pk=carol.pk))

    response = run_action(admin_client, "mark_delivered", [alice, carol], post="yes", follow=True)

    assert shown_messages(response) == [
        (
            messages.WARNING,
            f"{carol} is already delivered; a delivered package cannot change any more.",
        ),
        (messages.SUCCESS, "Marked 1 package assignment delivered."),
    ]
    assert history(alice) == [(CHANGE, "Marked delivered")]
    assert history(carol) == []


def test_mark_delivered_with_nothing_to_deliver_says_why_without_asking(admin_client, selection):
    bob, dave = selection["bob"], selection["dave"]

    response = run_action(admin_client, "mark_delivered", [bob, dave], follow=True)

    assertTemplateUsed(response, "admin/change_list.html")
    assert shown_messages(response) == [
        (
            messages.WARNING,
            f"{bob} is pending: it can only be marked ready next, not delivered.",
        ),
        (
            messages.WARNING,
            f"{dave} is already delivered; a delivered package cannot change any more.",
        ),
    ]
    assert (stored(bob), stored(dave)) == (PENDING, DELIVERED)


def test_mark_delivered_is_not_offered_without_change_permission(staff_with, selection):
    client = staff_with("view_eventrecipientpackage")

    response = run_action(client, "mark_delivered", [selection["alice"]], post="yes")

    assert response.status_code == 200
    assert stored(selection["alice"]) == READY
    assert not LogEntry.objects.exists()


def test_list_shows_the_status_right_after_the_recipient_and_loads_its_stylesheet(admin_client, db):
    EventRecipientPackageFactory()

    response = admin_client.get(url("changelist"))

    assert list(response.context["cl"].list_display)[:3] == [
        "action_checkbox",
        "recipient",
        "fulfillment_status",
    ]
    assertContains(response, "production/assignments.css")
