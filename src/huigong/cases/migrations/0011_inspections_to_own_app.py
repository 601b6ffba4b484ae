"""Joint labour inspections now belong to ``inspections`` (same tables, ``cases_inspection``
…, see inspections 0001).

In state only: the five models leave ``cases``; the database keeps its tables, columns,
constraints and indexes. In the data: their content types move from ``cases`` to
``inspections``, keeping their ids, so the permission rows (``view_inspection``,
``manage_inspection`` …) — and every role, group and user holding them — stay as they
are, and the audit logs' object types follow, so a campaign's history stays one history.
"""

from django.db import migrations

from huigong.kernel.migration_ops import move_content_types

#: The moved models, dependents first.
MODELS = (
    "InspectionEvent",
    "RectificationOrder",
    "InspectionFinding",
    "InspectionTarget",
    "Inspection",
)


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, MODELS, "cases", "inspections")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, MODELS, "inspections", "cases")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_notifications_to_kernel"),
        ("inspections", "0001_initial"),
        # What points at permissions and content types, so the merge above sees it all.
        ("accounts", "0005_api_token_scope_and_expiry"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("audit", "0002_reveal_reason_choice"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=model) for model in MODELS],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
