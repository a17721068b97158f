"""The admin in a real browser: log in, export, import with a preview, fulfil packages."""

from playwright.sync_api import expect

from bakery.models import Event, EventRecipientPackage, FulfillmentStatus, Recipe
from production.models import EventAssemblyTarget, EventProductionTarget, ProductionRun
from tests.browser.pages import export_events, log_in, run_action, screenshot, select_rows, upload
from tests.helpers import minimal_document, write_document


def test_log_in_shows_the_admin_with_the_import_link(page, baker):
    log_in(page)
    expect(page.locator("#user-tools")).to_contain_text("Welcome, baker.")
    expect(page.locator("#bakery-data-module a")).to_have_text("Import bakery data")
    page.goto("/admin/bakery/recipe/")
    expect(page.locator(".object-tools a.bakery-import-link")).to_have_text("Import bakery data")


def test_export_of_selected_events_downloads_their_document(page, baker, demo, tmp_path):
    log_in(page)
    christmas = Event.objects.get(name="Christmas 2025")

    path, document = export_events(page, [christmas], tmp_path)

    assert path.name.startswith("bakery-export-") and path.suffix == ".json"
    assert document["format"] == "bakery-exchange"
    assert document["scope"] == {"events": ["Christmas 2025"]}
    assert [e["name"] for e in document["events"]] == ["Christmas 2025"]
    runs = ProductionRun.objects.filter(event=christmas).count()
    assert runs > 0
    assert len(document["production_runs"]) == runs
    assert len(document["event_recipient_packages"]) == 5
    assert {t["event_name"] for t in document["event_production_targets"]} == {"Christmas 2025"}


def test_import_of_an_exported_file_previews_then_applies_it(page, baker, demo, tmp_path):
    log_in(page)
    christmas = Event.objects.get(name="Christmas 2025")
    path, _ = export_events(page, [christmas], tmp_path)
    # Edits made after the export, which an update from the file undoes.
    Recipe.objects.filter(name="Chocolate Chip Cookies").update(estimated_time_minutes=60)
    Event.objects.filter(pk=christmas.pk).update(notes="Cookie exchange moved to the 21st.")

    upload(page, path, "update")

    expect(page.locator("h1")).to_have_text("Preview of the import")
    expect(page.locator("#content-main")).to_contain_text("Nothing has been written yet.")
    expect(page.locator("#counts-recipes td")).to_have_text(["0", "1", "4", "0"])
    expect(page.locator("#counts-events td")).to_have_text(["0", "1", "0", "0"])
    changes = page.locator("#import-changes")
    expect(changes).to_contain_text("estimated_time_minutes: 60 → 45")
    expect(changes).to_contain_text(
        "notes: 'Cookie exchange moved to the 21st.' → 'Cookie exchange on the 20th.'"
    )
    screenshot(page, "import-preview.png", tmp_path)
    assert Recipe.objects.get(name="Chocolate Chip Cookies").estimated_time_minutes == 60

    page.click("input[type=submit][value='Confirm import']")

    expect(page.locator("h1")).to_have_text("Import done")
    expect(page.locator("p.import-done")).to_have_text(f"Imported {path.name} (update mode).")
    expect(page.locator("#counts-recipes td")).to_have_text(["0", "1", "4", "0"])
    assert Recipe.objects.get(name="Chocolate Chip Cookies").estimated_time_minutes == 45
    assert Event.objects.get(pk=christmas.pk).notes == "Cookie exchange on the 20th."


def test_import_of_a_bad_file_shows_its_located_errors(page, baker, demo, tmp_path):
    document = minimal_document()
    document["event_production_targets"][0]["target_batches"] = -2
    document["production_runs"][0]["event_name"] = "Xmas 2025"
    document["event_assembly_targets"][0]["evnt_name"] = "Christmas 2025"
    path = write_document(tmp_path, document, "holiday-plan.json")
    log_in(page)

    upload(page, path, "merge")

    expect(page.locator("p.errornote")).to_have_text(
        "The file was refused: 3 problems. Nothing would be written; correct the file and "
        "upload it again."
    )
    expect(page.locator("#import-problems")).to_have_text(
        "event_production_targets[0].target_batches: must be greater than 0, got -2\n"
        "event_assembly_targets[0].evnt_name: unknown field 'evnt_name'; did you mean "
        "'event_name'?\n"
        "production_runs[0].event_name: no event named 'Xmas 2025' in the file or the "
        "database; did you mean 'Christmas 2025'?\n"
    )
    expect(page.locator("input[value='Confirm import']")).to_have_count(0)
    screenshot(page, "import-errors.png", tmp_path)
    assert not Event.objects.filter(name="Christmas 2025", notes="Some notes").exists()


