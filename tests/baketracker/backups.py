"""bake-tracker backups in each version's shape, as the app's writer makes them
(/work/shared/BAKE_TRACKER_FORMAT.md): optional fields omitted when empty, references by slug
or name, timestamps with a blind "Z".

backup(version) returns a dict; the tests change it to make each trap, then write it.
"""

import copy
import json

# The records every shape shares, written as the 3.2 writer (event-centric, 016 merge) does.
BASE_32 = {
    "version": "3.2",
    "exported_at": "2025-12-19T04:22:18.608808Z",
    "application": "bake-tracker",
    "unit_conversions": [
        {
            "ingredient_slug": "all_purpose_flour",
            "from_unit": "lb",
            "from_quantity": 1.0,
            "to_unit": "cup",
            "to_quantity": 3.6,
        }
    ],
    "ingredients": [
        {
            "name": "All-Purpose Flour",
            "slug": "all_purpose_flour",
            "category": "Flour",
            "recipe_unit": "cup",
            "is_packaging": False,
            "density_volume_value": 1.0,
            "density_volume_unit": "cup",
            "density_weight_value": 4.25,
            "density_weight_unit": "oz",
            "foodon_id": "FOODON_03310142",
        },
        {
            "name": "Granulated Sugar",
            "slug": "granulated_sugar",
            "category": "Sugar",
            "recipe_unit": "cup",
            "is_packaging": False,
        },
        {
            "name": "Cellophane Bag",
            "slug": "cellophane_bag",
            "category": "Packaging",
            "recipe_unit": None,
            "is_packaging": True,
        },
    ],
    "products": [
        {
            "ingredient_slug": "all_purpose_flour",
            "brand": "King Arthur",
            "purchase_unit": "lb",
            "purchase_quantity": 5,
            "preferred": True,
        }
    ],
    "purchases": [
        {
            "ingredient_slug": "all_purpose_flour",
            "product_brand": "King Arthur",
            "purchased_at": "2025-11-02",
            "quantity_purchased": 2.0,
            "unit_cost": 5.49,
            "total_cost": 10.98,
        }
    ],
    "inventory_items": [
        {
            "ingredient_slug": "all_purpose_flour",
            "product_brand": "King Arthur",
            "quantity": 1.5,
            "purchase_date": "2025-11-02",
        }
    ],
    "recipes": [
        {
            "name": "Sugar Cookies",
            "category": "Cookies",
            "yield_quantity": 48.0,
            "yield_unit": "cookies",
            "yield_description": "2-inch cookies",
            "estimated_time_minutes": 45,
            "ingredients": [
                {"ingredient_slug": "all_purpose_flour", "quantity": 2.75, "unit": "cup"},
                {"ingredient_slug": "granulated_sugar", "quantity": 1.5, "unit": "cup"},
            ],
            "components": [],
        },
        {
            "name": "Gingerbread",
            "category": "Cookies",
            "yield_quantity": 24.0,
            "yield_unit": "cookies",
            "ingredients": [
                {"ingredient_slug": "all_purpose_flour", "quantity": 3.0, "unit": "cup"}
            ],
            "components": [{"recipe_name": "Sugar Cookies", "quantity": 1.0}],
        },
    ],
    "finished_units": [
        {
            "slug": "sugar_cookie",
            "recipe_name": "Sugar Cookies",
            "display_name": "Sugar Cookie",
            "yield_mode": "discrete_count",
            "items_per_batch": 48,
            "item_unit": "cookie",
            "category": "Cookies",
        },
        {
            "slug": "gingerbread_man",
            "recipe_name": "Gingerbread",
            "display_name": "Gingerbread Man",
            "yield_mode": "discrete_count",
            "items_per_batch": 24,
            "item_unit": "cookie",
        },
    ],
    "finished_goods": [
        {
            "slug": "cookie_box",
            "display_name": "Cookie Box",
            "assembly_type": "gift_box",
            "description": "A dozen of each",
        }
    ],
    "compositions": [
        {
            "finished_good_slug": "cookie_box",
            "package_name": None,
            "finished_unit_slug": "sugar_cookie",
            "finished_good_component_slug": None,
            "packaging_product_id": None,
            "component_quantity": 12.0,
            "sort_order": 0,
        },
        {
            "finished_good_slug": "cookie_box",
            "package_name": None,
            "finished_unit_slug": "gingerbread_man",
            "finished_good_component_slug": None,
            "packaging_product_id": None,
            "component_quantity": 12.0,
            "sort_order": 1,
        },
        {
            "finished_good_slug": "cookie_box",
            "package_name": None,
            "finished_unit_slug": None,
            "finished_good_component_slug": None,
            "packaging_product_id": 7,
            "packaging_ingredient_slug": "cellophane_bag",
            "packaging_product_brand": "Uline",
            "component_quantity": 1.0,
            "sort_order": 2,
        },
    ],
    "packages": [{"name": "Holiday Box", "is_template": False, "description": "For family"}],
    "package_finished_goods": [
        {"package_name": "Holiday Box", "finished_good_slug": "cookie_box", "quantity": 2}
    ],
    "recipients": [
        {"name": "Alice Johnson", "household_name": "Johnsons", "address": "1 Elm St"},
        {"name": "Bob Smith"},
    ],
    "events": [
        {"name": "Christmas 2025", "event_date": "2025-12-25", "year": 2025},
        {"name": "New Year 2026", "event_date": "2026-01-01", "year": 2026, "notes": "Brunch"},
    ],
    "event_recipient_packages": [
        {
            "event_name": "Christmas 2025",
            "recipient_name": "Alice Johnson",
            "package_name": "Holiday Box",
            "quantity": 1,
            "status": "assembled",
            "fulfillment_status": "ready",
        },
        {
            "event_name": "Christmas 2025",
            "recipient_name": "Bob Smith",
            "package_name": "Holiday Box",
            "quantity": 2,
            "status": "delivered",
            "fulfillment_status": "delivered",
            "delivered_to": "Bob's porch",
        },
    ],
    "event_production_targets": [
        {"event_name": "Christmas 2025", "recipe_name": "Sugar Cookies", "target_batches": 4},
        {"event_name": "Christmas 2025", "recipe_name": "Gingerbread", "target_batches": 2},
    ],
    "event_assembly_targets": [
        {"event_name": "Christmas 2025", "finished_good_slug": "cookie_box", "target_quantity": 6}
    ],
    "production_records": [],
    "production_runs": [
        {
            "event_name": "Christmas 2025",
            "recipe_name": "Sugar Cookies",
            "num_batches": 2,
            "actual_yield": 94,
            "produced_at": "2025-12-10T15:30:00.123456Z",
        },
        {
            "event_name": "Christmas 2025",
            "recipe_name": "Sugar Cookies",
            "num_batches": 1,
            "actual_yield": 48,
            "produced_at": "2025-12-11T09:00:00Z",
            "notes": "Second oven",
        },
        {
            "event_name": None,
            "recipe_name": "Gingerbread",
            "num_batches": 3,
            "actual_yield": 70,
            "produced_at": "2025-12-12T10:00:00Z",
        },
    ],
    "assembly_runs": [
        {
            "event_name": "Christmas 2025",
            "finished_good_slug": "cookie_box",
            "quantity_assembled": 4,
            "assembled_at": "2025-12-13T11:00:00Z",
        }
    ],
}

