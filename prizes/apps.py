from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrizesConfig(AppConfig):
    name = "prizes"
    verbose_name = _("Prizes")

    def ready(self) -> None:
        from prizes.codes import promo_code_extras
        from prizes.receivers import on_submission_moved
        from promo import extras
        from promo.signals import submission_moved

        submission_moved.connect(on_submission_moved, dispatch_uid="prizes.promo_codes")
        extras.register(
            "prizes.promo_code",
            promo_code_extras,
            select_related=("promo_code",),
            labels={"promo_code": _("Your promo code")},
            schema={
                "promo_code": {
                    "type": "string",
                    "description": "The instant prize of an accepted slip: a promo code the participant uses at "
                    "the shop. Absent until the slip is accepted, and while a reopened acceptance is checked again.",
                }
            },
        )