def test_replace_with_one_event_s_file_lists_what_it_deletes_and_keeps_the_rest(
    page, baker, demo, tmp_path
):
    log_in(page)
    christmas = Event.objects.get(name="Christmas 2025")
    others = sorted(Event.objects.exclude(pk=christmas.pk).values_list("name", flat=True))
    path, _ = export_events(page, [christmas], tmp_path)
    runs = ProductionRun.objects.filter(event=christmas).count()

    upload(page, path, "replace")

    deletions = page.locator("#import-deletions")
    expect(deletions).to_contain_text(
        "The file is limited to the events Christmas 2025: replace deletes them and every "
        "record of theirs first"
    )
    expect(deletions.locator("li")).to_contain_text(
        ["Replace mode deletes first: ", "1 events: Christmas 2025"]
    )
    expect(deletions).to_contain_text(f"{runs} production_runs: ")
    for name in others:
        expect(deletions).not_to_contain_text(name)
    screenshot(page, "import-replace-preview.png", tmp_path, until=deletions)

    page.click("input[type=submit][value='Confirm import']")
    expect(page.locator("#replace-deletions")).to_contain_text("1 events: Christmas 2025")
    page.locator("#replace-form input[type=submit]").click()

    expect(page.locator("h1")).to_have_text("Import done")
    assert sorted(Event.objects.exclude(name="Christmas 2025").values_list("name", flat=True)) == (
        others
    )
    assert ProductionRun.objects.filter(event__name="Christmas 2025").count() == runs


def _assignment_status(pk) -> str:
    return EventRecipientPackage.objects.get(pk=pk).fulfillment_status


def test_packages_move_one_step_at_a_time_and_a_skip_is_refused(page, baker, demo):
    david = EventRecipientPackage.objects.get(
        event__name="Christmas 2025", recipient__name="David Okafor"
    )
    emma = EventRecipientPackage.objects.get(
        event__name="Christmas 2025", recipient__name="Emma Schultz"
    )
    assert {david.fulfillment_status, emma.fulfillment_status} == {FulfillmentStatus.PENDING}
    log_in(page)
    page.goto("/admin/bakery/eventrecipientpackage/")
    messages = page.locator("ul.messagelist")

    select_rows(page, [david.pk])
    run_action(page, "Mark ready")
    expect(messages).to_have_text("Marked 1 package assignment ready.")
    assert _assignment_status(david.pk) == FulfillmentStatus.READY

    select_rows(page, [david.pk])
    run_action(page, "Mark delivered")
    page.click("input[type=submit][value='Yes, mark delivered']")
    expect(messages).to_have_text("Marked 1 package assignment delivered.")
    assert _assignment_status(david.pk) == FulfillmentStatus.DELIVERED

    select_rows(page, [emma.pk])
    run_action(page, "Mark delivered")
    expect(messages.locator("li.warning")).to_have_text(
        f"{emma} is pending: it can only be marked ready next, not delivered."
    )
    expect(messages.locator("li.success")).to_have_count(0)
    assert _assignment_status(emma.pk) == FulfillmentStatus.PENDING


def test_event_page_shows_progress_bars_and_package_statuses(page, baker, demo):
    christmas = Event.objects.get(name="Christmas 2025")
    targets = (
        EventProductionTarget.objects.filter(event=christmas).count()
        + EventAssemblyTarget.objects.filter(event=christmas).count()
    )
    log_in(page)
    page.goto("/admin/bakery/event/")
    page.click("text=Christmas 2025")

    expect(page.locator("h1")).to_have_text("Change event")
    progress = page.locator(".field-progress")
    expect(progress.locator("progress")).to_have_count(targets)
    expect(progress).to_contain_text("Chocolate Chip Cookies: ")
    expect(progress).to_contain_text("Packages: 2 pending, 1 ready, 2 delivered, 5 in all")
    bar = progress.locator("li", has_text="Chocolate Chip Cookies").locator("progress")
    expect(bar).to_have_attribute("max", "4")
    statuses = page.locator("#recipient_packages-group tr.has_original td.field-fulfillment_status")
    expect(statuses).to_have_text(["Delivered", "Delivered", "Ready", "Pending", "Pending"])
