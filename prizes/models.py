"""Promo codes, the prize draw and the store registry (issue 13).

Instant prizes: a campaign's pool of promo codes; each accepted submission is bound to one (a OneToOne, so the
database itself forbids a second), handed out by a receiver of promo.signals.submission_moved inside the move's
transaction. The draw: a published, reproducible ranking of a period's accepted submissions (prizes/DRAW.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from promo.models import Campaign, Submission

CODE_MAX_LENGTH = 64


class PrizeSettings(models.Model):
    """A campaign's prize rules. Without a row, the defaults apply (a revoked acceptance voids its code)."""

    class OnRevoke(models.TextChoices):
        # The code was shown to someone whose acceptance was withdrawn: safest never to hand it out again.
        VOID = "void", _("void the code (never handed out again)")
        RETURN = "return", _("return the code to the pool")

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="prize_settings"
    )
    on_revoke = models.CharField(
        _("when an acceptance is withdrawn"),
        max_length=8,
        choices=OnRevoke.choices,
        default=OnRevoke.VOID,
        help_text=_(
            "What happens to the promo code of a submission whose acceptance is revoked (or rejected after a "
            "reopening). Return it only if a code shown to that participant cannot have been used."
        ),
    )

    class Meta:
        verbose_name = _("prize settings")
        verbose_name_plural = _("prize settings")

    def __str__(self) -> str:
        return str(self.campaign)


class PromoCode(models.Model):
    """One code of a campaign's pool: free (no submission, not voided), handed out (a submission), or voided."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="promo_codes"
    )
    code = models.CharField(_("code"), max_length=CODE_MAX_LENGTH)
    # One code per submission, enforced by the database's unique index (nulls are free codes).
    submission = models.OneToOneField(
        Submission,
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="promo_code",
    )
    assigned_at = models.DateTimeField(_("handed out at"), null=True, blank=True)
    # A voided code keeps the submission it was taken from (for the audit), but no longer binds it.
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_from = models.ForeignKey(
        Submission,
        verbose_name=_("voided with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")
        default_permissions = ("add", "view", "delete")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="promocode_unique_in_campaign"),
            models.CheckConstraint(
                condition=models.Q(submission__isnull=True) | models.Q(voided_at__isnull=True),
                name="promocode_voided_is_unbound",
            ),
        ]
        indexes = [
            # The claim's question: a free code of this campaign (PostgreSQL: a partial index of free codes only).
            models.Index(
                fields=["campaign", "id"],
                name="promocode_free",
                condition=models.Q(submission__isnull=True, voided_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_free(self) -> bool:
        return self.submission_id is None and self.voided_at is None


class CodeShortage(models.Model):
    """An accepted submission that got no code because its campaign's pool was empty: the acceptance stands, and
    staff see whom to give a code once more are uploaded."""

    submission = models.OneToOneField(
        Submission, verbose_name=_("submission"), on_delete=models.PROTECT, related_name="code_shortage"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("noted at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("code given at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("promo code shortage")
        verbose_name_plural = _("promo code shortages")
        default_permissions = ("view", "change")

    def __str__(self) -> str:
        return str(self.submission_id)


class Draw(models.Model):
    """A prize draw among a period's accepted submissions. Announced first (its seed, before the period ends), run
    once afterwards; what it published is stored with it and never edited."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="draws"
    )
    name = models.CharField(_("name"), max_length=100)
    period_starts_on = models.DateField(_("period: first day"))
    period_ends_on = models.DateField(_("period: last day"))
    winners_count = models.PositiveIntegerField(_("number of winners"))
    allow_repeat = models.BooleanField(
        _("a participant may win more than once"),
        default=False,
        help_text=_("Otherwise the draw passes over a participant's further entries once they won."),
    )
    seed = models.CharField(_("seed"), max_length=128)
    seed_announced_at = models.DateTimeField(_("seed announced at"))
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("announced by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A secret of this draw (never published) that turns participant ids into pseudonyms no one outside can link
    # to a participant or across draws; an auditor given it can check them.
    pseudonym_salt = models.CharField(max_length=64, editable=False)
    ran_at = models.DateTimeField(_("ran at"), null=True, blank=True)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ran by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entries_count = models.PositiveIntegerField(_("entries"), null=True, blank=True)
    entries_sha256 = models.CharField(_("SHA-256 of the entries"), max_length=64, blank=True)
    # What anyone may re-run with prizes/verify_draw.py: seed, entries, n, allow_repeat and the winners.
    published = models.JSONField(_("published record"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-seed_announced_at"]
        verbose_name = _("prize draw")
        verbose_name_plural = _("prize draws")
        default_permissions = ("view",)
        permissions = [
            ("run_draw", _("Can announce and run prize draws")),
            (
                "view_registry",
                _("Can see the winners' registry for stores (never more of a card than the last 4)"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="draw_unique_name_in_campaign"),
            models.CheckConstraint(
                condition=models.Q(period_ends_on__gte=models.F("period_starts_on")), name="draw_period_valid"
            ),
            models.CheckConstraint(condition=models.Q(winners_count__gte=1), name="draw_has_winners"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.name}"

    @property
    def has_run(self) -> bool:
        return self.ran_at is not None


class DrawWinner(models.Model):
    """A winner of a draw, in rank order, as published (its entry hash)."""

    draw = models.ForeignKey(Draw, verbose_name=_("draw"), on_delete=models.PROTECT, related_name="winners")
    rank = models.PositiveIntegerField(_("rank"))
    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.PROTECT, related_name="draw_wins"
    )
    entry = models.CharField(_("entry"), max_length=64)

    class Meta:
        ordering = ["draw", "rank"]
        verbose_name = _("draw winner")
        verbose_name_plural = _("draw winners")
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["draw", "rank"], name="drawwinner_unique_rank"),
            models.UniqueConstraint(fields=["draw", "submission"], name="drawwinner_unique_submission"),
        ]

    def __str__(self) -> str:
        return f"{self.draw} #{self.rank}"