EVENT_CENTRIC = (
    "event_production_targets",
    "event_assembly_targets",
    "production_runs",
    "assembly_runs",
)


def _v30():
    """3.0: no packaging compositions, no event-centric sections, legacy production_records,
    package status without fulfillment_status."""
    doc = copy.deepcopy(BASE_32)
    doc["version"] = "3.0"
    for key in EVENT_CENTRIC:
        del doc[key]
    doc["compositions"] = [c for c in doc["compositions"] if c["packaging_product_id"] is None]
    for c in doc["compositions"]:
        del c["package_name"]
    for erp in doc["event_recipient_packages"]:
        del erp["fulfillment_status"]
    doc["production_records"] = [
        {
            "event_name": "Christmas 2025",
            "recipe_name": "Sugar Cookies",
            "batches": 2,
            "produced_at": "2025-12-10T15:30:00Z",
            "actual_cost": 12.5,
        }
    ]
    return doc


def _v31():
    """3.1: packaging compositions (F011), still no event-centric sections."""
    doc = copy.deepcopy(BASE_32)
    doc["version"] = "3.1"
    for key in EVENT_CENTRIC:
        del doc[key]
    for erp in doc["event_recipient_packages"]:
        del erp["fulfillment_status"]
    return doc


def _v34():
    """3.4 (after 2894d73a): no unit_conversions, ingredients' display_name, products'
    package_unit, product_name on products, purchases and inventory items."""
    doc = copy.deepcopy(BASE_32)
    doc["version"] = "3.4"
    del doc["unit_conversions"]
    for ingredient in doc["ingredients"]:
        ingredient["display_name"] = ingredient.pop("name")
        ingredient.pop("recipe_unit")
    for product in doc["products"]:
        product["package_unit"] = product.pop("purchase_unit")
        product["package_unit_quantity"] = product.pop("purchase_quantity")
        product["product_name"] = "Unbleached"
    doc["exported_at"] = "2025-12-20T08:00:00Z"
    return doc


