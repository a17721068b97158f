"""The admin's "Import bakery data" page: who may use it, the preview, the confirmation."""

import bz2
import gzip
import io
import json
import lzma
import stat
import zipfile
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from bakery.models import Event, Ingredient, Recipe
from exchange.permissions import exported_models, may_import
from exchange.schema import SECTIONS
from exchange.uploads import PENDING, upload_directory
from production.models import AssemblyRun, ProductionRun
from tests.baketracker.backups import backup
from tests.helpers import (
    NAMES,
    export_document,
    minimal_document,
    run_import,
    snapshot,
    write_document,
)

IMPORT_URL = reverse("exchange:import")
PREVIEW_URL = reverse("exchange:preview")
CONFIRM_URL = reverse("exchange:confirm")
RESULT_URL = reverse("exchange:result")
LINK = "Import bakery data</a>"
STALE = "The database changed since the preview, so nothing was imported."

COMPRESSORS = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
}


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Keep each test's uploads in a directory of its own."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def _permissions(*actions):
    return [
        Permission.objects.get(
            content_type__app_label=m._meta.app_label, codename=f"{a}_{m._meta.model_name}"
        )
        for m in exported_models()
        for a in actions
    ]


def _staff(username, permissions):
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.set(permissions)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def importer(db):
    """A staff user who may view, add and change every exchange model, but not delete."""
    return _staff("importer", _permissions("view", "add", "change"))


@pytest.fixture
def importer_client(client, importer):
    """A client logged in as the importer."""
    client.force_login(importer)
    return client


def _export() -> bytes:
    out = StringIO()
    call_command("export_bakery", stdout=out, stderr=StringIO())
    return out.getvalue().encode()


def _upload(client, content: bytes, name="bakery.json", mode="merge", follow=True):
    return client.post(
        IMPORT_URL, {"mode": mode, "file": SimpleUploadedFile(name, content)}, follow=follow
    )


def _confirm(client, preview, follow=True, **extra):
    initial = preview.context["form"].initial
    data = {"token": initial["token"], "sha256": initial["sha256"], **extra}
    return client.post(CONFIRM_URL, data, follow=follow)


def _counts(response) -> dict:
    return {s["key"]: s["counts"] for s in response.context["summary"]["sections"]}


def _messages(response) -> list[str]:
    return [m.message for m in response.context["messages"]]


def test_import_link_on_the_index_and_every_exchange_model_change_list(importer_client):
    assertContains(importer_client.get(reverse("admin:index")), LINK, count=1)
    for model in exported_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assertContains(importer_client.get(url), LINK, count=1)


def test_import_page_shows_the_upload_form_in_the_admin(importer_client):
    response = importer_client.get(IMPORT_URL)
    assert response.status_code == 200
    assertContains(response, "<h1>Import bakery data</h1>", html=True)
    assertContains(response, 'id="site-name"')
    assertContains(response, 'name="csrfmiddlewaretoken"')
    assert [c[0] for c in response.context["form"].fields["mode"].choices] == ["merge", "update"]


@pytest.mark.parametrize(
    "codename",
    [f"{a}_{m._meta.model_name}" for m in exported_models() for a in ("add", "change")],
)
def test_each_add_and_change_permission_is_needed_for_the_link_and_page(client, db, codename):
    permissions = [p for p in _permissions("view", "add", "change") if p.codename != codename]
    user = _staff("almost", permissions)
    assert not may_import(user)
    client.force_login(user)
    assertNotContains(client.get(reverse("admin:index")), LINK)
    assertNotContains(client.get(reverse("admin:bakery_ingredient_changelist")), LINK)
    assertNotContains(client.get(reverse("admin:production_productionrun_changelist")), LINK)
    assert client.get(IMPORT_URL).status_code == 403
    assert _upload(client, _export(), follow=False).status_code == 403
    assert client.get(PREVIEW_URL).status_code == 403
    assert client.post(CONFIRM_URL, {}).status_code == 403


