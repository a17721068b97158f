"""Fulfilling packages in a real browser: the next-step button, the confirmed delivery, a phone."""

from django.contrib.admin.models import LogEntry
from playwright.sync_api import expect

from bakery.models import EventRecipientPackage, FulfillmentStatus
from tests.browser.pages import log_in, run_action, screenshot, select_rows

PHONE = {"width": 390, "height": 844}


def _status(assignment) -> str:
    return EventRecipientPackage.objects.get(pk=assignment.pk).fulfillment_status


def _assignments(status) -> list[EventRecipientPackage]:
    return list(
        EventRecipientPackage.objects.filter(fulfillment_status=status).select_related(
            "event", "recipient", "package"
        )
    )


def test_next_step_button_moves_an_assignment_one_step_at_a_time(page, baker, demo, tmp_path):
    assignment = _assignments(FulfillmentStatus.PENDING)[0]
    log_in(page)
    page.goto(f"/admin/bakery/eventrecipientpackage/{assignment.pk}/change/")
    panel = page.locator("#fulfillment-step")
    messages = page.locator("ul.messagelist")

    expect(panel).to_contain_text("Status: Pending")
    expect(panel.locator("button")).to_have_text("Mark ready")
    panel.locator("button", has_text="Mark ready").click()

    expect(messages).to_have_text(f"Marked ready: {assignment}.")
    expect(panel).to_contain_text("Status: Ready")
    expect(panel.locator("button")).to_have_text("Mark delivered")
    assert _status(assignment) == FulfillmentStatus.READY
    screenshot(page, "assignment-next-step.png", tmp_path, until=panel)

    panel.locator("button", has_text="Mark delivered").click()

    expect(messages).to_have_text(f"Marked delivered: {assignment}.")
    expect(panel).to_have_text("Status: Delivered — final")
    expect(panel.locator("button")).to_have_count(0)
    assert _status(assignment) == FulfillmentStatus.DELIVERED
    page.click("a.historylink")
    expect(page.locator("#change-history tbody td:last-child")).to_have_text(
        ["Marked ready", "Marked delivered"]
    )


def test_mark_delivered_confirms_on_a_page_naming_the_assignments(page, baker, demo, tmp_path):
    ready = _assignments(FulfillmentStatus.READY)
    pending = _assignments(FulfillmentStatus.PENDING)[0]
    assert len(ready) >= 2
    log_in(page)
    page.goto("/admin/bakery/eventrecipientpackage/")
    select_rows(page, [a.pk for a in ready] + [pending.pk])
    run_action(page, "Mark delivered")

    expect(page.locator("h1")).to_have_text("Mark delivered?")
    changes = page.locator("#fulfillment-changes tbody tr")
    expect(changes).to_have_count(len(ready))
    for assignment in ready:
        row = changes.filter(has_text=assignment.recipient.name).filter(
            has_text=assignment.package.name
        )
        expect(row.locator("td")).to_have_text(
            [assignment.recipient.name, assignment.package.name, assignment.event.name, "Ready"]
        )
    refusal = page.locator("#fulfillment-refusals tbody tr")
    expect(refusal.locator("td")).to_have_text(
        [
            pending.recipient.name,
            pending.package.name,
            pending.event.name,
            "Pending",
            f"{pending} is pending: it can only be marked ready next, not delivered.",
        ]
    )
    screenshot(page, "mark-delivered-confirmation.png", tmp_path)
    assert {_status(a) for a in ready} == {FulfillmentStatus.READY}

    page.click("input[type=submit][value='Yes, mark delivered']")

    expect(page.locator("ul.messagelist li")).to_have_text(
        [f"Marked {len(ready)} package assignments delivered."]
    )
    assert {_status(a) for a in ready} == {FulfillmentStatus.DELIVERED}
    assert _status(pending) == FulfillmentStatus.PENDING
    assert LogEntry.objects.filter(change_message="Marked delivered").count() == len(ready)


def test_taking_me_back_from_the_confirmation_changes_nothing(page, baker, demo):
    ready = _assignments(FulfillmentStatus.READY)[0]
    log_in(page)
    page.goto("/admin/bakery/eventrecipientpackage/")
    select_rows(page, [ready.pk])
    run_action(page, "Mark delivered")
    expect(page.locator("h1")).to_have_text("Mark delivered?")

    page.click("text=No, take me back")

    expect(page.locator("h1")).to_have_text("Select package assignment to change")
    expect(page.locator("ul.messagelist")).to_have_count(0)
    assert _status(ready) == FulfillmentStatus.READY
    assert not LogEntry.objects.exists()


def test_assignment_list_shows_the_status_on_a_phone_without_scrolling(page, baker, demo, tmp_path):
    page.set_viewport_size(PHONE)
    log_in(page)
    page.goto("/admin/bakery/eventrecipientpackage/")

    statuses = page.locator("#result_list td.field-fulfillment_status")
    expect(statuses).to_have_count(EventRecipientPackage.objects.count())
    for index in range(statuses.count()):
        cell = statuses.nth(index)
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scroller = page.locator("#changelist .results")
    assert scroller.evaluate("e => e.scrollWidth <= e.clientWidth")
    screenshot(page, "assignments-390px.png", tmp_path, until=page.locator("#result_list"))
