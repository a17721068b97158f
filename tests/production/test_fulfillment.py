import pytest

from bakery.models import EventRecipientPackage, FulfillmentStatus
from production.services import FulfillmentError, advance_fulfillment, mark_delivered, mark_ready
from tests.factories import (
    EventFactory,
    EventRecipientPackageFactory,
    PackageFactory,
    RecipientFactory,
)

pytestmark = pytest.mark.django_db

NAME = "Cookie Tin for Aunt May (Christmas 2025)"


@pytest.fixture
def make_assignment():
    """Return a function creating the Cookie Tin assignment in a given status."""

    def make(status):
        return EventRecipientPackageFactory(
            event=EventFactory(name="Christmas 2025"),
            recipient=RecipientFactory(name="Aunt May"),
            package=PackageFactory(name="Cookie Tin"),
            fulfillment_status=status,
        )

    return make


def stored_status(assignment):
    """Read the assignment's status afresh from the database."""
    return EventRecipientPackage.objects.get(pk=assignment.pk).fulfillment_status


def test_mark_ready_moves_a_pending_assignment_to_ready(make_assignment):
    assignment = make_assignment(FulfillmentStatus.PENDING)

    returned = mark_ready(assignment)

    assert returned is assignment
    assert assignment.fulfillment_status == "ready"
    assert stored_status(assignment) == "ready"


def test_mark_delivered_moves_a_ready_assignment_to_delivered(make_assignment):
    assignment = make_assignment(FulfillmentStatus.READY)

    mark_delivered(assignment)

    assert assignment.fulfillment_status == "delivered"
    assert stored_status(assignment) == "delivered"


def test_an_assignment_walks_the_whole_workflow_one_step_at_a_time(make_assignment):
    assignment = make_assignment(FulfillmentStatus.PENDING)

    advance_fulfillment(assignment, "ready")
    advance_fulfillment(assignment, "delivered")

    assert stored_status(assignment) == "delivered"


@pytest.mark.parametrize(
    ("current", "wanted", "code", "message"),
    [
        (
            "pending",
            "delivered",
            "not_next",
            f"{NAME} is pending: it can only be marked ready next, not delivered.",
        ),
        (
            "ready",
            "pending",
            "not_next",
            f"{NAME} is ready: it can only be marked delivered next, not pending.",
        ),
        (
            "delivered",
            "ready",
            "final",
            f"{NAME} is already delivered; a delivered package cannot change any more.",
        ),
        (
            "delivered",
            "pending",
            "final",
            f"{NAME} is already delivered; a delivered package cannot change any more.",
        ),
        (
            "delivered",
            "delivered",
            "final",
            f"{NAME} is already delivered; a delivered package cannot change any more.",
        ),
        ("pending", "pending", "unchanged", f"{NAME} is already pending."),
        ("ready", "ready", "unchanged", f"{NAME} is already ready."),
        (
            "pending",
            "shipped",
            "unknown_status",
            "'shipped' is not a fulfillment status; choose one of pending, ready, delivered.",
        ),
        (
            "ready",
            "Delivered",
            "unknown_status",
            "'Delivered' is not a fulfillment status; choose one of pending, ready, delivered.",
        ),
    ],
    ids=[
        "skip-pending-to-delivered",
        "back-ready-to-pending",
        "final-delivered-to-ready",
        "final-delivered-to-pending",
        "final-delivered-again",
        "same-pending",
        "same-ready",
        "unknown-status",
        "label-is-not-a-status",
    ],
)
def test_advance_fulfillment_refuses_and_leaves_the_row_unchanged(
    make_assignment, current, wanted, code, message
):
    assignment = make_assignment(current)

    with pytest.raises(FulfillmentError) as excinfo:
        advance_fulfillment(assignment, wanted)

    assert (excinfo.value.code, str(excinfo.value)) == (code, message)
    assert assignment.fulfillment_status == current
    assert stored_status(assignment) == current


def test_mark_ready_refuses_a_ready_assignment(make_assignment):
    assignment = make_assignment(FulfillmentStatus.READY)

    with pytest.raises(FulfillmentError) as excinfo:
        mark_ready(assignment)

    assert str(excinfo.value) == f"{NAME} is already ready."
    assert stored_status(assignment) == "ready"


def test_mark_delivered_refuses_to_skip_ready(make_assignment):
    assignment = make_assignment(FulfillmentStatus.PENDING)

    with pytest.raises(FulfillmentError) as excinfo:
        mark_delivered(assignment)

    assert str(excinfo.value) == (
        f"{NAME} is pending: it can only be marked ready next, not delivered."
    )
    assert stored_status(assignment) == "pending"


def test_a_stale_copy_cannot_mark_ready_what_another_copy_already_marked(make_assignment):
    pk = make_assignment(FulfillmentStatus.PENDING).pk
    first = EventRecipientPackage.objects.get(pk=pk)
    second = EventRecipientPackage.objects.get(pk=pk)
    mark_ready(first)

    with pytest.raises(FulfillmentError) as excinfo:
        mark_ready(second)

    assert excinfo.value.code == "stale"
    assert str(excinfo.value) == (
        f"{NAME} was changed by someone else meanwhile and is now ready; "
        "check it before changing it again."
    )
    assert second.fulfillment_status == "ready"
    assert EventRecipientPackage.objects.get(pk=pk).fulfillment_status == "ready"


def test_a_stale_ready_copy_cannot_deliver_what_was_delivered_meanwhile(make_assignment):
    pk = make_assignment(FulfillmentStatus.READY).pk
    first = EventRecipientPackage.objects.get(pk=pk)
    second = EventRecipientPackage.objects.get(pk=pk)
    mark_delivered(first)

    with pytest.raises(FulfillmentError) as excinfo:
        mark_delivered(second)

    assert str(excinfo.value) == (
        f"{NAME} was changed by someone else meanwhile and is now delivered; "
        "check it before changing it again."
    )
    assert EventRecipientPackage.objects.get(pk=pk).fulfillment_status == "delivered"


def test_marking_an_assignment_deleted_meanwhile_is_refused(make_assignment):
    assignment = make_assignment(FulfillmentStatus.PENDING)
    EventRecipientPackage.objects.filter(pk=assignment.pk).delete()

    with pytest.raises(FulfillmentError) as excinfo:
        mark_ready(assignment)

    assert (excinfo.value.code, str(excinfo.value)) == (
        "missing",
        "This package assignment was deleted meanwhile; it could not be marked ready.",
    )
    assert not EventRecipientPackage.objects.exists()


def test_fulfillment_error_built_from_a_message_keeps_it():
    error = FulfillmentError("Nothing to deliver.")

    assert (str(error), error.code) == ("Nothing to deliver.", None)
