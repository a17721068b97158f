"""Each rule declared with a section (exchange/schema.py) holds what the model itself holds:
the same bad record is refused by the import and by the model's full_clean() or constraints,
and the same good one accepted by both, so the two cannot drift apart."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from exchange.rules import DefaultFrom, MatchesReferenced, NewUuid, NoCycle, RequiredWhen
from exchange.schema import SECTIONS
from tests.factories import RecipeFactory
from tests.helpers import NAMES, minimal_document, run_import, write_document

RULES = [(section, rule) for section in SECTIONS for rule in section.rules]


def imported(tmp_path, document, *args, name="bakery.json"):
    """Import a document and return the outcome, which must be a success."""
    outcome = run_import(write_document(tmp_path, document, name), *args)
    assert outcome.returncode == 0, outcome.stderr + outcome.message
    return outcome


def refused(tmp_path, document, *args) -> list[str]:
    """Import a document that must be refused; return the problem lines."""
    outcome = run_import(write_document(tmp_path, document, "refused.json"), *args)
    assert outcome.returncode == 1, outcome.stdout
    return outcome.lines


def model_refuses(instance, field: str):
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    assert field in caught.value.message_dict


def holds_required_when(section, rule: RequiredWhen, tmp_path):
    for mode, key in rule.required.items():
        document = minimal_document()
        record = document[section.key][0]
        record[rule.by] = mode
        imported(tmp_path, document, "--mode", "update")
        instance = section.model.objects.get(name=record["name"])
        instance.full_clean()

        record[key] = None
        record["name"] = f"{record['name']} without {key}"
        assert refused(tmp_path, document) == [
            f"{section.key}[0].{key}: is required when {rule.by} is {mode!r}"
        ]
        setattr(instance, section.field_map[key].attr, None)
        with pytest.raises(ValidationError):
            instance.full_clean()


def holds_default_from(section, rule: DefaultFrom, tmp_path):
    document = minimal_document()
    record = document[section.key][0]
    del record[rule.key]
    imported(tmp_path, document)

    stored = section.model.objects.get(name=record["name"])
    source = getattr(stored, section.field_map[rule.source].attr)
    built = section.model(
        name="Built by the model", **{section.field_map[rule.source].attr: source}
    )
    built.full_clean()
    assert getattr(stored, section.field_map[rule.key].attr) == rule.derive(source)
    assert getattr(built, section.field_map[rule.key].attr) == rule.derive(source)


def holds_new_uuid(section, rule: NewUuid, tmp_path):
    document = minimal_document()
    del document[section.key][0][rule.key]
    outcome = imported(tmp_path, document)

    assert f"warning: {section.key}[0].{rule.key}: missing; a new uuid was given" in outcome.stderr
    stored = getattr(section.model.objects.get(), rule.key)
    built = getattr(section.model(), rule.key)
    assert isinstance(stored, uuid.UUID) and isinstance(built, uuid.UUID)
    assert stored.version == built.version == 4


def holds_matches_referenced(section, rule: MatchesReferenced, tmp_path):
    document = minimal_document()
    imported(tmp_path, document)
    record = dict(document[section.key][0], uuid=str(uuid.uuid4()))
    referenced = record[rule.ref]
    other = RecipeFactory(name="Another Recipe")

    for mode in ("merge", "update"):
        agreeing = minimal_document() | {section.key: [record]}
        imported(tmp_path, agreeing, "--mode", mode, "--noinput", name=f"agreeing-{mode}.json")
        disagreeing = minimal_document() | {
            section.key: [dict(record, uuid=str(uuid.uuid4()), **{rule.key: other.name})]
        }
        their = minimal_document()[section.field_map[rule.ref].ref][0][rule.their]
        assert refused(tmp_path, disagreeing, "--mode", mode, "--noinput") == [
            f"{section.key}[0].{rule.ref}: {referenced!r} is made from {their!r}, "
            f"not from {other.name!r}"
        ]

    run = section.model.objects.get(uuid=record["uuid"])
    run.full_clean()
    setattr(run, section.field_map[rule.key].attr, other)
    model_refuses(run, section.field_map[rule.ref].attr)


def holds_no_cycle(section, rule: NoCycle, tmp_path):
    document = minimal_document()
    imported(tmp_path, document)
    box = NAMES[section.key]
    nested = section.nested
    component = {k: None for k in nested.identity} | {"quantity": 1, "sort_order": 0}
    tin = {"name": "Tin", "components": [component | {rule.ref: box}]}
    imported(tmp_path, minimal_document() | {section.key: [tin]}, name="tin.json")

    box_in_tin = dict(document[section.key][0])
    box_in_tin[nested.key] = [component | {rule.ref: "Tin"}]
    cycle = minimal_document() | {section.key: [box_in_tin]}
    assert refused(tmp_path, cycle, "--mode", "update") == [
        f"{section.key}[0].{nested.key}[0].{rule.ref}: {box!r} would contain itself: "
        f"{box} → Tin → {box}"
    ]
    parent = {nested.parent_attr: section.model.objects.get(name=box)}
    target = section.model.objects.get(name="Tin")
    child_field = nested.fields[[f.key for f in nested.fields].index(rule.ref)].attr
    composition = nested.model(**parent, **{child_field: target}, quantity=1, sort_order=0)
    model_refuses(composition, child_field)


CASES = {
    RequiredWhen: holds_required_when,
    DefaultFrom: holds_default_from,
    NewUuid: holds_new_uuid,
    MatchesReferenced: holds_matches_referenced,
    NoCycle: holds_no_cycle,
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("section", "rule"),
    RULES,
    ids=[f"{section.key}-{type(rule).__name__}" for section, rule in RULES],
)
def test_a_declared_rule_refuses_and_accepts_what_the_model_does(section, rule, tmp_path):
    assert type(rule) in CASES, f"no test holds {type(rule).__name__} against the model"
    CASES[type(rule)](section, rule, tmp_path)


def test_every_kind_of_rule_is_declared_somewhere():
    assert {type(rule) for _, rule in RULES} == set(CASES)
