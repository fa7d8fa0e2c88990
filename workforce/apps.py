from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "workforce"
    verbose_name = _("人员队伍")

    def ready(self) -> None:
        from workforce import receivers  # noqa: F401 - connects the receivers
