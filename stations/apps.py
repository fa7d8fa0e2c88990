from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("站点与区划")

    def ready(self) -> None:
        from stations import scoping, signals  # noqa: F401 - connects the receivers

        scoping.register_scope_provider(scoping.FACILITIES, scoping.network_facilities)
