"""The moderator's redaction: painting boxes on the working copy, confirming the automatic redaction, the files that
go once it commits, and who may do it."""

import io
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from moderation.models import Redaction, ReviewClaim
from moderation.redaction import MAX_BOXES, redaction_apply
from moderation.services import ClaimHeld
from promo.duplicates import hash_columns
from promo.models import Submission
from tests.factories import CampaignFactory, SubmissionFactory, jpeg_bytes

pytestmark = pytest.mark.django_db
Status = Submission.Status
PHASH = 0x9F3A_5C21_77E0_0B14
BOX = (0.25, 0.25, 0.5, 0.5)  # on the 400x600 factory photo: x 100..200, y 150..300


def staff(name: str, *perms: str) -> User:
    user = User.objects.create_user(name, password="pw", is_staff=True)
    # Every one of them may see submissions (a moderator's role); what differs is redacting and the campaign.
    user.user_permissions.add(*Permission.objects.filter(codename__in=(*perms, "view_submission")))
    return User.objects.get(pk=user.pk)  # permissions are cached on the instance


@pytest.fixture
def moderator():
    return staff("mod", "add_redaction", "moderate_any_campaign")


def flagged(**kwargs) -> Submission:
    """A submission as the automatic redaction leaves it: waiting for a person, with an original still stored
    (as if its deletion had failed), and the hashes of the upload."""
    submission = SubmissionFactory(
        status=Status.MODERATION,
        needs_redaction=True,
        original=ContentFile(jpeg_bytes(colour="red"), name="upload.jpg"),
        **hash_columns(PHASH),
        **kwargs,
    )
    return Submission.objects.get(pk=submission.pk)


def pixels(submission: Submission) -> Image.Image:
    with submission.photo.open("rb") as handle:
        return Image.open(io.BytesIO(handle.read())).convert("L")


def stored_files() -> set[str]:
    found, folders = set(), [""]
    while folders:
        folder = folders.pop()
        if not default_storage.exists(folder or "."):
            continue
        subfolders, files = default_storage.listdir(folder or ".")
        folders += [f"{folder}/{name}".lstrip("/") for name in subfolders]
        found |= {f"{folder}/{name}".lstrip("/") for name in files}
    return found


def unchanged(submission: Submission, before: Submission, files: set[str]) -> None:
    after = Submission.objects.get(pk=submission.pk)
    assert (after.photo.name, after.original.name, after.needs_redaction) == (
        before.photo.name,
        before.original.name,
        before.needs_redaction,
    )
    assert not Redaction.objects.filter(submission=submission).exists()
    assert stored_files() == files


# --- the service ------------------------------------------------------------------------------------------------


def test_boxes_are_painted_black_and_the_rest_is_left(moderator, django_capture_on_commit_callbacks):
    submission = flagged()
    with django_capture_on_commit_callbacks(execute=True):
        redaction_apply(submission=submission, moderator=moderator, boxes=[BOX])
    image = pixels(Submission.objects.get(pk=submission.pk))
    assert image.size == (400, 600)
    inside = [image.getpixel((x, y)) for x in range(102, 199, 8) for y in range(152, 299, 8)]
    assert max(inside) < 20
    # Outside, a few pixels off the box's edges (JPEG blurs the edge itself) and far from it.
    for x, y in [(95, 200), (205, 200), (150, 145), (150, 305), (10, 10), (390, 590), (300, 450)]:
        assert image.getpixel((x, y)) > 235, (x, y)


def test_the_painted_copy_gets_a_new_name_and_old_files_go_once_it_commits(
    moderator, django_capture_on_commit_callbacks
):
    submission = flagged()
    old_photo, original = submission.photo.name, submission.original.name
    with django_capture_on_commit_callbacks() as callbacks:
        redaction_apply(submission=submission, moderator=moderator, boxes=[BOX])
        # Not committed yet: the old files are still there for a rollback.
        assert default_storage.exists(old_photo) and default_storage.exists(original)
    for callback in callbacks:
        callback()
    submission.refresh_from_db()
    assert submission.photo.name != old_photo and submission.photo.name.endswith(".jpg")
    assert default_storage.exists(submission.photo.name)
    assert not default_storage.exists(old_photo)
    assert not default_storage.exists(original) and submission.original.name == ""
    assert stored_files() == {submission.photo.name}


