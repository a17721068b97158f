"""Playwright driving Debian's Chromium against pytest-django's live server."""

import os
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from tests.browser.pages import PASSWORD, USERNAME
from tests.helpers import DEMO_TODAY, unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium, headless, for every browser test."""
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    # Playwright's sync API keeps an event loop in this thread, and Django refuses ORM calls
    # made where a loop is running; the tests' own queries are synchronous all the same.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, settings, tmp_path):
    """A fresh browser tab on the live server, its uploads kept in the test's directory."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1200, "height": 800},
        locale="en-US",
        timezone_id="UTC",
        accept_downloads=True,
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def baker(transactional_db):
    """A superuser who logs in through the admin's login page."""
    return User.objects.create_superuser(USERNAME, "baker@example.com", PASSWORD)


@pytest.fixture
def demo(transactional_db):
    """The demo bakery of seed_demo for DEMO_TODAY: its events are Christmas 2025 and so on."""
    call_command("seed_demo", "--today", DEMO_TODAY, stdout=StringIO())


@pytest.fixture
def current_demo(transactional_db):
    """The demo bakery of seed_demo for the real today: its events are the next ones."""
    call_command("seed_demo", stdout=StringIO())