def _v35():
    """3.5: suppliers, purchases by ids, compositions' assignments."""
    doc = _v34()
    doc["version"] = "3.5"
    doc["suppliers"] = [
        {
            "id": 1,
            "uuid": "2f1c5a7e-1111-4a4a-9b9b-222233334444",
            "name": "Costco",
            "supplier_type": "physical",
            "city": "Seattle",
            "state": "WA",
            "zip_code": "98101",
            "is_active": True,
        }
    ]
    doc["purchases"] = [
        {
            "id": 1,
            "uuid": "9d0e1f2a-5555-4b4b-8c8c-666677778888",
            "product_id": 1,
            "supplier_id": 1,
            "purchase_date": "2025-12-01",
            "unit_price": "5.49",
            "quantity_purchased": 2,
        }
    ]
    for product in doc["products"]:
        product["preferred_supplier_id"] = 1
    return doc


def _v40():
    """4.0: recipes' nested finished_units and variants, events' output_mode, the ingredient
    hierarchy (from 3.6)."""
    doc = _v35()
    doc["version"] = "4.0"
    doc["exported_at"] = "2026-01-06T12:00:00.5+00:00Z"
    _hierarchy(doc)
    for recipe in doc["recipes"]:
        recipe["base_recipe_slug"] = _slug(recipe["name"])
        recipe["is_production_ready"] = True
        recipe["finished_units"] = [
            {
                "slug": u["slug"],
                "name": u["display_name"],
                "yield_mode": u["yield_mode"],
                "unit_yield_quantity": u["items_per_batch"],
                "unit_yield_unit": u["item_unit"],
            }
            for u in doc["finished_units"]
            if u["recipe_name"] == recipe["name"]
        ]
    for event in doc["events"]:
        event["output_mode"] = "bundled"
    return doc


def _v41():
    """4.1 as HEAD writes it: materials, plan state, double-suffixed timestamps."""
    doc = _v40()
    doc["version"] = "4.1"
    doc["exported_at"] = "2026-01-16T17:57:11.343835+00:00Z"
    for run in doc["production_runs"]:
        run["produced_at"] = run["produced_at"].removesuffix("Z") + "+00:00Z"
    for run in doc["assembly_runs"]:
        run["assembled_at"] = run["assembled_at"].removesuffix("Z") + "+00:00Z"
    for event in doc["events"]:
        event["plan_state"] = "draft"
        event["expected_attendees"] = 20
    doc["material_categories"] = [{"name": "Ribbons", "slug": "ribbons"}]
    doc["materials"] = [{"name": "Red Ribbon", "slug": "red_ribbon"}]
    doc["batch_decisions"] = []
    return doc


def _hierarchy(doc):
    """Put the ingredients under categories: Baking (level 0) > Dry Goods (level 1) > leaves."""
    for ingredient in doc["ingredients"]:
        ingredient["hierarchy_level"] = 2
        ingredient["parent_slug"] = "dry_goods"
    doc["ingredients"][:0] = [
        {"display_name": "Baking", "slug": "baking", "category": "", "hierarchy_level": 0},
        {
            "display_name": "Dry Goods",
            "slug": "dry_goods",
            "category": "",
            "hierarchy_level": 1,
            "parent_slug": "baking",
        },
    ]


def _slug(name):
    return name.lower().replace(" ", "_")


def _v32():
    return copy.deepcopy(BASE_32)


SHAPES = {
    "3.0": _v30,
    "3.1": _v31,
    "3.2": _v32,
    "3.4": _v34,
    "3.5": _v35,
    "4.0": _v40,
    "4.1": _v41,
}


def backup(version: str = "3.2") -> dict:
    """Return a backup in the shape the app writes at that version."""
    return SHAPES[version]()


def write(directory, document, name="backup.json") -> str:
    path = directory / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return str(path)
