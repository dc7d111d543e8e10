"""The export benchmark's fill stores realistic rows in bulk, and tops up rather than duplicates."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from promo.models import Recognition, Submission
from reports import exports
from reports.management.commands.bench_exports import BENCH_SLUG

pytestmark = pytest.mark.django_db


def test_the_fill_stores_submissions_with_readings_over_the_campaign_and_tops_up(capsys):
    call_command("bench_exports", n=300, fill=True, batch=120, formats="")
    assert "fill: stored 300 rows" in capsys.readouterr().out
    rows = Submission.objects.filter(campaign__slug=BENCH_SLUG)
    assert rows.count() == Recognition.objects.filter(submission__in=rows).count() == 300
    assert len(set(rows.values_list("status", flat=True))) >= 4
    assert rows.values("created_at__date").distinct().count() > 30  # spread over the campaign, not "now"
    assert rows.filter(decided_by__isnull=False).exists()
    call_command("bench_exports", n=350, fill=True, formats="")
    assert rows.count() == 350
    campaign = rows.first().campaign
    assert exports.export_count(exports.ExportFilters(campaign=campaign)) == 350


def test_an_existing_campaign_is_exported_as_it_is_never_filled():
    with pytest.raises(CommandError, match="bench campaign only"):
        call_command("bench_exports", campaign="anything", fill=True, formats="")
    with pytest.raises(CommandError, match="no campaign 'missing'"):
        call_command("bench_exports", campaign="missing", formats="")
    assert not Submission.objects.exists()
