"""The baker's plan in a real browser: the event page, the printable page, the CSV lists,
the index's upcoming events, and the event page on a phone."""

import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from bakery.models import Event
from tests.browser.pages import log_in, screenshot

# The demo's Christmas 2025 (seed_demo for DEMO_TODAY), worked out by hand: a batch of
# Gingerbread Cookies and one of Snowball Cookies are left to bake.
SHOPPING_CSV = (
    "ingredient,unit,quantity\n"
    "All-Purpose Flour,cup,5.25\n"
    "Butter,cup,1.75\n"
    "Eggs,each,1\n"
    "Ground Ginger,tsp,1.5\n"
    "Molasses,cup,0.5\n"
    "Powdered Sugar,cup,1.5\n"
)
PACKING_CSV = (
    "recipient,package,quantity,status\n"
    "Carol Nguyen,Deluxe Cookie Box,2,Ready\n"
    "David Okafor,Deluxe Cookie Box,1,Pending\n"
    "Emma Schultz,Family Holiday Package,1,Pending\n"
)
# The printable width of A4 (210 mm less 12 mm margins each side; Letter is wider) in CSS px.
A4_PRINTABLE_PX = round((210 - 2 * 12) / 25.4 * 96)


def open_event(page: Page, name: str) -> Event:
    """Open an event's page from the event list."""
    page.goto("/admin/bakery/event/")
    page.click(f"#result_list a:text-is('{name}')")
    expect(page.locator("h1")).to_have_text("Change event")
    return Event.objects.get(name=name)


def download(page: Page, link_text: str, directory: Path) -> tuple[str, str]:
    """Click a download link; return the file's suggested name and its text."""
    with page.expect_download() as info:
        page.click(f"text={link_text}")
    path = directory / info.value.suggested_filename
    info.value.save_as(path)
    return path.name, path.read_text(encoding="utf-8")


def cells(page: Page, part: str) -> list[str]:
    """Return the rows of one part of the plan on the page, cells joined by '|'."""
    rows = page.locator(f"#plan-{part} tr")
    return [
        "|".join(c.strip() for c in row.locator("th, td").all_inner_texts()) for row in rows.all()
    ]


def test_event_page_shows_the_plan_under_the_progress_with_csv_downloads(
    page, baker, demo, tmp_path
):
    log_in(page)
    open_event(page, "Christmas 2025")

    plan = page.locator(".field-plan")
    expect(plan.locator("#plan-production tr")).to_have_count(6)
    assert cells(page, "production")[1:] == [
        "Chocolate Chip Cookies|4|4|0",
        "Gingerbread Cookies|3|2|1",
        "Holiday Fruitcake|1|1|0",
        "Iced Sugar Cookies|2|2|0",
        "Snowball Cookies|2|1|1",
    ]
    assert cells(page, "assembly")[1:] == [
        "Cookie Gift Box|10|10|0",
        "Holiday Gift Tin|3|2|1",
        "Snowball Bag|6|4|2",
    ]
    progress = page.locator(".field-progress")
    expect(progress).to_contain_text("Production: 3 of 5 recipes at target")
    expect(progress).to_contain_text("Assembly: 1 of 3 goods at target")
    assert progress.bounding_box()["y"] < plan.bounding_box()["y"]
    screenshot(page, "event-plan.png", tmp_path, until=page.locator("fieldset", has=plan))

    assert download(page, "Shopping list (CSV)", tmp_path) == (
        "christmas-2025-shopping-list.csv",
        SHOPPING_CSV,
    )
    assert download(page, "Packing list (CSV)", tmp_path) == (
        "christmas-2025-packing-list.csv",
        PACKING_CSV,
    )


def test_printable_plan_fits_a4_and_letter_without_admin_chrome(page, baker, demo, tmp_path):
    log_in(page)
    event = open_event(page, "Christmas 2025")
    page.click("text=Printable plan")

    expect(page.locator("h1")).to_have_text("Christmas 2025")
    expect(page).to_have_url(f"{page.url.split('/admin/')[0]}/admin/bakery/event/{event.pk}/plan/")
    expect(page.locator("#header, #nav-sidebar, .breadcrumbs")).to_have_count(0)
    expect(page.locator("#plan-shopping_list tr")).to_have_count(7)
    screenshot(page, "plan-printable.png", tmp_path)

    page.emulate_media(media="print")
    expect(page.locator("nav.screen-only")).to_be_hidden()
    page.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 1000})
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_PRINTABLE_PX
    # Chromium lays the page out for print on either paper, in as many sheets as needed.
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper)
        assert pdf.startswith(b"%PDF") and re.findall(rb"/Type\s*/Page\b(?!s)", pdf)


def test_admin_index_opens_with_the_next_three_events_and_their_progress(
    page, baker, current_demo, tmp_path
):
    today = timezone.localdate()
    upcoming = list(Event.objects.filter(event_date__gte=today).order_by("event_date")[:3])
    assert len(upcoming) == 3

    log_in(page)

    module = page.locator("#upcoming-events")
    expect(module.locator("h2")).to_have_text("Upcoming events")
    expect(module.locator("h3")).to_have_text([e.name for e in upcoming])
    expect(module.locator(".upcoming-event").first.locator("progress")).not_to_have_count(0)
    expect(module).to_contain_text("recipes at target")
    expect(page).to_have_title("Your bakery | Bakery")
    screenshot(page, "dashboard.png", tmp_path, until=module)
    module.locator("h3 a").first.click()
    expect(page.locator("#id_name")).to_have_value(upcoming[0].name)


def test_event_page_at_390px_shows_each_assignment_status_without_scrolling_sideways(
    page, baker, demo, tmp_path
):
    log_in(page)
    page.set_viewport_size({"width": 390, "height": 844})
    open_event(page, "Christmas 2025")

    statuses = page.locator("#recipient_packages-group tr.has_original td.field-fulfillment_status")
    expect(statuses).to_have_text(["Delivered", "Delivered", "Ready", "Pending", "Pending"])
    # Where each status lies across the page as it opens: nothing scrolled sideways (the
    # inline's own scrolling box included).
    for status in statuses.all():
        box = status.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("window.scrollX") == 0
    screenshot(page, "event-390px.png", tmp_path, only=page.locator("#recipient_packages-group"))
