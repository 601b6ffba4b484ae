"""Partner departments now belong to ``partners`` (same table, ``cases_department``).

In state only: referrals and inspections point at ``partners.Department`` and the old
model leaves ``cases``; the database keeps its tables, columns and constraints. In the
data: the department's content type moves from ``cases`` to ``partners``, so its
permission rows — and every role, group and user holding them — stay as they are, and
the audit logs' object type follows, so a department's history stays one history.
"""

import django.db.models.deletion
from django.db import migrations, models

from huigong.kernel.migration_ops import move_content_types

MODEL = "department"


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, (MODEL,), "cases", "partners")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, (MODEL,), "partners", "cases")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_kernel_timeline_and_numbers"),
        ("partners", "0001_initial"),
        # What points at permissions and content types, so the merge above sees it all.
        ("accounts", "0005_api_token_scope_and_expiry"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("audit", "0002_reveal_reason_choice"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="referral",
                    name="department",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="referrals",
                        to="partners.department",
                        verbose_name="协作部门",
                    ),
                ),
                migrations.AlterField(
                    model_name="inspection",
                    name="departments",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="inspections",
                        to="partners.department",
                        verbose_name="联合部门",
                    ),
                ),
                migrations.DeleteModel(name="Department"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
