"""Who may download the admin's bakery export: never an anonymous user, a staff user only with
view permission on every model a document can hold, whichever change list and POST they try.

A document holds every section, so a user who may not view one of its models gets no download
at all: that is how a download never includes a model its user may not view.
"""

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from exchange.admin import ACTION_NAME, ExportActionMixin
from exchange.permissions import exported_models
from exchange.schema import FORMAT, SECTIONS

# Every change list of the admin, those offering the export and the others (users, groups).
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
EXPORTING = [m for m in REGISTERED if isinstance(admin.site._registry[m], ExportActionMixin)]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def view_permission(model) -> Permission:
    return Permission.objects.get(
        content_type__app_label=model._meta.app_label, codename=f"view_{model._meta.model_name}"
    )


def post_export(client, model, select_across=False):
    """POST the export action to a change list, selecting its first record (or all of them)."""
    first = model._default_manager.order_by("pk").first()
    data = {"action": ACTION_NAME, "_selected_action": [str(first.pk)] if first else []}
    if select_across:
        data["select_across"] = "1"
    return client.post(changelist(model), data)


def is_download(response) -> bool:
    return response.has_header("Content-Disposition") or getattr(response, "streaming", False)


def action_names(response) -> list[str]:
    form = response.context["action_form"] if response.context else None
    return [] if form is None else [name for name, _ in form.fields["action"].choices]


def staff(username: str, models=(), **fields) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True, **fields)
    user.user_permissions.set(view_permission(m) for m in models)
    return user


def assert_no_download_anywhere(client, status: int):
    """POST the action to every change list, for the selection and for all records."""
    for model in REGISTERED:
        for select_across in (False, True):
            response = post_export(client, model, select_across)
            assert not is_download(response), model
            assert response.status_code == status, (model, response.status_code)
            assert FORMAT.encode() not in response.content


def test_every_exported_model_has_a_change_list_offering_the_export():
    assert set(exported_models()) <= set(EXPORTING)
    assert len(REGISTERED) > len(EXPORTING)


def test_anonymous_user_is_sent_to_the_login_page_from_every_change_list(client, bakery):
    assert_no_download_anywhere(client, 302)

    response = post_export(client, EXPORTING[0])
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_any_permission_is_refused_on_every_change_list(client, bakery):
    client.force_login(staff("nobody"))

    assert_no_download_anywhere(client, 403)


@pytest.mark.parametrize("missing", exported_models(), ids=lambda m: m._meta.label)
def test_staff_lacking_one_view_permission_gets_no_download_by_any_post(client, bakery, missing):
    user = staff("almost", [m for m in exported_models() if m is not missing])
    client.force_login(user)

    # The action is not offered where the change list shows...
    for model in EXPORTING:
        if model is not missing:
            response = client.get(changelist(model))
            assert response.status_code == 200
            assert ACTION_NAME not in action_names(response)
    # ...and a forged POST is refused on every change list.
    assert_no_download_anywhere(client, 403)


def test_staff_with_every_view_permission_downloads_the_whole_document_anywhere(client, bakery):
    client.force_login(staff("viewer", exported_models()))

    for model in EXPORTING:
        response = client.get(changelist(model))
        assert ACTION_NAME in action_names(response)
        for select_across in (False, True):
            response = post_export(client, model, select_across)
            assert response.status_code == 200, model
            assert response["Content-Disposition"].startswith('attachment; filename="bakery-')
            document = json.loads(b"".join(response.streaming_content))
            assert document["format"] == FORMAT
            assert [k for k in document if k in {s.key for s in SECTIONS}] == [
                s.key for s in SECTIONS
            ]


def test_view_permissions_given_by_a_group_allow_the_download_and_one_less_refuses_it(
    client, bakery
):
    group = Group.objects.create(name="Bakers")
    group.permissions.set(view_permission(m) for m in exported_models())
    user = staff("member")
    user.groups.add(group)
    client.force_login(user)

    assert post_export(client, EXPORTING[0]).status_code == 200
    group.permissions.remove(view_permission(exported_models()[-1]))
    response = post_export(client, EXPORTING[0])
    assert response.status_code == 403
    assert not is_download(response)


def test_permission_removed_after_the_page_was_shown_refuses_the_post(client, bakery):
    user = staff("viewer", exported_models())
    client.force_login(user)
    recipes = next(m for m in EXPORTING if m._meta.model_name == "recipe")
    assert ACTION_NAME in action_names(client.get(changelist(recipes)))

    user.user_permissions.remove(view_permission(exported_models()[0]))
    response = post_export(client, recipes)

    assert response.status_code == 403
    assert not is_download(response)


@pytest.mark.parametrize(
    "fields",
    [{"is_staff": False, "is_superuser": True}, {"is_active": False, "is_superuser": True}],
    ids=["not-staff", "inactive"],
)
def test_user_the_admin_does_not_let_in_gets_no_download_whatever_the_permissions(
    client, bakery, fields
):
    user = User.objects.create_user("outsider", password="pw", **{"is_staff": True, **fields})
    user.user_permissions.set(view_permission(m) for m in exported_models())
    client.force_login(user)

    response = post_export(client, EXPORTING[0])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not is_download(response)
