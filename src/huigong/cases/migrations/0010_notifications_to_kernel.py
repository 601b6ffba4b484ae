"""The notification outbox and the digests move to the kernel (``kernel.Notification``,
``kernel.Digest``): every row is copied — a case notification becomes a notification
about its case (content type ``cases.case``), sent or not as it was — and the case
tables are dropped."""

from django.db import migrations


def copy_to_kernel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    CaseNotification = apps.get_model("cases", "CaseNotification")
    CaseDigest = apps.get_model("cases", "CaseDigest")
    Notification = apps.get_model("kernel", "Notification")
    Digest = apps.get_model("kernel", "Digest")
    case_type, _created = ContentType.objects.get_or_create(app_label="cases", model="case")
    rows = CaseNotification.objects.order_by("pk").iterator(chunk_size=2000)
    batch = []
    for row in rows:
        batch.append(
            Notification(
                user_id=row.user_id,
                content_type_id=case_type.pk,
                object_id=row.case_id,
                kind=row.kind,
                created_at=row.created_at,
                sent_in_digest_at=row.sent_in_digest_at,
            )
        )
        if len(batch) >= 2000:
            Notification.objects.bulk_create(batch)
            batch = []
    Notification.objects.bulk_create(batch)
    Digest.objects.bulk_create(
        [
            Digest(
                user_id=d.user_id,
                day=d.day,
                sent_at=d.sent_at,
                notification_count=d.notification_count,
            )
            for d in CaseDigest.objects.order_by("pk")
        ]
    )


def copy_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    CaseNotification = apps.get_model("cases", "CaseNotification")
    CaseDigest = apps.get_model("cases", "CaseDigest")
    Notification = apps.get_model("kernel", "Notification")
    Digest = apps.get_model("kernel", "Digest")
    case_type = ContentType.objects.filter(app_label="cases", model="case").first()
    if case_type is not None:
        CaseNotification.objects.bulk_create(
            [
                CaseNotification(
                    user_id=n.user_id,
                    case_id=n.object_id,
                    kind=n.kind,
                    created_at=n.created_at,
                    sent_in_digest_at=n.sent_in_digest_at,
                )
                for n in Notification.objects.filter(content_type=case_type).order_by("pk")
            ]
        )
    CaseDigest.objects.bulk_create(
        [
            CaseDigest(
                user_id=d.user_id,
                day=d.day,
                sent_at=d.sent_at,
                notification_count=d.notification_count,
            )
            for d in Digest.objects.order_by("pk")
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_attachment_kernel_upload"),
        ("kernel", "0002_notification_outbox"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_to_kernel, copy_back),
        migrations.DeleteModel(name="CaseNotification"),
        migrations.DeleteModel(name="CaseDigest"),
    ]
