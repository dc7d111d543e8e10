"""Staff roles as groups: a copy of moderation.roles.ROLES as it was when this migration was written.

A migration must not import code that changes later, so the data is copied here; tests/moderation/test_roles.py
checks that the copy in the latest roles migration equals moderation.roles.ROLES.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "moderator": (
        "moderation.view_queueitem",
        "moderation.change_queueitem",
        "promo.view_submission",
        "moderation.add_fieldcorrection",
        "moderation.view_fieldcorrection",
        "moderation.add_redaction",
        "moderation.view_redaction",
    ),
    "senior moderator": (
        "moderation.view_queueitem",
        "moderation.change_queueitem",
        "promo.view_submission",
        "moderation.add_fieldcorrection",
        "moderation.view_fieldcorrection",
        "moderation.add_redaction",
        "moderation.view_redaction",
        "moderation.override_guards",
        "moderation.revoke_acceptance",
        "promo.view_statustransition",
    ),
    "marketing": ("promo.view_campaign",),
    "campaign admin": (
        "promo.add_campaign",
        "promo.change_campaign",
        "promo.view_campaign",
        "promo.view_submission",
        "moderation.view_queueitem",
        "promo.moderate_any_campaign",
        "promo.view_erasure",
    ),
}


def ensure_permissions(apps, using, roles=ROLES):
    """Content types and permissions are made by post_migrate, after every migration has run: on a fresh
    database they do not exist yet here. Make those of the apps the roles name now, as post_migrate would
    (it skips what exists). create_permissions skips an app config without a models module, which the
    migration state's configs never have: set one for the call, and put the config back as it was."""
    for label in sorted({permission.split(".", 1)[0] for names in roles.values() for permission in names}):
        app_config = apps.get_app_config(label)
        had_models_module = "models_module" in vars(app_config)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, verbosity=0, using=using, apps=apps)
        finally:
            if had_models_module:
                app_config.models_module = models_module
            else:
                del app_config.models_module


def create_roles(apps, schema_editor, roles=ROLES):
    """Idempotent: each group exists, with exactly its permissions (any other it was given is taken away).
    Later roles migrations call it with their own copy of the roles."""
    using = schema_editor.connection.alias
    ensure_permissions(apps, using, roles)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in roles.items():
        found = []
        for permission in permissions:
            app_label, codename = permission.split(".", 1)
            try:
                found.append(
                    Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)
                )
            except Permission.DoesNotExist:
                raise LookupError(f"role {name!r}: no permission {permission!r}") from None
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(found)


def delete_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("moderation", "0002_claims_corrections_redactions"),
        ("promo", "0009_moderation_workspace"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
