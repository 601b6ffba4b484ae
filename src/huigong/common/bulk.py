"""Writing many new rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

``bulk_create`` on PostgreSQL compiles one ``INSERT … SELECT * FROM UNNEST(…)`` per batch
and prepares every value through the ORM; for an import chunk that is most of the write's
time. ``insert_many`` takes the primary keys from the table's sequence first (one
``nextval`` per row in a single statement), sets them on the objects, and streams the
rows with ``COPY … FROM STDIN`` — the same path ``pg_dump`` restores through. Values are
prepared as ``bulk_create`` would (``pre_save`` for ``auto_now`` fields, the field's own
``get_db_prep_save`` for anything but plain columns, e.g. encrypted text and JSON), so
the rows are the same either way; a constraint violation raises ``IntegrityError`` for the
whole batch, as ``bulk_create`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router
from django.utils.functional import Promise

#: Field classes whose Python value is already what the database driver writes.
_PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DateTimeField,
    models.ForeignKey,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.TextField,
    models.UUIDField,
)


def insert_many(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert new ``objs`` of ``model`` and set their primary keys (in order)."""
    if not objs:
        return
    using = router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        model.objects.using(using).bulk_create(objs)
        return
    meta = model._meta
    pk = meta.pk
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        for obj, (key,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, key)
        fields = meta.concrete_fields
        values = [_value_of(field, connection) for field in fields]
        columns = ", ".join(quote(field.column) for field in fields)
        # Django's error wrapper: a violated constraint is an ``IntegrityError`` here too.
        statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        with connection.wrap_database_errors, cursor.copy(statement) as copy:
            for obj in objs:
                copy.write_row([value(obj) for value in values])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Promise) else value  # a lazy translation


def _value_of(field: models.Field, connection) -> Callable[[models.Model], Any]:
    if (
        type(field) in _PLAIN
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ):
        attname = field.attname
        return lambda obj: _plain(getattr(obj, attname))
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
