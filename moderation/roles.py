"""Staff roles: a Django group each, with exactly these permissions ("app_label.codename", as `has_perm` reads them).

Which campaigns a holder sees is not a permission but an assignment (Campaign.moderators), except for
promo.moderate_any_campaign, which sees them all (promo.selectors.campaigns_moderated_by). No role may delete a
submission: every upload keeps its record.

A migration creates the groups from a copy of ROLES (a migration must not import code that changes later). To
change a role: edit ROLES, then write a new data migration that copies the new ROLES and sets every group's
permissions to exactly them, and point tests/moderation/test_roles.py's LATEST_ROLES_MIGRATION at it; that test
fails while the two differ.
"""

# Group names: stable identifiers that code and migrations refer to, never renamed in place.
MODERATOR = "moderator"
SENIOR_MODERATOR = "senior moderator"
MARKETING = "marketing"
CAMPAIGN_ADMIN = "campaign admin"

_MODERATOR_PERMISSIONS = (
    # The queue and the decisions in it, on the campaigns the moderator is assigned to.
    "moderation.view_queueitem",
    "moderation.change_queueitem",
    # The review page shows the participant's other submissions in the campaign; a list of every contact
    # (promo.view_participant) is not needed for that, so it is not given.
    "promo.view_submission",
    "moderation.add_fieldcorrection",
    "moderation.view_fieldcorrection",
    "moderation.add_redaction",
    "moderation.view_redaction",
)

ROLES: dict[str, tuple[str, ...]] = {
    MODERATOR: _MODERATOR_PERMISSIONS,
    SENIOR_MODERATOR: (
        *_MODERATOR_PERMISSIONS,
        "moderation.override_guards",
        "moderation.revoke_acceptance",
        "promo.view_statustransition",
    ),
    # Reports, exports (never more of a card than its last 4, contacts masked) and the draws' published records:
    # no photos, no contacts, no queue.
    MARKETING: (
        "promo.view_campaign",
        "reports.view_reports",
        "reports.export_submissions",
        "prizes.view_draw",
        "prizes.view_registry",
    ),
    CAMPAIGN_ADMIN: (
        # Campaigns, and who moderates each (Campaign.moderators is edited on the campaign's page).
        "promo.add_campaign",
        "promo.change_campaign",
        "promo.view_campaign",
        "promo.view_submission",
        "moderation.view_queueitem",
        "promo.moderate_any_campaign",
        "promo.view_erasure",
        "reports.view_reports",
        "reports.export_submissions",
        # Promo code pools (codes are never edited; only codes never handed out may be deleted), shortages,
        # what a revocation does with a code, and the draws.
        "prizes.add_promocode",
        "prizes.view_promocode",
        "prizes.delete_promocode",
        "prizes.view_codeshortage",
        "prizes.change_codeshortage",
        "prizes.add_prizesettings",
        "prizes.change_prizesettings",
        "prizes.view_prizesettings",
        "prizes.view_draw",
        "prizes.run_draw",
        "prizes.view_registry",
        # The client's webhook endpoints (no delete: switch one off) and their deliveries. Nobody else: the
        # signing secret signs as the platform, and the bodies carry moderators' notes.
        "webhooks.add_endpoint",
        "webhooks.change_endpoint",
        "webhooks.view_endpoint",
        "webhooks.rotate_secret",
        "webhooks.view_delivery",
        "webhooks.resend_delivery",
    ),
}
