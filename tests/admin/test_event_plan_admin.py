"""The plan in the admin: the event page, the printable page, the CSV lists, the index."""

import datetime
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from bakery.models import Event, Ingredient, Recipient
from tests.factories import (
    PLAN_CASE_SHOPPING_CSV,
    EventAssemblyTargetFactory,
    EventFactory,
    EventProductionTargetFactory,
    ProductionRunFactory,
    plan_case,
)


def event_url(view, *args):
    return reverse(f"admin:bakery_event_{view}", args=args)


@pytest.fixture
def christmas(db):
    """Christmas 2025 of tests.factories.plan_case (its numbers are in its docstring)."""
    return plan_case()


class _Rows(HTMLParser):
    """Collect the rows of the tables inside the element of one id, cells joined by '|'."""

    def __init__(self, element_id):
        super().__init__()
        self.element_id, self.depth, self.rows, self.cell = element_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in VOID
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = ""
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if tag in ("td", "th"):
                self.rows[-1].append(self.cell.strip())
                self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


VOID = {"br", "img", "input", "meta", "link", "hr"}


def rows(response, element_id) -> list[str]:
    """Return the rows of the tables inside an element of a page, cells joined by '|'."""
    parser = _Rows(element_id)
    parser.feed(response.content.decode())
    return ["|".join(cells) for cells in parser.rows]


def test_event_page_shows_the_plan_under_the_progress_worked_out_by_hand(admin_client, christmas):
    response = admin_client.get(event_url("change", christmas.pk))

    content = response.content.decode()
    assert content.index("Targets complete") < content.index('id="plan-production"')
    assert rows(response, "plan-production") == [
        "Recipe|Target|Produced|Remaining",
        "Bread|2|0|2",
        "Cake|2|3|0",
        "Cookies|4|1|3",
    ]
    assert rows(response, "plan-assembly") == [
        "Finished good|Target|Assembled|Remaining",
        "Box|5|7|0",
        "Tin|3|1|2",
    ]
    # 2 tins left, each 2 boxes of 12 cookies and a slice of cake.
    assert rows(response, "plan-units_needed") == [
        "Finished unit|Quantity",
        "Cake slice|2",
        "Cookie|48",
    ]
    # 2 batches of bread and 3 of cookies left.
    assert rows(response, "plan-shopping_list") == [
        "Ingredient|Unit|Quantity",
        "Butter|cup|1.5",
        "Flour|cup|6.75",
        "Flour|g|200",
        "Sugar|cup|3",
        "Yeast|tsp|0.5",
    ]
    assert rows(response, "plan-packing") == [
        "Recipient|Package|Quantity|Status",
        "Bob|Gift|1|Pending",
        "Carol|Gift|2|Ready",
    ]


def test_event_page_summary_says_how_many_targets_of_each_kind_are_met(admin_client, christmas):
    response = admin_client.get(event_url("change", christmas.pk))

    assertContains(response, "<p>Production: 1 of 3 recipes at target</p>", html=True)
    assertContains(response, "<p>Assembly: 1 of 2 goods at target</p>", html=True)
    assertContains(
        response, "<p>Packages: 1 pending, 1 ready, 1 delivered, 3 in all</p>", html=True
    )


def test_summary_of_an_event_with_one_target_of_each_kind_is_singular(admin_client, db):
    event = EventFactory()
    target = EventProductionTargetFactory(event=event, target_batches=1)
    ProductionRunFactory(event=event, finished_unit__recipe=target.recipe, num_batches=1)
    EventAssemblyTargetFactory(event=event, target_quantity=2)

    response = admin_client.get(event_url("change", event.pk))

    assertContains(response, "<p>Production: 1 of 1 recipe at target</p>", html=True)
    assertContains(response, "<p>Assembly: 0 of 1 good at target</p>", html=True)


def test_event_page_of_an_event_without_targets_says_so_in_each_part(admin_client, db):
    event = EventFactory()

    response = admin_client.get(event_url("change", event.pk))

    assertContains(response, "<p>Production: 0 of 0 recipes at target</p>", html=True)
    for empty in ("No production targets.", "Nothing to buy.", "Nothing left to pack."):
        assertContains(response, f'<p class="plan-empty">{empty}</p>', html=True)


