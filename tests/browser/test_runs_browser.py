"""A production run added in a real browser: the form fills in the unit, the expected yield and
the time, and lists the events nearest upcoming first."""

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from bakery.models import Event, FinishedUnit
from production.models import ProductionRun
from production.services import nearest_first
from tests.browser.pages import log_in, screenshot


def choose_in_autocomplete(page: Page, field: str, search: str, option: str):
    """Open a select2 autocomplete field, search it and click an option by its exact text."""
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.locator(".select2-results__option", has_text=re.compile(f"^{re.escape(option)}$")).click()


def test_production_run_form_fills_in_the_unit_yield_and_time(page, baker, current_demo, tmp_path):
    unit = FinishedUnit.objects.get(name="Chocolate Chip Cookie")
    events = list(nearest_first(Event.objects.all(), timezone.localdate()))
    before = timezone.now().replace(microsecond=0)
    runs_before = set(ProductionRun.objects.values_list("pk", flat=True))
    log_in(page)
    page.goto("/admin/production/productionrun/")
    page.click(".object-tools a.addlink")
    expect(page.locator("h1")).to_have_text("Add production run")
    expect(page.locator("#id_produced_at_0")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    expect(page.locator("#id_produced_at_1")).to_have_value(re.compile(r"^\d{2}:\d{2}:\d{2}$"))
    expect(page.locator("#id_event option")).to_have_text(
        ["None (standalone)", *(event.name for event in events)]
    )

    choose_in_autocomplete(page, "recipe", "Chocolate Chip", "Chocolate Chip Cookies")

    expect(page.locator("#id_finished_unit")).to_have_value(str(unit.pk))
    expect(page.locator(".field-finished_unit .select2-selection__rendered")).to_contain_text(
        "Chocolate Chip Cookie"
    )
    expected = page.locator("#id_expected_yield")
    page.fill("#id_num_batches", "3")
    expect(expected).to_have_value("144")
    page.fill("#id_num_batches", "2")
    expect(expected).to_have_value("96")
    page.select_option("#id_event", value=str(events[0].pk))
    page.fill("#id_actual_yield", "94")
    screenshot(page, "run-prefilled.png", tmp_path, until=page.locator(".submit-row"))

    page.click("input[name=_save]")

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    run = ProductionRun.objects.exclude(pk__in=runs_before).get()
    assert (run.recipe, run.finished_unit, run.event) == (unit.recipe, unit, events[0])
    assert (run.num_batches, run.expected_yield, run.actual_yield) == (2, 96, 94)
    assert before <= run.produced_at <= timezone.now()


def test_expected_yield_typed_by_the_baker_stays_as_batches_change(page, baker, demo):
    unit = FinishedUnit.objects.get(name="Chocolate Chip Cookie")
    runs_before = set(ProductionRun.objects.values_list("pk", flat=True))
    log_in(page)
    page.goto("/admin/production/productionrun/add/")
    choose_in_autocomplete(page, "recipe", "Chocolate Chip", "Chocolate Chip Cookies")
    expect(page.locator("#id_finished_unit")).to_have_value(str(unit.pk))
    expected = page.locator("#id_expected_yield")
    page.fill("#id_num_batches", "2")
    expect(expected).to_have_value("96")

    page.fill("#id_expected_yield", "90")
    with page.expect_response(lambda r: "/yields/" in r.url and "batches=3" in r.url):
        page.fill("#id_num_batches", "3")
    expect(expected).to_have_value("90")
    page.select_option("#id_event", label="None (standalone)")
    page.click("input[name=_save]")

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    run = ProductionRun.objects.exclude(pk__in=runs_before).get()
    assert (run.num_batches, run.expected_yield, run.event) == (3, 90, None)
