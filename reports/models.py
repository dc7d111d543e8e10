"""Campaign reports for marketing: who may see them is a permission of its own (no photos, no contacts).

Exports of submissions built in the background are ExportJob rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportAccess(models.Model):
    """No table: the holder of the permissions below (the marketing role) sees the reports."""

    class Meta:
        managed = False
        verbose_name = _("campaign report")
        verbose_name_plural = _("campaign reports")
        default_permissions = ()
        permissions = [
            ("view_reports", _("Can see campaign reports")),
            ("export_submissions", _("Can export submissions (never more of a card than the last 4)")),
        ]

    def __str__(self) -> str:
        return str(_("Campaign reports"))


def export_upload_to(job: "ExportJob", filename: str) -> str:
    """Under the job's random id, never a name anyone typed: the download names the file itself."""
    return f"exports/{job.pk}.{job.format}"


class ExportJob(models.Model):
    """A submission export built in the background: who asked, for what, how far it got, and the file.

    The file lives in the default storage (private, as photos are) and is deleted after the retention time
    (reports.exports.exports_sweep); the row stays as a record of who exported what.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        # Done, and its file deleted after the retention time.
        EXPIRED = "expired", _("expired")

    FINAL = frozenset({Status.DONE, Status.FAILED, Status.EXPIRED})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Kept when the account goes (the record of who exported what stays; the file is then a superuser's).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    campaign = models.ForeignKey(
        "promo.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    # {"date_from": "2026-10-01", "date_to": ..., "status": ..., "reason": ...}: empty or absent means all.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    # The requester's language: the header and the reasons' words are written in it.
    language = models.CharField(_("language"), max_length=8, default="ru")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=export_upload_to, max_length=255, blank=True)
    # Each claim by a worker counts here; a worker writes only while the count is still the one it claimed
    # with, so a worker that was given up for dead and wakes up cannot overwrite its successor's work.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Written with every progress update: a running job whose heartbeat stopped lost its worker.
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("submission export")
        verbose_name_plural = _("submission exports")
        default_permissions = ()  # who may export is reports.export_submissions; a job is its owner's
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="exportjob_sweep")]

    def __str__(self) -> str:
        return f"{self.campaign} ({self.format}, {self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.EXPIRED):
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL


# --- Daily rollups of the campaign report (reports.rollups keeps them; reports.selectors reads them) -----------
#
# One row per campaign and local day (the campaign's time zone) and whatever the figure is grouped by, holding a
# count `n`. Recomputed day by day from promo's rows, never counted up or down, so a row is always what a fresh
# GROUP BY over that day says. No foreign keys to submissions or participants: they are derived data, deleted
# and rebuilt with the campaign's rows (reports.rollups.rollups_rebuild).


class RollupState(models.Model):
    """Where a campaign's rollups stand: submissions changed (updated_at) before `refreshed_to` are counted.

    A null `refreshed_to` asks for a full rebuild: no rollups yet, rows were deleted or written with times of
    the past (demo traffic), or the time zone the days were cut in (`timezone`) is no longer the campaign's."""

    campaign = models.OneToOneField(
        "promo.Campaign", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    refreshed_to = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.refreshed_to}"


class _Daily(models.Model):
    campaign = models.ForeignKey("promo.Campaign", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    n = models.PositiveIntegerField()

    class Meta:
        abstract = True
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.day}: {self.n}"


class DailyTraffic(_Daily):
    """Submissions by the day and hour they were sent and their channel."""

    hour = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=5, blank=True)

    class Meta(_Daily.Meta):
        indexes = [models.Index(fields=["campaign", "day"], name="rollup_traffic")]


class DailyOutcome(_Daily):
    """Submissions by the day sent and what decides every outcome figure (reports.selectors.outcomes)."""

    status = models.CharField(max_length=12)
    auto_outcome = models.CharField(max_length=12, blank=True)
    by_person = models.BooleanField()
    reason_key = models.CharField(max_length=255, blank=True)  # reason_codes of an automatic rejection
    repair_key = models.CharField(max_length=255, blank=True)  # repairs of an automatic acceptance

    class Meta(_Daily.Meta):
        indexes = [models.Index(fields=["campaign", "day"], name="rollup_outcome")]


class DailyDecisionTime(_Daily):
    """Automatic decisions by the day sent and upload-to-decision time in tenths of a second, rounded up."""

    tenths = models.BigIntegerField()

    class Meta(_Daily.Meta):
        indexes = [models.Index(fields=["campaign", "day"], name="rollup_decision")]


class DailyWait(_Daily):
    """People's decisions after a wait, by the day DECIDED and the wait in whole seconds, rounded up (so a wait
    counts past a target of whole minutes exactly when it was)."""

    seconds = models.BigIntegerField()

    class Meta(_Daily.Meta):
        indexes = [models.Index(fields=["campaign", "day"], name="rollup_wait")]


class DailyPaymentSystem(_Daily):
    """Accepted slips by the day sent and the payment system read ("" where none was)."""

    payment_system = models.CharField(max_length=16, blank=True)

    class Meta(_Daily.Meta):
        indexes = [models.Index(fields=["campaign", "day"], name="rollup_payment")]


class DailyMerchant(_Daily):
    """Accepted slips by the day sent and the merchant read (blank ones left out)."""

    merchant = models.CharField(max_length=255)

    class Meta(_Daily.Meta):
        indexes = [models.Index(fields=["campaign", "day"], name="rollup_merchant")]


class DailyAmount(_Daily):
    """Accepted slips by the day sent and their amount cut to 3 significant digits (below 10, as it is): fine
    enough that every round bin of the histogram counts exactly (reports.rollups.three_significant_digits)."""

    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta(_Daily.Meta):
        indexes = [models.Index(fields=["campaign", "day"], name="rollup_amount")]


class ParticipantDay(models.Model):
    """A participant sent something to the campaign that day; `previous_day`: the day they last sent before
    (null: their first). Kept to count the rows of DailyParticipants, which the page reads."""

    campaign = models.ForeignKey("promo.Campaign", on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        "promo.Participant", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    previous_day = models.DateField(null=True, blank=True)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["campaign", "participant", "day"], name="rollup_presence_unique")
        ]
        indexes = [models.Index(fields=["campaign", "day"], name="rollup_presence_day")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.participant_id} {self.day}"


class DailyParticipants(_Daily):
    """Participants who sent something that day, by the day they had last sent before (null: new that day).

    Participants of days A to B = the rows of those days whose previous day is null or before A: each person
    is counted once, on their first day in the period."""

    previous_day = models.DateField(null=True, blank=True)

    class Meta(_Daily.Meta):
        indexes = [models.Index(fields=["campaign", "day"], name="rollup_participants")]
