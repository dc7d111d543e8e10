"""The exports pages and background jobs: who may export what, streaming, progress, download, retention."""

import csv
import io
import types
from datetime import UTC, datetime, timedelta

import pytest
from celery import current_app
from django.contrib.auth.models import Permission, User
from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.utils import timezone

from promo.models import Submission
from reports import exports
from reports.models import ExportJob
from tests.factories import CampaignFactory
from tests.reports.test_exports import submit

pytestmark = pytest.mark.django_db
INDEX = "/reports/exports/"
JobStatus = ExportJob.Status


def staff(username: str, *codenames: str, superuser: bool = False) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True, is_superuser=superuser)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def campaign(db):
    return CampaignFactory(slug="autumn", name="Autumn", timezone="Asia/Yekaterinburg")


@pytest.fixture
def other_campaign(db):
    return CampaignFactory(slug="winter", name="Winter")


@pytest.fixture
def marketing(client):
    """The marketing role as the lead is asked to set it: reports and exports, every campaign."""
    user = staff("marketing", "view_reports", "export_submissions", "view_campaign")
    client.force_login(user)
    return user


@pytest.fixture
def rows(campaign):
    return [submit(campaign, sent=datetime(2026, 10, 5, 9, i, tzinfo=UTC)) for i in range(3)]


def post(client, campaign, **data):
    return client.post(INDEX, {"campaign": campaign.pk, "format": "csv", **data}, HTTP_ACCEPT_LANGUAGE="en")


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def pseudonyms(submissions) -> list[str]:
    return [exports.submission_pseudonym(s.pk) for s in submissions]


def job_urls(job: ExportJob) -> list[str]:
    return [f"{INDEX}{job.pk}/", f"{INDEX}{job.pk}/status/", f"{INDEX}{job.pk}/download/"]


def a_done_job(user, campaign, fmt="csv") -> ExportJob:
    job = exports.export_job_create(
        user=user, filters=exports.ExportFilters(campaign=campaign), fmt=fmt, language="en"
    )
    exports.export_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    return job


