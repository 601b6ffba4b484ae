"""Operations that migrations moving models between apps share (``RunPython`` bodies).
Migrations import them by name, so they must keep working on historical models: they
use only ``apps.get_model`` and change no signature.

Used by ``cases`` 0008 (partner departments → ``partners``) and 0011 (inspections →
``inspections``).
"""


def merge_content_types(apps, db, keep, drop) -> None:
    """Both content types exist (``post_migrate`` ran between the new app's first
    migration and the move, or the new code created one on the fly): keep ``keep``, which
    carries the long-standing assignments, and move onto it whatever points at ``drop``."""
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


def move_content_types(apps, schema_editor, models, old_label: str, new_label: str) -> None:
    """Give the content types of ``models`` (model names) of ``old_label`` to
    ``new_label``, keeping their ids — so permission rows and every role, group and user
    holding them stay as they are — and relabel the audit logs' object types."""
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in (name.lower() for name in models):
        old = ContentType.objects.using(db).filter(app_label=old_label, model=model).first()
        if old is not None:
            new = ContentType.objects.using(db).filter(app_label=new_label, model=model).first()
            if new is not None:
                merge_content_types(apps, db, keep=old, drop=new)
            old.app_label = new_label
            old.save(update_fields=["app_label"])
        for name in ("ChangeLog", "AccessLog"):
            apps.get_model("audit", name).objects.using(db).filter(
                object_type=f"{old_label}.{model}"
            ).update(object_type=f"{new_label}.{model}")
