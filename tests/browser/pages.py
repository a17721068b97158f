"""What a person does in the admin, as Playwright steps: log in, run an action, upload."""

import json
import os
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

USERNAME = "baker"
PASSWORD = "flour-and-sugar-2025"
# Where the screenshots go: the test's own directory, or docs/ for `make screenshots`.
SCREENSHOTS = os.environ.get("BAKERY_SCREENSHOTS")


def log_in(page: Page):
    """Open the admin, which asks for a login, and log in as the baker."""
    page.goto("/admin/")
    expect(page).to_have_title("Log in | Bakery")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit][value='Log in']")
    expect(page.locator("h1")).to_have_text("Your bakery")


def select_rows(page: Page, pks):
    """Tick the change list's checkbox of each record."""
    for pk in pks:
        page.check(f"input.action-select[value='{pk}']")


def run_action(page: Page, label: str):
    """Choose an action of the change list by its label and press Go."""
    page.select_option("select[name=action]", label=label)
    page.click("button[name=index]")


def export_events(page: Page, events, directory: Path) -> tuple[Path, dict]:
    """Export events from their change list; return the downloaded file and its document."""
    page.goto("/admin/bakery/event/")
    select_rows(page, [e.pk for e in events])
    with page.expect_download() as download_info:
        run_action(page, "Export selected events as bakery JSON")
    download = download_info.value
    path = directory / download.suggested_filename
    download.save_as(path)
    return path, json.loads(path.read_text(encoding="utf-8"))


def upload(page: Page, path: Path, mode: str):
    """Open the import page from the admin index, upload a file in a mode, ask for a preview."""
    page.goto("/admin/")
    page.click("text=Import bakery data")
    expect(page.locator("h1")).to_have_text("Import bakery data")
    page.check(f"input[name=mode][value={mode}]")
    page.set_input_files("input[name=file]", str(path))
    page.click("input[type=submit][value=Preview]")


def screenshot(
    page: Page,
    name: str,
    directory: Path,
    until: Locator | None = None,
    only: Locator | None = None,
) -> Path:
    """Save a picture of the page (down to an element's end, or of one element alone), in
    docs/ when asked for."""
    path = Path(SCREENSHOTS or directory) / name
    if only is not None:
        only.screenshot(path=path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        return path
    clip = None
    if until is not None:
        box = until.bounding_box()
        clip = {
            "x": 0,
            "y": 0,
            "width": page.viewport_size["width"],
            "height": box["y"] + box["height"] + 16,
        }
    page.screenshot(path=path, full_page=True, clip=clip)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path
