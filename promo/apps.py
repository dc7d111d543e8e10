from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromoConfig(AppConfig):
    name = "promo"
    verbose_name = _("Promotions")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Pillow's own bomb guard at the intake's pixel cap (its warning is an error in promo.intake), so no
        # code path decodes more than intake would accept.
        Image.MAX_IMAGE_PIXELS = settings.SLIPCHECK_MAX_IMAGE_PIXELS
        # Registers the tasks with the Celery app in every process, so promo.jobs sends them by name.
        from promo import tasks  # noqa: F401
