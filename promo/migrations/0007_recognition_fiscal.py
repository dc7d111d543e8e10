# The fiscal receipt QR's ids on each reading, and the campaign-scoped index the fiscal duplicate probe uses.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("promo", "0006_campaign_documents"),
    ]

    operations = [
        migrations.AddField(
            model_name="recognition",
            name="fiscal_fn",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="recognition",
            name="fiscal_i",
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.AddField(
            model_name="recognition",
            name="fiscal_fp",
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.AddField(
            model_name="recognition",
            name="fiscal_operation",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="recognition",
            index=models.Index(
                condition=models.Q(("fiscal_fn", ""), _negated=True),
                fields=["campaign", "fiscal_fn", "fiscal_i", "fiscal_fp"],
                name="recognition_fiscal",
            ),
        ),
    ]
