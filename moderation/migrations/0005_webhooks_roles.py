"""Staff roles as groups, now with the webhooks permissions for the campaign admin: a copy of
moderation.roles.ROLES as it was when this migration was written (see 0003_roles for why it is a copy). Reversed,
the groups get 0004's roles back.
"""

import importlib

from django.db import migrations

_first = importlib.import_module("moderation.migrations.0003_roles")
_previous = importlib.import_module("moderation.migrations.0004_reports_and_prizes_roles")

ROLES = {'moderator': ('moderation.view_queueitem',
               'moderation.change_queueitem',
               'promo.view_submission',
               'moderation.add_fieldcorrection',
               'moderation.view_fieldcorrection',
               'moderation.add_redaction',
               'moderation.view_redaction'),
 'senior moderator': ('moderation.view_queueitem',
                      'moderation.change_queueitem',
                      'promo.view_submission',
                      'moderation.add_fieldcorrection',
                      'moderation.view_fieldcorrection',
                      'moderation.add_redaction',
                      'moderation.view_redaction',
                      'moderation.override_guards',
                      'moderation.revoke_acceptance',
                      'promo.view_statustransition'),
 'marketing': ('promo.view_campaign',
               'reports.view_reports',
               'reports.export_submissions',
               'prizes.view_draw',
               'prizes.view_registry'),
 'campaign admin': ('promo.add_campaign',
                    'promo.change_campaign',
                    'promo.view_campaign',
                    'promo.view_submission',
                    'moderation.view_queueitem',
                    'promo.moderate_any_campaign',
                    'promo.view_erasure',
                    'reports.view_reports',
                    'reports.export_submissions',
                    'prizes.add_promocode',
                    'prizes.view_promocode',
                    'prizes.delete_promocode',
                    'prizes.view_codeshortage',
                    'prizes.change_codeshortage',
                    'prizes.add_prizesettings',
                    'prizes.change_prizesettings',
                    'prizes.view_prizesettings',
                    'prizes.view_draw',
                    'prizes.run_draw',
                    'prizes.view_registry',
                    'webhooks.add_endpoint',
                    'webhooks.change_endpoint',
                    'webhooks.view_endpoint',
                    'webhooks.rotate_secret',
                    'webhooks.view_delivery',
                    'webhooks.resend_delivery')}


def create_roles(apps, schema_editor):
    _first.create_roles(apps, schema_editor, ROLES)


def restore_previous_roles(apps, schema_editor):
    _first.create_roles(apps, schema_editor, _previous.ROLES)


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0004_reports_and_prizes_roles"),
        ("webhooks", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, restore_previous_roles)]
