from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from promo.signals import submission_erased, submission_moved
        from webhooks import tasks  # noqa: F401 - registered in every process: deliveries sends them by name
        from webhooks.receivers import on_submission_erased, on_submission_moved

        # Receivers run in the order they were connected, and apps are ready in INSTALLED_APPS order: webhooks
        # comes after prizes, so the promo code an acceptance is handed is in the payload frozen here.
        submission_moved.connect(on_submission_moved, dispatch_uid="webhooks.deliveries")
        # Personal data erased (promo.privacy): the frozen bodies are scrubbed by the same rules.
        submission_erased.connect(on_submission_erased, dispatch_uid="webhooks.erase")
