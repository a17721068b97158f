from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "Exchange"

    def ready(self):
        from . import admin  # noqa: F401 - adds the export action to the bakery admins