def test_event_page_links_to_the_printable_plan_and_both_csv_lists(admin_client, christmas):
    response = admin_client.get(event_url("change", christmas.pk))

    pk = christmas.pk
    assertContains(response, f'href="{event_url("plan", pk)}"')
    assertContains(response, f'href="{event_url("plan_csv", pk, "shopping")}"')
    assertContains(response, f'href="{event_url("plan_csv", pk, "packing")}"')
    assert event_url("plan_csv", pk, "shopping") == f"/admin/bakery/event/{pk}/plan/shopping.csv"


def test_printable_plan_has_the_plan_and_no_admin_chrome(admin_client, christmas):
    response = admin_client.get(event_url("plan", christmas.pk))

    assert response.status_code == 200
    assertContains(response, "<title>Christmas 2025: what is left to do | Bakery</title>")
    assertContains(response, "<h1>Christmas 2025</h1>", html=True)
    assertContains(response, "production/plan_print.css")
    assert rows(response, "plan-shopping_list")[1:] == [
        "Butter|cup|1.5",
        "Flour|cup|6.75",
        "Flour|g|200",
        "Sugar|cup|3",
        "Yeast|tsp|0.5",
    ]
    for chrome in ('id="header"', 'id="nav-sidebar"', 'id="user-tools"', "breadcrumbs"):
        assertNotContains(response, chrome)


