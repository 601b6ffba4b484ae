"""API tokens get a scope (read-only or read-write) and always an expiry date.

Tokens issued before keep working as they did: they become read-write, and a token that
never expired now expires a year from the migration (``API_TOKEN_MAX_DAYS``)."""

import datetime

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_open_tokens_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    expires_at = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=expires_at)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_worker_usernames_without_phone"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "只读"), ("write", "读写")],
                default="write",
                max_length=10,
                verbose_name="权限范围",
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "只读"), ("write", "读写")],
                default="read",
                max_length=10,
                verbose_name="权限范围",
            ),
        ),
        migrations.RunPython(give_open_tokens_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="过期时间"),
        ),
    ]
