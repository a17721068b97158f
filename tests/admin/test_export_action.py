"""The admin's export action: the download, its scope, and who may use it."""

import json

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.urls import reverse

from bakery.models import Event, FinishedGood, Recipe
from exchange.admin import ACTION_NAME
from exchange.permissions import exported_models
from production.models import EventAssemblyTarget, ProductionRun
from tests.helpers import run_import, write_document


def _export(client, model, pks):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.post(url, {"action": ACTION_NAME, "_selected_action": [str(pk) for pk in pks]})


def _action_names(response):
    form = response.context["action_form"]
    return [] if form is None else [name for name, _ in form.fields["action"].choices]


def _document(response):
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def viewer(db):
    """A staff user who may view every exported model, and nothing more."""
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.get(
            content_type__app_label=m._meta.app_label, codename=f"view_{m._meta.model_name}"
        )
        for m in exported_models()
    )
    return user


def test_export_action_downloads_selected_event_with_its_world(admin_client, bakery):
    event = bakery.events[0]
    response = _export(admin_client, Event, [event.pk])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="bakery-export-')
    assert disposition.endswith('.json"')
    document = _document(response)
    assert document["scope"] == {"events": [event.name]}
    assert [e["name"] for e in document["events"]] == [event.name]
    assert {t["event_name"] for t in document["event_production_targets"]} == {event.name}
    assert len(document["production_runs"]) == ProductionRun.objects.filter(event=event).count()
    assert len(document["event_recipient_packages"]) == 3


def test_export_action_adds_what_selected_records_reference(admin_client, bakery):
    tin = bakery.finished_goods[1]
    document = _document(_export(admin_client, FinishedGood, [tin.pk]))
    # Part of the bakery: scoped to no event, so that a replace with it deletes nothing.
    assert document["scope"] == {"events": []}
    assert {g["name"] for g in document["finished_goods"]} == {
        g.name for g in bakery.finished_goods
    }
    assert {u["name"] for u in document["finished_units"]} == {
        u.name for u in bakery.finished_units
    }
    assert {r["name"] for r in document["recipes"]} == {r.name for r in bakery.recipes}
    assert document["events"] == []
    assert document["production_runs"] == []
    assert document["packages"] == []


def test_export_action_of_a_run_brings_its_event_but_not_the_event_world(admin_client, bakery):
    run = bakery.production_runs[0]
    document = _document(_export(admin_client, ProductionRun, [run.pk]))
    assert [r["uuid"] for r in document["production_runs"]] == [str(run.uuid)]
    assert [e["name"] for e in document["events"]] == [run.event.name]
    assert document["event_production_targets"] == []
    assert [r["name"] for r in document["recipes"]] == [run.recipe.name]


def test_export_action_is_offered_to_a_user_who_may_view_everything(client, viewer, bakery):
    client.force_login(viewer)
    response = client.get(reverse("admin:bakery_recipe_changelist"))
    assert response.status_code == 200
    assert ACTION_NAME in _action_names(response)
    assert _export(client, Recipe, [bakery.recipes[0].pk]).status_code == 200


def test_export_action_is_hidden_and_refused_without_every_view_permission(client, viewer, bakery):
    viewer.user_permissions.remove(Permission.objects.get(codename="view_productionrun"))
    viewer = User.objects.get(pk=viewer.pk)
    client.force_login(viewer)
    response = client.get(reverse("admin:bakery_recipe_changelist"))
    assert response.status_code == 200
    assert ACTION_NAME not in _action_names(response)
    assert _export(client, Recipe, [bakery.recipes[0].pk]).status_code == 403


def test_export_action_refuses_anonymous_users(client, bakery):
    response = _export(client, Recipe, [bakery.recipes[0].pk])
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_export_action_reports_a_database_failure_on_the_page_instead_of_a_server_error(
    admin_client, bakery
):
    # A real failure of the database: the table of assembly targets is gone (the test's
    # transaction, rolled back at its end, brings it back). PostgreSQL drops no table with
    # foreign key checks pending: they are made first.
    connection.check_constraints()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {EventAssemblyTarget._meta.db_table}")
    event = bakery.events[0]

    response = _export(admin_client, Event, [event.pk])

    assert response.status_code == 302
    assert "Content-Disposition" not in response
    # The next page shows the message (the recipe list: the event list and the index, with
    # its upcoming events, need the table).
    page = admin_client.get(reverse("admin:bakery_recipe_changelist"))
    shown = [str(m) for m in page.context["messages"]]
    assert len(shown) == 1
    assert shown[0].startswith("The export failed, the database refused it: ")
    assert EventAssemblyTarget._meta.db_table in shown[0]
    assert shown[0].endswith(". Nothing was downloaded.")
    # The request's transaction goes on: the rest of the database still answers.
    assert Event.objects.filter(pk=event.pk).exists()


def test_a_replace_with_an_export_of_selected_records_deletes_nothing(
    admin_client, bakery, tmp_path
):
    tin = bakery.finished_goods[1]
    document = _document(_export(admin_client, FinishedGood, [tin.pk]))
    document["finished_goods"][0]["notes"] = "Edited in the file"
    before = {model: model.objects.count() for model in (Event, ProductionRun, FinishedGood)}

    path = write_document(tmp_path, document)
    outcome = run_import(path, "--mode", "replace", "--noinput", "--dry-run")

    assert outcome.returncode == 0, outcome.stderr
    assert "Replace mode deletes first: 0 records and 0 nested lines." in outcome.stdout
    outcome = run_import(path, "--mode", "replace", "--noinput")
    assert outcome.returncode == 0, outcome.stderr
    assert {model: model.objects.count() for model in before} == before
    name = document["finished_goods"][0]["name"]
    assert FinishedGood.objects.get(name=name).notes == "Edited in the file"