def test_the_flag_clears_a_redaction_is_recorded_and_the_hashes_stay(
    moderator, django_capture_on_commit_callbacks
):
    submission = flagged()
    sha = submission.photo_sha256
    with django_capture_on_commit_callbacks(execute=True):
        redaction = redaction_apply(submission=submission, moderator=moderator, boxes=[BOX, (0, 0, 1, 0.1)])
    submission.refresh_from_db()
    assert submission.needs_redaction is False
    assert redaction == Redaction.objects.get(submission=submission)
    assert (redaction.moderator, redaction.original_deleted) == (moderator, True)
    assert redaction.boxes == [list(BOX), [0.0, 0.0, 1.0, 0.1]]
    # The duplicate search keeps knowing the upload as it was sent.
    assert submission.photo_sha256 == sha
    assert {name: getattr(submission, name) for name in hash_columns(PHASH)} == hash_columns(PHASH)


def test_no_boxes_confirms_the_automatic_redaction(moderator, django_capture_on_commit_callbacks):
    submission = flagged()
    photo, original = submission.photo.name, submission.original.name
    with django_capture_on_commit_callbacks(execute=True):
        redaction = redaction_apply(submission=submission, moderator=moderator, boxes=[])
    submission.refresh_from_db()
    assert submission.photo.name == photo and default_storage.exists(photo)  # nothing to paint: kept as it is
    assert not default_storage.exists(original) and submission.original.name == ""
    assert submission.needs_redaction is False
    assert (redaction.boxes, redaction.original_deleted) == ([], True)


def test_a_second_redaction_paints_more_and_is_recorded_too(moderator, django_capture_on_commit_callbacks):
    submission = flagged()
    with django_capture_on_commit_callbacks(execute=True):
        redaction_apply(submission=submission, moderator=moderator, boxes=[BOX])
    submission = Submission.objects.get(pk=submission.pk)
    assert submission.needs_redaction is False
    first_name = submission.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        second = redaction_apply(submission=submission, moderator=moderator, boxes=[(0.6, 0.6, 0.9, 0.9)])
    submission.refresh_from_db()
    image = pixels(submission)
    assert image.getpixel((150, 225)) < 20 and image.getpixel((300, 450)) < 20  # both boxes
    assert submission.photo.name != first_name and stored_files() == {submission.photo.name}
    assert second.original_deleted is False  # the first one deleted it
    assert Redaction.objects.filter(submission=submission).count() == 2


@pytest.mark.parametrize(
    "boxes",
    [
        [(0.5, 0.2, 0.4, 0.3)],  # x0 > x1
        [(0.2, 0.2, 0.2, 0.3)],  # empty
        [(-0.1, 0.2, 0.4, 0.3)],
        [(0.1, 0.2, 0.4, 1.2)],
        [(0.1, 0.2, 0.4)],
        [(0.1, 0.2, 0.4, "0.5")],
        [(0.1, 0.2, 0.4, float("nan"))],
        [(0.1, 0.2, 0.4, float("inf"))],
        [(False, 0.2, True, 0.5)],
        [(0.5, 0.5, 0.505, 0.6)],  # 2 pixels wide on a 400-pixel photo
        [BOX, (0.1, 0.1, 0.2, 0.101)],  # a good box and a sliver: nothing is painted
        [BOX] * (MAX_BOXES + 1),
        {"x0": 0.1},
        "0.1,0.1,0.2,0.2",
    ],
)
def test_bad_boxes_change_nothing(moderator, boxes, django_capture_on_commit_callbacks):
    submission = flagged()
    files = stored_files()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        redaction_apply(submission=submission, moderator=moderator, boxes=boxes)
    unchanged(submission, submission, files)