def test_shopping_list_csv_is_the_commands_csv_as_a_download(admin_client, christmas):
    response = admin_client.get(event_url("plan_csv", christmas.pk, "shopping"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="christmas-2025-shopping-list.csv"'
    )
    assert response.content.decode() == PLAN_CASE_SHOPPING_CSV


def test_packing_list_csv_lists_what_is_not_yet_delivered(admin_client, christmas):
    response = admin_client.get(event_url("plan_csv", christmas.pk, "packing"))

    assert response["Content-Disposition"] == (
        'attachment; filename="christmas-2025-packing-list.csv"'
    )
    assert response.content.decode() == (
        "recipient,package,quantity,status\nBob,Gift,1,Pending\nCarol,Gift,2,Ready\n"
    )


def test_an_unknown_list_or_event_is_not_found(admin_client, christmas):
    assert admin_client.get(f"/admin/bakery/event/{christmas.pk}/plan/recipes.csv").status_code == (
        404
    )
    assert admin_client.get(event_url("plan", christmas.pk + 1000)).status_code == 404
    assert admin_client.get(event_url("plan_csv", christmas.pk + 1000, "shopping")).status_code == (
        404
    )
    for url in ("/admin/bakery/event/abc/plan/", "/admin/bakery/event/abc/plan/shopping.csv"):
        assert admin_client.get(url).status_code == 404


def staff(*codenames):
    user = User.objects.create_user("-".join(codenames), password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_the_plan_pages_need_permission_to_view_events(client, christmas):
    plan = event_url("plan", christmas.pk)
    shopping = event_url("plan_csv", christmas.pk, "shopping")
    for url in (plan, shopping):
        assert client.get(url).status_code == 302  # to the login page

    client.force_login(staff("view_recipe"))
    for url in (plan, shopping):
        assert client.get(url).status_code == 403

    for codename in ("view_event", "change_event"):
        client.force_login(staff(codename))
        for url in (plan, shopping):
            assert client.get(url).status_code == 200


def test_who_gets_which_package_needs_permission_to_view_the_assignments(client, christmas):
    packing = event_url("plan_csv", christmas.pk, "packing")
    pages = [event_url("change", christmas.pk), event_url("plan", christmas.pk)]

    client.force_login(staff("view_event"))
    assert client.get(packing).status_code == 403
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        assert rows(response, "plan-shopping_list")  # the rest of the plan is there
        assertNotContains(response, 'id="plan-packing"')
        assertNotContains(response, packing)
        assertNotContains(response, "Carol")

    client.force_login(staff("view_event", "view_eventrecipientpackage"))
    assert client.get(packing).status_code == 200
    for url in pages:
        assert rows(client.get(url), "plan-packing")[1:] == [
            "Bob|Gift|1|Pending",
            "Carol|Gift|2|Ready",
        ]


def test_csv_lists_write_a_name_a_spreadsheet_would_run_as_text(admin_client, christmas):
    Recipient.objects.filter(name="Bob").update(name='=HYPERLINK("http://x","y")')
    Recipient.objects.filter(name="Carol").update(name="+Carol")
    Ingredient.objects.filter(name="Sugar").update(name="@Sugar")
    Ingredient.objects.filter(name="Yeast").update(name="-Yeast")

    packing = admin_client.get(event_url("plan_csv", christmas.pk, "packing"))
    shopping = admin_client.get(event_url("plan_csv", christmas.pk, "shopping"))

    assert packing.content.decode().splitlines()[1:] == [
        "'+Carol,Gift,2,Ready",
        '"\'=HYPERLINK(""http://x"",""y"")",Gift,1,Pending',
    ]
    assert shopping.content.decode().splitlines()[1:] == [
        "'-Yeast,tsp,0.5",
        "'@Sugar,cup,3",
        "Butter,cup,1.5",
        "Flour,cup,6.75",
        "Flour,g,200",
    ]
    # The page shows the names as they are.
    page = admin_client.get(event_url("plan", christmas.pk))
    assert "+Carol|Gift|2|Ready" in rows(page, "plan-packing")


def test_event_list_shows_the_nearest_upcoming_first_then_the_past_latest_first(admin_client, db):
    today = timezone.localdate()
    for name, days in [
        ("Last year", -400),
        ("Far", 200),
        ("Yesterday", -1),
        ("Next week", 7),
        ("Today", 0),
    ]:
        EventFactory(name=name, event_date=today + datetime.timedelta(days=days))

    response = admin_client.get(event_url("changelist"))

    names = [event.name for event in response.context["cl"].result_list]
    assert names == ["Today", "Next week", "Far", "Yesterday", "Last year"]
    # No column's heading claims this order as its own.
    assertNotContains(response, "sorted ascending")
    assertNotContains(response, "sorted descending")
    # A column's heading still sorts by that column.
    by_name = admin_client.get(event_url("changelist"), {"o": "1"})
    assert [e.name for e in by_name.context["cl"].result_list] == sorted(names)


@pytest.fixture
def calendar(db):
    """Events around today: one past, four upcoming (the index shows the next three)."""
    today = timezone.localdate()
    events = {}
    for name, days in [("Past", -3), ("Later", 40), ("Soon", 5), ("Now", 0), ("Much later", 90)]:
        events[name] = EventFactory(name=name, event_date=today + datetime.timedelta(days=days))
    EventProductionTargetFactory(event=events["Soon"], target_batches=2)
    return events


def test_admin_index_opens_with_the_next_three_events_and_their_progress(admin_client, calendar):
    response = admin_client.get(reverse("admin:index"))

    content = response.content.decode()
    module = content[content.index('id="upcoming-events"') :]
    module = module[: module.index('id="bakery-data-module"')]
    shown = [name for name in calendar if f">{name}</a></h3>" in module]
    assert sorted(shown, key=module.index) == ["Now", "Soon", "Later"]
    assert "today" in module and "in 5 days" in module and "in 40 days" in module
    assert module.count("Targets complete") == 3
    assert "Production: 0 of 1 recipe at target" in module
    assert f'href="{event_url("change", calendar["Soon"].pk)}"' in module
    # Before the import link and the models.
    assert content.index('id="upcoming-events"') < content.index('id="bakery-data-module"')


def test_admin_index_says_when_no_event_is_coming(admin_client, db):
    EventFactory(event_date=timezone.localdate() - datetime.timedelta(days=1))

    response = admin_client.get(reverse("admin:index"))

    assertContains(response, "No upcoming events.")
    assertContains(response, f'href="{event_url("add")}"')


def test_admin_index_shows_the_events_to_a_user_who_may_change_them(client, calendar):
    client.force_login(staff("change_event"))

    response = client.get(reverse("admin:index"))

    assertContains(response, 'id="upcoming-events"')
    assertContains(response, ">Soon</a></h3>", html=False)


def test_admin_index_offers_to_add_an_event_only_to_who_may(client, db):
    client.force_login(staff("view_event"))
    assertContains(client.get(reverse("admin:index")), "No upcoming events.")
    assertNotContains(client.get(reverse("admin:index")), event_url("add"))

    client.force_login(staff("view_event", "add_event"))
    assertContains(client.get(reverse("admin:index")), event_url("add"))


def test_admin_index_shows_no_events_to_a_user_who_may_not_see_them(client, calendar):
    client.force_login(staff("view_recipe"))

    response = client.get(reverse("admin:index"))

    assertNotContains(response, "upcoming-events")
    assertNotContains(response, "Soon")


def test_the_site_is_titled_bakery(admin_client, db):
    response = admin_client.get(reverse("admin:index"))

    assertContains(response, "<title>Your bakery | Bakery</title>", html=True)
    assertContains(response, '<a href="/admin/">Bakery</a>', html=True)
    assert Event.objects.count() == 0
