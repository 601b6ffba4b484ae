"""Case numbers move to the kernel's sequences (``kernel.NumberSequence``), and the
inspection timeline takes the kernel's ``kind`` length.

Every case-number row is copied twice, as the ``case`` and the ``mediation`` sequence of
the same key: before, case numbers (``QD``) and mediation numbers (``QDTJ``) drew from one
table, so either kind may have used a key; continuing both from the same last number
never gives out a number twice."""

from django.db import migrations, models


def copy_sequences(apps, schema_editor):
    old = apps.get_model("cases", "CaseNumberSequence")
    new = apps.get_model("kernel", "NumberSequence")
    new.objects.bulk_create(
        [
            new(kind=kind, key=row.prefix, year=row.year, last=row.last)
            for row in old.objects.all()
            for kind in ("case", "mediation")
        ]
    )


def copy_back(apps, schema_editor):
    old = apps.get_model("cases", "CaseNumberSequence")
    new = apps.get_model("kernel", "NumberSequence")
    highest: dict[tuple[str, int], int] = {}
    for row in new.objects.filter(kind__in=("case", "mediation")):
        key = (row.key, row.year)
        highest[key] = max(highest.get(key, 0), row.last)
    old.objects.bulk_create(
        [old(prefix=k, year=y, last=last) for (k, y), last in highest.items()]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_private_attachments"),
        ("kernel", "0001_number_sequences"),
    ]

    operations = [
        migrations.RunPython(copy_sequences, copy_back),
        migrations.DeleteModel(name="CaseNumberSequence"),
        migrations.AlterField(
            model_name="inspectionevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("planned", "制定检查计划"),
                    ("updated", "修改检查计划"),
                    ("started", "开始检查"),
                    ("finished", "结束检查"),
                    ("cancelled", "取消检查"),
                    ("target_added", "添加检查对象"),
                    ("target_visited", "登记检查情况"),
                    ("finding_recorded", "登记发现问题"),
                    ("order_issued", "下达整改通知"),
                    ("rectified", "整改到位"),
                    ("order_overdue", "整改逾期"),
                    ("case_opened", "立案转办"),
                ],
                max_length=24,
                verbose_name="事件",
            ),
        ),
    ]
