"""Idempotent uploads (promo.idempotency): the key a request carried, unique per campaign where it is given.

The unique index is partial (non-empty keys only): uploads without a key, and every row stored before this, are
left out of it. PostgreSQL 11+ adds the column with its constant default without rewriting the table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("promo", "0013_report_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="idempotency_key",
            field=models.CharField(blank=True, default="", max_length=100, verbose_name="idempotency key"),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.UniqueConstraint(
                condition=models.Q(("idempotency_key", ""), _negated=True),
                fields=("campaign", "idempotency_key"),
                name="submission_idempotency_key",
            ),
        ),
    ]
