"""Joint labour inspections now belong to ``inspections`` (same tables, ``cases_inspection``
…, see inspections 0001).

In state only: the five models leave ``cases``; the database keeps its tables, columns,
constraints and indexes. In the data: their content types move from ``cases`` to
``inspections``, keeping their ids, so the permission rows (``view_inspection``,
``manage_inspection`` …) — and every role, group and user holding them — stay as they
are, and the audit logs' object types follow, so a campaign's history stays one history.
"""

from django.db import migrations

#: The moved models, dependents first.
MODELS = (
    "InspectionEvent",
    "RectificationOrder",
    "InspectionFinding",
    "InspectionTarget",
    "Inspection",
)


def _merge_content_types(apps, db, keep, drop) -> None:
    """Both content types exist (``post_migrate`` ran between inspections 0001 and this
    migration, or the new code created one on the fly): keep ``keep``, which carries the
    long-standing assignments, and move onto it whatever points at ``drop``."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    kept = {p.codename: p for p in Permission.objects.using(db).filter(content_type=keep)}
    links = [
        rel.through
        for rel in Permission._meta.related_objects
        if rel.many_to_many and rel.through is not None
    ]
    for perm in Permission.objects.using(db).filter(content_type=drop):
        target = kept.get(perm.codename)
        if target is None:
            perm.content_type = keep
            perm.save(update_fields=["content_type"])
            continue
        for through in links:
            own = next(
                f.name
                for f in through._meta.fields
                if f.is_relation and f.related_model._meta.label_lower == "auth.permission"
            )
            other = next(f.attname for f in through._meta.fields if f.is_relation and f.name != own)
            for row in through.objects.using(db).filter(**{own: perm}):
                through.objects.using(db).get_or_create(**{own: target, other: getattr(row, other)})
        perm.delete()
    for rel in ContentType._meta.related_objects:
        if rel.one_to_many and rel.related_model._meta.label_lower != "auth.permission":
            rel.related_model.objects.using(db).filter(**{rel.field.name: drop}).update(
                **{rel.field.name: keep}
            )
    drop.delete()


def _move(apps, schema_editor, old_label: str, new_label: str) -> None:
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in (name.lower() for name in MODELS):
        old = ContentType.objects.using(db).filter(app_label=old_label, model=model).first()
        if old is not None:
            new = ContentType.objects.using(db).filter(app_label=new_label, model=model).first()
            if new is not None:
                _merge_content_types(apps, db, keep=old, drop=new)
            old.app_label = new_label
            old.save(update_fields=["app_label"])
        for name in ("ChangeLog", "AccessLog"):
            apps.get_model("audit", name).objects.using(db).filter(
                object_type=f"{old_label}.{model}"
            ).update(object_type=f"{new_label}.{model}")


def forwards(apps, schema_editor):
    _move(apps, schema_editor, "cases", "inspections")


def backwards(apps, schema_editor):
    _move(apps, schema_editor, "inspections", "cases")


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
