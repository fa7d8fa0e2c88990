from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("政府购买服务")

    def ready(self) -> None:
        from procurement import scoping

        scoping.register()