def test_staff_without_permissions_sees_no_link_and_is_refused(client, db):
    client.force_login(_staff("staff", []))
    assertNotContains(client.get(reverse("admin:index")), LINK)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(RESULT_URL).status_code == 403


def test_anonymous_user_is_sent_to_the_login_page(client, db):
    for response in (client.get(IMPORT_URL), _upload(client, _export(), follow=False)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert not Ingredient.objects.exists()


def test_upload_without_csrf_token_is_refused(importer, db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(importer)
    response = _upload(client, json.dumps(minimal_document()).encode(), follow=False)
    assert response.status_code == 403
    assert PENDING not in client.session


def test_preview_of_new_records_counts_them_and_writes_nothing(importer_client):
    response = _upload(importer_client, json.dumps(minimal_document()).encode())
    assert response.redirect_chain == [(PREVIEW_URL, 302)]
    counts = _counts(response)
    assert counts["ingredients"] == [1, 0, 0, 0]
    assert counts["production_runs"] == [1, 0, 0, 0]
    assert response.context["summary"]["totals"] == [12, 0, 0, 0]
    assertContains(
        response,
        '<tr id="counts-recipes"><th scope="row">Recipes</th>'
        "<td>1</td><td>0</td><td>0</td><td>0</td></tr>",
        html=True,
    )
    assertContains(response, "Confirm import")
    assert all(not rows for rows in snapshot().values())


def test_preview_lists_changes_field_by_field_and_writes_nothing(importer_client, bakery):
    document = _export()
    recipe = bakery.recipes[0]
    Recipe.objects.filter(pk=recipe.pk).update(category="Bars", estimated_time_minutes=30)
    Event.objects.filter(pk=bakery.events[0].pk).update(notes="Moved indoors")
    before = snapshot()

    response = _upload(importer_client, document, mode="update")

    counts = _counts(response)
    assert counts["recipes"] == [0, 1, 1, 0]
    assert counts["events"] == [0, 1, 1, 0]
    assert counts["ingredients"] == [0, 0, 3, 0]
    changes = {c["record"]: c for c in response.context["summary"]["changes"]}
    assert list(changes[recipe.name]["fields"]) == [
        ("category", "'Bars'", "'Cookies'"),
        ("estimated_time_minutes", "30", "45"),
    ]
    assert changes[bakery.events[0].name]["fields"][0][1:] == ("'Moved indoors'", "null")
    assertContains(response, "Existing records that would change (2)")
    assertContains(
        response,
        '<li>category: <span class="diff-old">&#x27;Bars&#x27;</span> → '
        '<span class="diff-new">&#x27;Cookies&#x27;</span></li>',
        html=True,
    )
    assert snapshot() == before


def test_preview_of_a_merge_says_differing_records_are_left_as_they_are(importer_client, bakery):
    document = _export()
    Recipe.objects.filter(pk=bakery.recipes[0].pk).update(category="Bars")
    response = _upload(importer_client, document, mode="merge")
    assert _counts(response)["recipes"] == [0, 0, 1, 1]
    assertContains(response, "Existing records that differ from the file (1): merge leaves them")
    assertContains(response, f"recipes[0]: &#x27;{bakery.recipes[0].name}&#x27; already exists")


def test_preview_of_a_bad_file_shows_every_located_error_as_the_command_does(
    importer_client, tmp_path
):
    document = minimal_document()
    document["event_production_targets"][0]["target_batches"] = -2
    document["production_runs"][0]["event_name"] = "Xmas 2025"
    document["recipients"][0]["nmae"] = "typo"
    command = run_import(write_document(tmp_path, document))
    assert command.returncode == 1

    response = _upload(importer_client, json.dumps(document).encode(), name="broken.json")

    assert response.context["problems"] == command.lines
    assert response.context["problems"] == [
        "recipients[0].nmae: unknown field 'nmae'; did you mean 'name'?",
        "event_production_targets[0].target_batches: must be greater than 0, got -2",
        "production_runs[0].event_name: no event named 'Xmas 2025' in the file or the database; "
        "did you mean 'Christmas 2025'?",
    ]
    assertContains(response, "The file was refused: 3 problems.")
    for line in command.lines:
        assertContains(response, line.replace("'", "&#x27;"))
    assertNotContains(response, "Confirm import")
    assert all(not rows for rows in snapshot().values())


def test_preview_of_invalid_json_locates_the_syntax_error(importer_client):
    response = _upload(importer_client, b'{"format": "bakery-exchange",\n  "version": 1,,\n}')
    [line] = response.context["problems"]
    assert line.startswith("invalid JSON at line 2, column")


def test_confirm_refuses_a_bad_file_that_was_previewed(importer_client):
    document = minimal_document()
    document["events"][0]["event_date"] = "2025-13-01"
    _upload(importer_client, json.dumps(document).encode())
    token = importer_client.session[PENDING]["token"]
    sha256 = importer_client.session[PENDING]["sha256"]
    response = importer_client.post(CONFIRM_URL, {"token": token, "sha256": sha256}, follow=True)
    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert "This preview is no longer the current one" in _messages(response)[0]
    assert not Event.objects.exists()


def test_confirm_applies_what_was_previewed(importer_client, bakery, upload_dir):
    document = _export()
    recipe = bakery.recipes[0]
    Recipe.objects.filter(pk=recipe.pk).update(category="Bars")
    preview = _upload(importer_client, document, mode="update")
    stored = list(upload_dir.glob("bakery-import-*/*"))
    assert len(stored) == 1

    response = _confirm(importer_client, preview)

    assert response.redirect_chain == [(RESULT_URL, 302)]
    assert Recipe.objects.get(pk=recipe.pk).category == "Cookies"
    assert _counts(response) == _counts(preview)
    assertContains(response, "Imported <strong>bakery.json</strong> (update mode).", html=True)
    assertContains(response, "Existing records changed (1)")
    assert PENDING not in importer_client.session
    assert not stored[0].exists()
    # The same confirmation again finds nothing to import.
    again = _confirm(importer_client, preview)
    assert again.redirect_chain == [(IMPORT_URL, 302)]
    assert "This preview is no longer the current one" in _messages(again)[0]


def test_confirm_of_new_records_creates_them(importer_client):
    preview = _upload(importer_client, json.dumps(minimal_document()).encode())
    response = _confirm(importer_client, preview)
    assert response.redirect_chain == [(RESULT_URL, 302)]
    assert list(Event.objects.values_list("name", flat=True)) == [NAMES["events"]]
    assert response.context["summary"]["totals"] == [12, 0, 0, 0]


def test_confirm_refuses_when_the_database_changed_since_the_preview(importer_client, bakery):
    document = _export()
    recipe = bakery.recipes[0]
    Recipe.objects.filter(pk=recipe.pk).update(category="Bars")
    preview = _upload(importer_client, document, mode="update")
    # Someone else edits another record the file also holds.
    other = bakery.recipes[1]
    Recipe.objects.filter(pk=other.pk).update(notes="Edited meanwhile")
    before = snapshot()

    response = _confirm(importer_client, preview)

    assert response.redirect_chain == [(PREVIEW_URL, 302)]
    assert STALE in _messages(response)[0]
    assert snapshot() == before
    # The fresh preview shows both changes, and confirming it applies them.
    assert _counts(response)["recipes"] == [0, 2, 0, 0]
    assertContains(response, "Existing records that would change (2)")
    done = _confirm(importer_client, response)
    assert done.redirect_chain == [(RESULT_URL, 302)]
    assert Recipe.objects.get(pk=other.pk).notes == ""
    assert Recipe.objects.get(pk=recipe.pk).category == "Cookies"


def test_confirm_refuses_when_a_referenced_record_was_deleted_since_the_preview(
    importer_client, tmp_path
):
    document = minimal_document()
    assert run_import(write_document(tmp_path, document)).returncode == 0
    # A file that refers to the event in the database, without holding it.
    del document["events"]
    document["event_production_targets"][0]["target_batches"] = 9
    preview = _upload(importer_client, json.dumps(document).encode(), mode="update")
    assert _counts(preview)["event_production_targets"] == [0, 1, 0, 0]
    ProductionRun.objects.all().delete()
    AssemblyRun.objects.all().delete()
    Event.objects.all().delete()

    response = _confirm(importer_client, preview)

    assert response.redirect_chain == [(PREVIEW_URL, 302)]
    assert STALE in _messages(response)[0]
    assert (
        "event_production_targets[0].event_name: no event named 'Christmas 2025' in the file or "
        "the database" in response.context["problems"]
    )
    assert not Event.objects.exists()


def test_confirm_refuses_another_uploads_preview(importer_client):
    first = _upload(importer_client, json.dumps(minimal_document()).encode())
    other = minimal_document()
    other["ingredients"][0]["notes"] = "second file"
    _upload(importer_client, json.dumps(other).encode())
    response = _confirm(importer_client, first)
    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert not Ingredient.objects.exists()


def test_confirm_refuses_a_stored_file_whose_bytes_changed(importer_client, upload_dir):
    preview = _upload(importer_client, json.dumps(minimal_document()).encode())
    [stored] = upload_dir.glob("bakery-import-*/*")
    document = minimal_document()
    document["ingredients"][0]["notes"] = "tampered"
    stored.write_text(json.dumps(document))
    response = _confirm(importer_client, preview)
    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert "The uploaded file changed since the preview" in _messages(response)[0]
    assert not Ingredient.objects.exists()


def test_replace_asks_a_second_confirmation_naming_the_records_it_deletes(admin_client, bakery):
    before = snapshot()
    deleted = sum(len(rows) for rows in before.values())
    records = sum(model.objects.count() for model in (s.model for s in SECTIONS))
    preview = _upload(admin_client, json.dumps(minimal_document()).encode(), mode="replace")
    assertContains(preview, "The file holds everything: replace deletes every bakery record first.")
    assertContains(
        preview,
        f"<li>Replace mode deletes first: {records} records and {deleted - records} nested "
        "lines.</li>",
    )
    names = ", ".join(sorted(e.name for e in bakery.events))
    assertContains(preview, f"<li>  {len(bakery.events)} events: {names}</li>")

    second = _confirm(admin_client, preview)
    assert second.redirect_chain == []
    assertContains(second, f"Yes, delete {deleted} records and import")
    assert snapshot() == before
    # A count other than the one shown is not a confirmation.
    wrong = _confirm(admin_client, preview, delete_count=deleted - 1)
    assertContains(wrong, f"Yes, delete {deleted} records and import")
    assert snapshot() == before

    done = _confirm(admin_client, preview, delete_count=deleted)

    assert done.redirect_chain == [(RESULT_URL, 302)]
    assertContains(done, f"Replace mode deletes first: {records} records and")
    assert list(Event.objects.values_list("name", flat=True)) == [NAMES["events"]]
    assert Recipe.objects.count() == 1


def test_replace_needs_delete_permission(importer_client, bakery):
    response = _upload(
        importer_client, json.dumps(minimal_document()).encode(), mode="replace", follow=False
    )
    assert response.status_code == 200
    assert "mode" in response.context["form"].errors
    assert PENDING not in importer_client.session
    assert Event.objects.count() == len(bakery.events)


def test_upload_larger_than_the_limit_is_refused_with_a_message(importer_client, settings):
    settings.BAKERY_IMPORT_MAX_UPLOAD_SIZE = 1024
    content = json.dumps(minimal_document()).encode()
    assert len(content) > 1024
    response = _upload(importer_client, content, mode="update", follow=False)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file is larger than the upload limit of 1.0\xa0KB (the "
        "BAKERY_IMPORT_MAX_UPLOAD_SIZE setting); nothing was uploaded. Import it with the "
        "import_bakery command, or ask for a higher limit."
    ]
    assert response.context["form"]["mode"].value() == "update"
    assert PENDING not in importer_client.session
    assert not list(upload_directory().iterdir())


def test_upload_at_the_limit_is_accepted(importer_client, settings):
    content = json.dumps(minimal_document()).encode()
    settings.BAKERY_IMPORT_MAX_UPLOAD_SIZE = len(content)
    response = _upload(importer_client, content)
    assert response.redirect_chain == [(PREVIEW_URL, 302)]


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz", ".zip"])
def test_compressed_upload_is_previewed_and_imported(importer_client, upload_dir, suffix):
    content = json.dumps(minimal_document()).encode()
    if suffix == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("bakery.json", content)
        compressed = buffer.getvalue()
    else:
        compressed = COMPRESSORS[suffix](content)
    preview = _upload(importer_client, compressed, name=f"bakery.json{suffix}")
    assert preview.context["summary"]["totals"] == [12, 0, 0, 0]
    [stored] = upload_dir.glob("bakery-import-*/*")
    assert stored.suffix == suffix
    assert _confirm(importer_client, preview).redirect_chain == [(RESULT_URL, 302)]
    assert Ingredient.objects.get().name == NAMES["ingredients"]


def test_upload_of_another_kind_of_file_is_refused(importer_client):
    response = _upload(importer_client, b"name,category\n", name="bakery.csv", follow=False)
    assert response.context["form"].errors["file"] == [
        "Choose a .json file, or one compressed as .gz, .bz2, .xz or .zip; got bakery.csv."
    ]


def test_upload_is_kept_privately_under_a_random_token(importer_client, upload_dir):
    _upload(importer_client, json.dumps(minimal_document()).encode())
    pending = importer_client.session[PENDING]
    [stored] = upload_dir.glob("bakery-import-*/*")
    assert stored.name == f"{pending['token']}.json"
    assert len(pending["token"]) >= 32
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    # A second upload replaces the first.
    _upload(importer_client, json.dumps(minimal_document()).encode())
    assert [p.name for p in upload_dir.glob("bakery-import-*/*")] == [
        f"{importer_client.session[PENDING]['token']}.json"
    ]


def test_the_preview_of_an_event_scoped_replace_lists_only_that_event_s_records(
    admin_client, bakery
):
    replaced, kept = bakery.events
    document = json.dumps(export_document("--event", replaced.name)).encode()

    preview = _upload(admin_client, document, mode="replace")

    assertContains(preview, f"The file is limited to the events {replaced.name}: replace deletes")
    assertContains(preview, f"<li>  1 events: {replaced.name}</li>")
    assertNotContains(preview, kept.name)
    second = _confirm(admin_client, preview)
    count = second.context["pending"]["delete_count"]
    assertContains(second, f"<li>  1 events: {replaced.name}</li>")
    done = _confirm(admin_client, preview, delete_count=count)
    assert done.redirect_chain == [(RESULT_URL, 302)]
    assert Event.objects.filter(name=kept.name).exists()
    assert ProductionRun.objects.filter(event__name=kept.name).count() == 2


def test_a_bake_tracker_backup_previews_with_what_has_no_home(importer_client, db):
    content = json.dumps(backup("4.1")).encode()

    preview = _upload(importer_client, content, mode="merge")

    assertContains(preview, "Nothing has been written yet.")
    report = preview.context["summary"]["report"]
    assert report[0] == "From a bake-tracker backup (version 4.1):"
    assert "Not imported (no home here):" in report
    assertContains(preview, "Not imported (no home here):")
    assert not Event.objects.exists()
    done = _confirm(importer_client, preview)
    assert done.redirect_chain == [(RESULT_URL, 302)]
    assert Event.objects.count() == 2
