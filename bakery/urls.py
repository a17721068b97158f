"""URL configuration: the admin is the application's user interface."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

# The admin is the bakery's tool: its title, and an index that opens with the upcoming events
# and a "Bakery data" module linking to the import page.
admin.site.site_header = "Bakery"
admin.site.site_title = "Bakery"
admin.site.index_title = "Your bakery"
admin.site.index_template = "production/admin_index.html"

urlpatterns = [
    path("admin/import/", include("exchange.urls")),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