def test_a_submission_without_a_photo_is_refused(moderator):
    submission = flagged()
    Submission.objects.filter(pk=submission.pk).update(photo="")
    with translation.override("en"), pytest.raises(ValidationError, match="no photo"):
        redaction_apply(submission=Submission.objects.get(pk=submission.pk), moderator=moderator, boxes=[])
    assert not Redaction.objects.exists()


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.PROCESSING])
def test_a_photo_still_being_read_is_refused(moderator, status):
    submission = flagged()
    Submission.objects.filter(pk=submission.pk).update(status=status)
    files = stored_files()
    with translation.override("en"), pytest.raises(ValidationError, match="still being read"):
        redaction_apply(submission=submission, moderator=moderator, boxes=[BOX])
    unchanged(submission, submission, files)


def test_a_claim_held_by_another_moderator_refuses(moderator):
    submission = flagged()
    other = staff("other", "add_redaction", "moderate_any_campaign")
    now = timezone.now()
    ReviewClaim.objects.create(
        submission=submission, moderator=other, expires_at=now + timedelta(minutes=5), taken_at=now
    )
    files = stored_files()
    with pytest.raises(ClaimHeld):
        redaction_apply(submission=submission, moderator=moderator, boxes=[BOX])
    unchanged(submission, submission, files)
    redaction_apply(submission=submission, moderator=other, boxes=[BOX])  # the holder may


def test_a_moderator_without_the_permission_or_the_campaign_is_refused():
    submission = flagged()
    for user in (staff("viewer", "moderate_any_campaign"), staff("elsewhere", "add_redaction")):
        with pytest.raises(PermissionDenied):
            redaction_apply(submission=submission, moderator=user, boxes=[BOX])
    assert not Redaction.objects.exists()