# --- who may export ------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_admin_login(client, campaign):
    job = a_done_job(staff("owner", "export_submissions", "view_reports"), campaign)
    for url in [INDEX, *job_urls(job)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/?next=")
    assert client.post(INDEX, {"campaign": campaign.pk, "format": "csv"}).status_code == 302


@pytest.mark.parametrize(
    "user_kind", ["staff without the permission", "not staff, with the permission", "moderator"]
)
def test_without_the_export_permission_nothing_is_shown(client, campaign, rows, user_kind):
    job = a_done_job(staff("owner", "export_submissions", "view_reports"), campaign)
    if user_kind == "staff without the permission":
        user = staff("someone", "view_reports", "view_campaign")
    elif user_kind == "moderator":
        user = staff("mod", "view_queueitem", "change_queueitem", "view_submission", "moderate_any_campaign")
    else:
        user = User.objects.create_user("outsider")
        user.user_permissions.add(Permission.objects.get(codename="export_submissions"))
    client.force_login(user)
    for url in [INDEX, *job_urls(job)]:
        assert client.get(url).status_code == 403, url
    assert post(client, campaign).status_code == 403
    assert "reportsexport" not in client.get("/admin/").content.decode().replace("_", "")


def test_marketing_chooses_among_every_campaign(client, marketing, campaign, other_campaign):
    page = client.get(INDEX, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Autumn" in page and "Winter" in page


def test_a_moderator_with_the_export_permission_exports_only_the_campaigns_moderated(
    client, campaign, other_campaign, rows
):
    user = staff("mod", "view_submission", "view_queueitem", "export_submissions")
    campaign.moderators.add(user)
    client.force_login(user)
    page = client.get(INDEX, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Autumn" in page and "Winter" not in page
    assert post(client, campaign).status_code == 200
    refused = post(client, other_campaign)
    assert refused.status_code == 400
    assert "Choose one of the campaigns in the list." in refused.content.decode()
    assert not ExportJob.objects.exists()


def test_the_admin_index_links_to_the_exports(client, marketing):
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Submission exports" in index
    assert "/admin/reports/exportjob/" in index
    assert client.get("/admin/reports/exportjob/")["Location"] == INDEX


# --- the form ------------------------------------------------------------------------------------------------


def test_the_form_says_what_is_wrong(client, marketing, campaign):
    missing = client.post(INDEX, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 400
    assert "Choose a campaign." in missing.content.decode()
    backwards = post(client, campaign, date_from="2026-10-07", date_to="2026-10-05")
    assert backwards.status_code == 400
    assert "The last day is before the first day." in backwards.content.decode()
    for bad in ({"date_from": "yesterday"}, {"status": "won"}, {"reason": "nope"}, {"format": "pdf"}):
        assert post(client, campaign, **bad).status_code == 400, bad
    assert not ExportJob.objects.exists()


# --- streamed CSV --------------------------------------------------------------------------------------------


def test_a_small_csv_streams_from_a_generator_that_reads_rows_only_when_consumed(
    client, marketing, campaign, rows, django_assert_num_queries
):
    response = post(client, campaign, status="accepted")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="autumn-submissions-all-accepted-'
    )  # what was asked for: every day, accepted ones
    assert response["Content-Disposition"].endswith('.csv"')
    assert response["Cache-Control"] == "private, no-store"
    assert isinstance(response._iterator, types.GeneratorType)  # not a list built in memory
    chunks = iter(response.streaming_content)
    with django_assert_num_queries(0):
        first = next(chunks)  # the header comes before any row is read
    assert first.startswith(b"\xef\xbb\xbfsubmission;")
    with django_assert_num_queries(1):
        rest = b"".join(chunks)
    assert [row[0] for row in read_csv(first + rest)[1:]] == pseudonyms(rows)
    assert not ExportJob.objects.exists()


# --- background jobs -----------------------------------------------------------------------------------------


def test_a_big_csv_becomes_a_job_built_after_commit_and_downloaded_by_its_owner(
    client, marketing, campaign, rows, settings, django_capture_on_commit_callbacks
):
    settings.SLIPCHECK_EXPORT_STREAM_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(client, campaign)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{INDEX}{job.pk}/"
    assert (job.user, job.campaign, job.format, job.status, job.language) == (
        marketing, campaign, "csv", JobStatus.QUEUED, "en",
    )  # fmt: skip
    assert len(callbacks) == 1  # sent to the workers only once the row is committed
    callbacks[0]()  # eager: the task runs here
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total, job.percent) == (JobStatus.DONE, 3, 3, 100)
    assert job.file.name == f"exports/{job.pk}.csv"

    status = client.get(f"{INDEX}{job.pk}/status/").json()
    assert status["download_url"] == f"{INDEX}{job.pk}/download/"
    assert (status["status"], status["percent"], status["final"]) == ("done", 100, True)
    page = client.get(f"{INDEX}{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert status["download_url"] in page and 'value="100"' in page

    download = client.get(status["download_url"])
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="autumn-submissions-all-')
    data = b"".join(download.streaming_content)
    assert [row[0] for row in read_csv(data)[1:]] == pseudonyms(rows)
    assert data.startswith(b"\xef\xbb\xbf")


def test_every_xlsx_is_a_job_and_downloads_as_a_workbook(
    client, marketing, campaign, rows, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INDEX, {"campaign": campaign.pk, "format": "xlsx"})
    job = ExportJob.objects.get()
    assert response["Location"] == f"{INDEX}{job.pk}/"
    download = client.get(f"{INDEX}{job.pk}/download/")
    assert download["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert download["Content-Disposition"].endswith('.xlsx"')
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).active
    assert len(list(sheet.iter_rows(values_only=True))) == 4


def test_a_job_is_its_owners_and_a_superusers_only(client, campaign, rows):
    owner = staff("owner", "export_submissions", "view_reports")
    job = a_done_job(owner, campaign)
    client.force_login(staff("colleague", "export_submissions", "view_reports"))
    for url in job_urls(job):
        assert client.get(url).status_code == 404, url
    client.force_login(staff("root", superuser=True))
    assert client.get(job_urls(job)[2]).status_code == 200
    client.force_login(owner)
    assert client.get(job_urls(job)[2]).status_code == 200


def test_an_owner_who_lost_the_campaign_cannot_download_it(client, campaign, rows):
    owner = staff("mod", "view_submission", "export_submissions")
    campaign.moderators.add(owner)
    job = a_done_job(owner, campaign)
    campaign.moderators.remove(owner)
    client.force_login(owner)
    assert client.get(job_urls(job)[2]).status_code == 403


def test_the_progress_page_polls_a_status_that_follows_the_rows(
    client, marketing, campaign, rows, monkeypatch
):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    job = ExportJob.objects.create(user=marketing, campaign=campaign, format="csv", language="en")
    page = client.get(f"{INDEX}{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{INDEX}{job.pk}/status/" in page and "fetch(" in page  # the page polls while not final
    assert 'id="export-status">queued<' in page
    seen = []
    real_write = exports.export_write

    def watched_write(**kwargs):
        progress = kwargs.pop("progress")

        def spy(done):
            progress(done)
            seen.append(client.get(f"{INDEX}{job.pk}/status/").json())

        return real_write(progress=spy, **kwargs)

    monkeypatch.setattr(exports, "export_write", watched_write)
    exports.export_job_build(job_id=job.pk)
    assert [(s["status"], s["rows_done"], s["rows_total"], s["percent"]) for s in seen][:3] == [
        ("running", 1, 3, 33),
        ("running", 2, 3, 66),
        ("running", 3, 3, 100),
    ]
    assert all(s["download_url"] is None for s in seen)
    page = client.get(f"{INDEX}{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "fetch(" not in page  # done: nothing left to poll


def test_building_twice_builds_one_file(marketing, campaign, rows):
    job = a_done_job(marketing, campaign)
    assert exports.export_job_build(job_id=job.pk) is None  # a redelivered message
    job.refresh_from_db()
    assert job.attempts == 1
    assert default_storage.listdir("exports")[1] == [f"{job.pk}.csv"]


def test_a_running_job_is_taken_over_only_when_its_worker_stopped_and_the_old_worker_stops(
    marketing, campaign, rows, settings
):
    job = ExportJob.objects.create(user=marketing, campaign=campaign, format="csv")
    first = exports.export_job_claim(job_id=job.pk)
    assert first is not None and first.attempts == 1
    assert exports.export_job_claim(job_id=job.pk) is None  # alive: its heartbeat is fresh
    ExportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.SLIPCHECK_EXPORT_STALE_SECONDS + 1)
    )
    second = exports.export_job_claim(job_id=job.pk)
    assert second is not None and second.attempts == 2
    # The first worker wakes up: its conditional writes match nothing any more.
    assert not ExportJob.objects.filter(pk=job.pk, attempts=first.attempts).update(rows_done=99)


def test_a_failed_export_says_so(
    client, marketing, campaign, rows, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "export_write", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INDEX, {"campaign": campaign.pk, "format": "xlsx"})
    job = ExportJob.objects.get()
    assert response["Location"] == f"{INDEX}{job.pk}/"
    assert (job.status, job.error, job.file.name) == (JobStatus.FAILED, "RuntimeError: disk full", "")
    status = client.get(f"{INDEX}{job.pk}/status/").json()
    assert (status["final"], status["download_url"], status["error"]) == (
        True,
        None,
        "RuntimeError: disk full",
    )
    assert client.get(f"{INDEX}{job.pk}/download/").status_code == 404


def test_the_task_is_registered_under_its_name(marketing, campaign, rows):
    job = ExportJob.objects.create(user=marketing, campaign=campaign, format="csv")
    current_app.tasks["reports.tasks.export_build"].apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert "reports.tasks.sweep_exports" in current_app.tasks


# --- retention and the sweep ---------------------------------------------------------------------------------


def test_files_are_deleted_after_the_retention_time(client, marketing, campaign, rows, settings):
    job = a_done_job(marketing, campaign)
    name = job.file.name
    assert exports.exports_sweep().expired == 0
    later = timezone.now() + timedelta(hours=settings.SLIPCHECK_EXPORT_RETENTION_HOURS, minutes=1)
    assert exports.exports_sweep(now=later).expired == 1
    job.refresh_from_db()
    assert (job.status, job.file.name) == (JobStatus.EXPIRED, "")
    assert not default_storage.exists(name)
    assert client.get(f"{INDEX}{job.pk}/download/").status_code == 404
    assert (
        "deleted after the retention time"
        in client.get(f"{INDEX}{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_an_overdue_file_is_refused_and_deleted_even_before_the_sweep(
    client, marketing, campaign, rows, settings
):
    job = a_done_job(marketing, campaign)
    hours = settings.SLIPCHECK_EXPORT_RETENTION_HOURS
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=hours, minutes=1))
    assert client.get(f"{INDEX}{job.pk}/status/").json()["download_url"] is None
    assert client.get(f"{INDEX}{job.pk}/download/").status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.EXPIRED
    assert not default_storage.exists(f"exports/{job.pk}.csv")


def test_the_sweep_sends_lost_jobs_again_and_gives_up_on_those_that_keep_dying(
    marketing, campaign, rows, settings
):
    stale = timezone.now() - timedelta(seconds=settings.SLIPCHECK_EXPORT_STALE_SECONDS + 1)
    lost = ExportJob.objects.create(user=marketing, campaign=campaign, format="csv")  # the broker lost it
    ExportJob.objects.filter(pk=lost.pk).update(created_at=stale)
    dying = ExportJob.objects.create(
        user=marketing,
        campaign=campaign,
        format="csv",
        status=JobStatus.RUNNING,
        attempts=3,
        heartbeat_at=stale,
    )
    fresh = ExportJob.objects.create(user=marketing, campaign=campaign, format="csv")  # just queued
    report = exports.exports_sweep()
    assert (report.requeued, report.failed) == (1, 1)
    for job in (lost, dying, fresh):
        job.refresh_from_db()
    assert lost.status == JobStatus.DONE  # eager: sent again and built
    assert dying.status == JobStatus.FAILED and "3" in dying.error
    assert fresh.status == JobStatus.QUEUED


def test_pages_take_a_fixed_number_of_queries(
    client, marketing, campaign, rows, django_assert_max_num_queries
):
    jobs = [a_done_job(marketing, campaign) for _ in range(3)]
    with django_assert_max_num_queries(8):
        assert client.get(INDEX).status_code == 200
    for _ in range(10):
        a_done_job(marketing, campaign)
    with django_assert_max_num_queries(8):
        assert client.get(INDEX).status_code == 200
    with django_assert_max_num_queries(6):
        client.get(f"{INDEX}{jobs[0].pk}/status/")
    assert Submission.objects.count() == 3


def test_a_deleted_accounts_export_stays_on_record_for_superusers_only(client, campaign, rows):
    owner = staff("leaving", "export_submissions", "view_reports")
    job = a_done_job(owner, campaign)
    owner.delete()
    job.refresh_from_db()
    assert job.user is None and job.status == JobStatus.DONE
    client.force_login(staff("colleague", "export_submissions", "view_reports"))
    assert client.get(job_urls(job)[2]).status_code == 404
    client.force_login(staff("root", superuser=True))
    assert client.get(job_urls(job)[2]).status_code == 200


# --- what the pages say --------------------------------------------------------------------------------------


def test_the_reason_filter_shows_the_reports_labels_and_posts_codes(client, marketing, campaign, rows):
    page = client.get(INDEX, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="amount_mismatch">amount differs</option>' in page
    assert '<option value="moderator_card_differs">moderator: another card</option>' in page
    assert ">amount_mismatch<" not in page
    assert post(client, campaign, reason="amount_mismatch").status_code == 200  # the code is the value


def test_the_job_page_names_the_filters_and_the_download_says_what_was_exported(
    client, marketing, campaign, rows
):
    job = exports.export_job_create(
        user=marketing,
        filters=exports.ExportFilters(
            campaign=campaign,
            date_from=datetime(2026, 10, 5).date(),
            date_to=datetime(2026, 10, 7).date(),
            status="rejected",
            reason="amount_mismatch",
        ),
        fmt="csv",
        language="ru",
    )
    exports.export_job_build(job_id=job.pk)
    page = client.get(f"{INDEX}{job.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'id="export-filter-status">отклонена<' in page
    assert 'id="export-filter-reason">сумма не совпадает<' in page
    assert 'id="export-date-from">05.10.2026<' in page
    assert ">rejected<" not in page and ">amount_mismatch<" not in page
    download = client.get(f"{INDEX}{job.pk}/download/")
    assert download["Content-Disposition"].startswith(
        'attachment; filename="autumn-submissions-20261005-20261007-rejected-amount_mismatch-'
    )


@pytest.mark.parametrize(
    ("status", "error", "shown"),
    [
        (JobStatus.QUEUED, "", False),
        (JobStatus.RUNNING, "", False),
        (JobStatus.DONE, "", False),
        (JobStatus.EXPIRED, "", False),
        (JobStatus.FAILED, "RuntimeError: disk full", True),
        (JobStatus.FAILED, "", True),  # failed without a message (a sweep that gave up says one; still)
    ],
)
def test_the_failure_note_is_in_the_page_only_when_the_export_failed(
    client, marketing, campaign, status, error, shown
):
    """Markup only: that the admin's CSS does not show a hidden note anyway is tested in a real browser
    (tests/browser/test_exports.py)."""
    job = ExportJob.objects.create(
        user=marketing, campaign=campaign, format="csv", status=status, error=error, rows_total=3
    )
    page = client.get(f"{INDEX}{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    note = page.split('id="export-error"', 1)[1].split(">", 1)[0]
    assert ("hidden" not in note) is shown
    assert client.get(f"{INDEX}{job.pk}/status/").json()["failed"] is shown
