"""The review queue is a view of submissions, not a copy: a proxy model gives it its own admin page."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from promo.models import Submission


class QueueManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(status=Submission.Status.MODERATION)


class QueueItem(Submission):
    objects = QueueManager()

    class Meta:
        proxy = True
        ordering = ["created_at"]  # oldest first: the participant who waited longest
        verbose_name = _("submission to review")
        verbose_name_plural = _("moderation queue")
