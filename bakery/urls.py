"""URL configuration: the admin is the application's user interface."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

# The index adds a "Bakery data" module linking to the import page.
admin.site.index_template = "exchange/admin_index.html"

urlpatterns = [
    path("admin/import/", include("exchange.urls")),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
