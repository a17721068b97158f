from bakery.models import Composition, EventRecipientPackage, FulfillmentStatus
from production.models import AssemblyRun, ProductionRun


def test_build_bakery_makes_every_status_nested_goods_and_standalone_runs(bakery):
    statuses = set(EventRecipientPackage.objects.values_list("fulfillment_status", flat=True))
    assert statuses == set(FulfillmentStatus.values)
    assert Composition.objects.filter(finished_good__isnull=False).exists()
    assert ProductionRun.objects.filter(event__isnull=True).count() == 1
    assert AssemblyRun.objects.filter(event__isnull=True).count() == 1
    assert ProductionRun.objects.filter(event__isnull=False).count() == 4
    for run in ProductionRun.objects.all():
        run.full_clean()
