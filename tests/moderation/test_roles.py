"""Staff roles (moderation.roles): the groups the migration makes, and who in each may see what."""

import importlib

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from moderation import roles
from promo.models import Campaign, Submission
from promo.selectors import campaigns_moderated_by
from tests.factories import CampaignFactory, RecognitionFactory, SubmissionFactory

# The migration that last copied roles.ROLES: a new roles migration replaces it here.
LATEST_ROLES_MIGRATION = ("moderation", "0005_webhooks_roles")
BEFORE_ROLES = ("moderation", "0002_claims_corrections_redactions")
QUEUE = "/admin/moderation/queueitem/"
Status = Submission.Status


def permissions_of(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def staff_in(role: str, username: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def in_queue(campaign: Campaign) -> Submission:
    submission = SubmissionFactory(campaign=campaign, status=Status.MODERATION)
    RecognitionFactory(submission=submission)
    return submission


def photo_url(submission: Submission) -> str:
    return reverse("moderation:photo", kwargs={"pk": submission.pk})


def test_the_latest_roles_migration_copies_roles_py():
    app_label, name = LATEST_ROLES_MIGRATION
    migration = importlib.import_module(f"{app_label}.migrations.{name}")
    assert migration.ROLES == roles.ROLES


@pytest.mark.django_db
def test_the_groups_exist_after_migrations_with_exactly_their_permissions():
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.ROLES)
    for name, permissions in roles.ROLES.items():
        assert permissions_of(Group.objects.get(name=name)) == set(permissions), name
        assert len(permissions) == len(set(permissions)), name


def test_no_role_may_delete_a_submission_or_see_contacts_but_through_a_submission():
    for name, permissions in roles.ROLES.items():
        assert not {p for p in permissions if p.startswith(("promo.delete_", "moderation.delete_"))}, name
        assert "promo.view_participant" not in permissions, name


@pytest.mark.django_db
def test_running_the_migration_again_restores_exactly_the_listed_permissions():
    migration = importlib.import_module(f"moderation.migrations.{LATEST_ROLES_MIGRATION[1]}")
    apps = MigrationExecutor(connection).loader.project_state(LATEST_ROLES_MIGRATION).apps
    moderators = Group.objects.get(name=roles.MODERATOR)
    moderators.permissions.add(Permission.objects.get(codename="delete_submission"))
    moderators.permissions.remove(Permission.objects.get(codename="view_submission"))
    Group.objects.get(name=roles.MARKETING).delete()

    for _ in range(2):
        migration.create_roles(apps, connection.schema_editor())

    assert Group.objects.filter(name__in=roles.ROLES).count() == len(roles.ROLES)
    for name, permissions in roles.ROLES.items():
        assert permissions_of(Group.objects.get(name=name)) == set(permissions), name


@pytest.mark.django_db(transaction=True)
def test_the_migration_reverses_and_makes_the_permissions_a_fresh_database_lacks():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_ROLES])
    assert not Group.objects.filter(name__in=roles.ROLES).exists()
    # As on a fresh database, where post_migrate has not yet made them: no content types, no permissions.
    apps_of_roles = ["promo", "moderation", "reports", "prizes"]
    ContentType.objects.filter(app_label__in=apps_of_roles).delete()
    assert not Permission.objects.filter(content_type__app_label__in=apps_of_roles).exists()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([LATEST_ROLES_MIGRATION])

    for name, permissions in roles.ROLES.items():
        assert permissions_of(Group.objects.get(name=name)) == set(permissions), name
    queue_view = Permission.objects.get(codename="view_queueitem")
    assert (queue_view.content_type.app_label, queue_view.content_type.model) == ("moderation", "queueitem")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_marketing_opens_the_admin_and_campaigns_but_no_submission_contact_queue_or_photo(client):
    submission = in_queue(CampaignFactory())
    user = staff_in(roles.MARKETING, "marketing")
    client.force_login(user)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/promo/campaign/").status_code == 200
    for url in (
        "/admin/promo/submission/",
        f"/admin/promo/submission/{submission.pk}/change/",
        "/admin/promo/participant/",
        f"/admin/promo/participant/{submission.participant_id}/change/",
        "/admin/promo/erasure/",
        QUEUE,
        f"{QUEUE}{submission.pk}/review/",
        photo_url(submission),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{QUEUE}{submission.pk}/approve/").status_code == 403
    assert not campaigns_moderated_by(user).exists()
    submission.refresh_from_db()
    assert submission.status == Status.MODERATION


@pytest.mark.django_db
def test_a_moderator_sees_the_photos_and_queue_of_assigned_campaigns_only(client):
    mine, theirs = in_queue(CampaignFactory()), in_queue(CampaignFactory())
    user = staff_in(roles.MODERATOR, "moderator")
    mine.campaign.moderators.add(user)
    client.force_login(user)

    assert client.get(photo_url(mine)).status_code == 200
    assert client.get(photo_url(theirs)).status_code == 403
    assert list(campaigns_moderated_by(user)) == [mine.campaign]
    for listing in (QUEUE, "/admin/promo/submission/"):
        page = client.get(listing).content.decode()
        assert photo_url(mine) in page and photo_url(theirs) not in page, listing
    assert client.get(f"{QUEUE}{mine.pk}/review/").status_code == 200
    assert client.get("/admin/promo/participant/").status_code == 403
    assert client.get("/admin/promo/campaign/").status_code == 403
    assert client.post(f"{QUEUE}{theirs.pk}/approve/").status_code == 404
    assert client.post(f"{QUEUE}{mine.pk}/approve/").status_code == 302
    mine.refresh_from_db()
    assert mine.status == Status.ACCEPTED and mine.decided_by == user


@pytest.mark.django_db
def test_only_a_senior_moderator_may_override_guards_and_revoke():
    moderator = staff_in(roles.MODERATOR, "moderator")
    senior = staff_in(roles.SENIOR_MODERATOR, "senior")
    for permission in (
        "moderation.override_guards",
        "moderation.revoke_acceptance",
        "promo.view_statustransition",
    ):
        assert senior.has_perm(permission) and not moderator.has_perm(permission), permission
    # A senior moderator is a moderator too, scoped the same way: no campaign is theirs until assigned.
    assert set(roles.ROLES[roles.MODERATOR]) < set(roles.ROLES[roles.SENIOR_MODERATOR])
    assert not campaigns_moderated_by(senior).exists()


@pytest.mark.django_db
def test_a_campaign_admin_sees_every_photo_assigns_moderators_and_decides_nothing(client):
    first, second = in_queue(CampaignFactory()), in_queue(CampaignFactory())
    admin = staff_in(roles.CAMPAIGN_ADMIN, "campaigns")
    moderator = staff_in(roles.MODERATOR, "moderator")
    client.force_login(admin)

    for submission in (first, second):
        assert client.get(photo_url(submission)).status_code == 200
    assert set(campaigns_moderated_by(admin)) == {first.campaign, second.campaign}
    page = client.get(QUEUE).content.decode()
    assert photo_url(first) in page and photo_url(second) in page
    assert client.get("/admin/promo/erasure/").status_code == 200
    assert client.get("/admin/promo/participant/").status_code == 403
    assert client.get(f"/admin/promo/submission/{first.pk}/delete/").status_code == 403
    assert client.post(f"{QUEUE}{first.pk}/approve/").status_code == 403
    for permission in (
        "moderation.override_guards",
        "moderation.revoke_acceptance",
        "promo.delete_submission",
    ):
        assert not admin.has_perm(permission), permission

    response = client.post(
        "/admin/promo/campaign/add/",
        {
            "name": "Winter", "slug": "winter", "starts_on": "2026-12-01", "ends_on": "2027-02-28",
            "timezone": "Europe/Moscow", "min_amount": "0", "currency": "RUB", "payment_systems": "[]",
            "documents": ["slip"], "min_confidence": "0.6", "reject_confidence": "0.99", "failure_policy": "{}",
            "moderation_target_minutes": "60", "rules_version": "1", "retention_days": "90", "is_active": "on",
            "moderators": [moderator.pk],
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(Campaign.objects.get(slug="winter").moderators.all()) == [moderator]


@pytest.mark.django_db
def test_only_the_campaign_admin_runs_webhooks_and_sees_their_deliveries(client):
    """The signing secret signs as the platform and the bodies carry moderators' notes: nobody else sees them."""
    campaign = CampaignFactory()
    admin = staff_in(roles.CAMPAIGN_ADMIN, "campaigns")
    client.force_login(admin)
    assert client.get("/admin/webhooks/endpoint/").status_code == 200
    assert client.get("/admin/webhooks/endpoint/add/").status_code == 200
    assert client.get("/admin/webhooks/delivery/").status_code == 200
    assert admin.has_perm("webhooks.resend_delivery") and admin.has_perm("webhooks.rotate_secret")
    assert not admin.has_perm("webhooks.delete_endpoint")
    for role in (roles.MODERATOR, roles.SENIOR_MODERATOR, roles.MARKETING):
        other = staff_in(role, role.replace(" ", "-"))
        campaign.moderators.add(other)
        client.force_login(other)
        for page in ("/admin/webhooks/endpoint/", "/admin/webhooks/delivery/"):
            assert client.get(page).status_code == 403, (role, page)