def test_a_failure_after_writing_deletes_the_new_file(
    moderator, monkeypatch, django_capture_on_commit_callbacks
):
    submission = flagged()
    files = stored_files()

    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(Redaction.objects, "create", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        redaction_apply(submission=submission, moderator=moderator, boxes=[BOX])
    after = Submission.objects.get(pk=submission.pk)
    assert (after.photo.name, after.original.name, after.needs_redaction) == (
        submission.photo.name,
        submission.original.name,
        True,
    )
    assert stored_files() == files


# --- the endpoint -----------------------------------------------------------------------------------------------


def url_of(submission: Submission) -> str:
    return reverse("moderation:redaction", kwargs={"pk": submission.pk})


@pytest.fixture
def campaign_moderator(client):
    """Moderates one campaign (named among its moderators), with the redaction permission."""
    user = staff("campaign-mod", "add_redaction")
    client.force_login(user)
    return user


def test_endpoint_round_trip(client, campaign_moderator, django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    campaign.moderators.add(campaign_moderator)
    submission = flagged(campaign=campaign)
    back = reverse("admin:moderation_queueitem_change", args=[submission.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url_of(submission), {"boxes": json.dumps([list(BOX)]), "next": back}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 302 and response["Location"] == back
    submission.refresh_from_db()
    assert submission.needs_redaction is False and submission.original.name == ""
    assert pixels(submission).getpixel((150, 225)) < 20
    redaction = Redaction.objects.get(submission=submission)
    assert (redaction.moderator, redaction.boxes) == (campaign_moderator, [list(BOX)])
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == [f"The drawn areas are hidden on the photo of {submission.pk}."]


def test_endpoint_confirms_with_an_empty_list(client, moderator):
    client.force_login(moderator)
    submission = flagged()
    response = client.post(url_of(submission), {"boxes": "[]"}, HTTP_ACCEPT_LANGUAGE="en")
    # No `next`: back to the submission's admin page.
    assert response["Location"] == reverse("admin:promo_submission_change", args=[submission.pk])
    assert Redaction.objects.get(submission=submission).boxes == []


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/admin/", "//evil.example/admin/", "/moderation/photo/x/", "/admin/../api/v1/", ""],
)
def test_endpoint_goes_back_only_to_admin_pages_of_this_site(client, moderator, next_url):
    client.force_login(moderator)
    submission = flagged()
    response = client.post(url_of(submission), {"boxes": "[]", "next": next_url})
    assert response["Location"] == reverse("admin:promo_submission_change", args=[submission.pk])


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"boxes": "[[0.5, 0.2, 0.4, 0.3]]"}, "0 ≤ x0 < x1 ≤ 1"),
        ({"boxes": "[[0.1, 0.2, 0.4, NaN]]"}, "not valid JSON"),
        ({"boxes": "[[0.1, 0.2"}, "not valid JSON"),
        ({"boxes": '{"x0": 1}'}, "must be a list"),
        ({}, "No boxes"),
    ],
)
def test_endpoint_answers_400_for_bad_boxes(client, moderator, data, said):
    client.force_login(moderator)
    submission = flagged()
    files = stored_files()
    response = client.post(url_of(submission), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and said in response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    unchanged(submission, submission, files)


def test_endpoint_refuses_who_may_not(client):
    campaign = CampaignFactory()
    submission = flagged(campaign=campaign)
    without_permission = staff("no-perm", "moderate_any_campaign", "view_redaction")
    other_campaign = staff("other-campaign", "add_redaction")
    CampaignFactory().moderators.add(other_campaign)
    for user in (without_permission, other_campaign):
        client.force_login(user)
        assert client.post(url_of(submission), {"boxes": "[]"}).status_code == 403
    participant_like = User.objects.create_user("not-staff", password="pw")
    client.force_login(participant_like)
    response = client.post(url_of(submission), {"boxes": "[]"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    client.logout()
    assert client.post(url_of(submission), {"boxes": "[]"}).status_code == 302
    superuser = User.objects.create_superuser("root", password="pw")
    client.force_login(superuser)
    assert client.get(url_of(submission)).status_code == 405
    assert not Redaction.objects.exists()
    assert client.post(url_of(submission), {"boxes": "[]"}).status_code == 302  # a superuser may
    assert Redaction.objects.filter(submission=submission, moderator=superuser).exists()


def test_endpoint_needs_the_csrf_token(moderator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    submission = flagged()
    assert client.post(url_of(submission), {"boxes": "[]"}).status_code == 403
    assert not Redaction.objects.exists()


def test_endpoint_answers_409_while_another_moderator_holds_it(client, moderator):
    client.force_login(moderator)
    submission = flagged()
    now = timezone.now()
    ReviewClaim.objects.create(
        submission=submission,
        moderator=staff("other", "moderate_any_campaign"),
        expires_at=now + timedelta(minutes=5),
        taken_at=now,
    )
    response = client.post(url_of(submission), {"boxes": "[]"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "Another moderator" in response.content.decode()
    assert not Redaction.objects.exists()


def test_endpoint_404_for_an_unknown_submission(client, moderator):
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:redaction", kwargs={"pk": "00000000-0000-0000-0000-000000000000"}),
        {"boxes": "[]"},
    )
    assert response.status_code == 404


# --- the widget -------------------------------------------------------------------------------------------------


def test_widget_renders_the_photo_the_buttons_and_no_form_of_its_own(moderator):
    submission = flagged()
    request = RequestFactory().get("/admin/moderation/queueitem/")
    request.user = moderator
    html = render_to_string("moderation/redaction_widget.html", {"submission": submission}, request=request)
    assert f'src="{reverse("moderation:photo", kwargs={"pk": submission.pk})}"' in html
    assert f'data-action="{url_of(submission)}"' in html
    assert 'data-next="/admin/moderation/queueitem/"' in html
    assert 'data-csrf="' in html and 'data-csrf=""' not in html
    assert html.count('<button type="button"') == 3
    assert "<form" not in html  # it may sit inside the admin's change form
    assert "moderation/redaction.js" in html
    assert finders.find("moderation/redaction.js")


def test_widget_script_binds_no_keys():
    with open(finders.find("moderation/redaction.js"), encoding="utf-8") as handle:
        script = handle.read()
    assert not re.search(r"key(down|up|press)|accesskey", script, re.IGNORECASE)
