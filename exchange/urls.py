"""The admin's import pages, each behind the admin's login."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("", admin.site.admin_view(views.import_view), name="import"),
    path("preview/", admin.site.admin_view(views.preview_view), name="preview"),
    path("confirm/", admin.site.admin_view(views.confirm_view), name="confirm"),
    path("result/", admin.site.admin_view(views.result_view), name="result"),
]
