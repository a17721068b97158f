"""Admin for the catalog and the people; events and their assignments are in production.admin.

The join tables (recipe ingredients, compositions, package contents) are edited inline on
their parent's page; their own pages are kept for the export action but not listed.
"""

from django.contrib import admin

from bakery.adminkit import BakeryAdmin, BakeryInline

from .models import (
    Composition,
    FinishedGood,
    FinishedUnit,
    Ingredient,
    Package,
    PackageFinishedGood,
    Recipe,
    RecipeIngredient,
    Recipient,
)


class RecipeIngredientInline(BakeryInline):
    model = RecipeIngredient
    autocomplete_fields = ("ingredient",)
    fields = ("ingredient", "quantity", "unit", "notes")
    extra = 1


class CompositionInline(BakeryInline):
    model = Composition
    fk_name = "assembly"
    autocomplete_fields = ("finished_unit", "finished_good")
    fields = ("finished_unit", "finished_good", "quantity", "sort_order")
    extra = 1


class PackageFinishedGoodInline(BakeryInline):
    model = PackageFinishedGood
    autocomplete_fields = ("finished_good",)
    fields = ("finished_good", "quantity")
    extra = 1


@admin.register(Ingredient)
class IngredientAdmin(BakeryAdmin):
    list_display = ("name", "category", "recipe_unit")
    list_filter = ("category",)
    search_fields = ("name", "category")


@admin.register(Recipe)
class RecipeAdmin(BakeryAdmin):
    list_display = ("name", "category", "yield_quantity", "yield_unit", "estimated_time_minutes")
    list_filter = ("category",)
    search_fields = ("name", "category", "ingredients__ingredient__name")
    inlines = (RecipeIngredientInline,)


@admin.register(RecipeIngredient)
class RecipeIngredientAdmin(BakeryAdmin):
    inline_only = True
    list_display = ("recipe", "ingredient", "quantity", "unit")
    list_filter = ("ingredient__category",)
    list_select_related = ("recipe", "ingredient")
    search_fields = ("recipe__name", "ingredient__name")
    autocomplete_fields = ("recipe", "ingredient")


@admin.register(FinishedUnit)
class FinishedUnitAdmin(BakeryAdmin):
    list_display = (
        "name",
        "recipe",
        "yield_mode",
        "items_per_batch",
        "batch_percentage",
        "inventory_count",
    )
    list_filter = ("yield_mode", "recipe__category")
    list_select_related = ("recipe",)
    search_fields = ("name", "recipe__name")
    autocomplete_fields = ("recipe",)


@admin.register(FinishedGood)
class FinishedGoodAdmin(BakeryAdmin):
    list_display = ("name", "inventory_count", "description")
    search_fields = ("name", "description")
    inlines = (CompositionInline,)


@admin.register(Composition)
class CompositionAdmin(BakeryAdmin):
    inline_only = True
    list_display = ("assembly", "component", "quantity", "sort_order")
    list_select_related = ("assembly", "finished_unit", "finished_good")
    search_fields = ("assembly__name", "finished_unit__name", "finished_good__name")
    autocomplete_fields = ("assembly", "finished_unit", "finished_good")


@admin.register(Package)
class PackageAdmin(BakeryAdmin):
    list_display = ("name", "is_template", "description")
    list_filter = ("is_template",)
    search_fields = ("name", "description")
    inlines = (PackageFinishedGoodInline,)


@admin.register(PackageFinishedGood)
class PackageFinishedGoodAdmin(BakeryAdmin):
    inline_only = True
    list_display = ("package", "finished_good", "quantity")
    list_filter = ("package__is_template",)
    list_select_related = ("package", "finished_good")
    search_fields = ("package__name", "finished_good__name")
    autocomplete_fields = ("package", "finished_good")


@admin.register(Recipient)
class RecipientAdmin(BakeryAdmin):
    list_display = ("name", "household_name")
    search_fields = ("name", "household_name", "address")
