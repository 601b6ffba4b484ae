"""Document numbers on PostgreSQL come from one database sequence per ``NumberSequence``
row instead of an update of the row (``kernel/numbering.py`` says why).

``kernel_next_number(kind, key, year)`` returns the next number in one round trip: it
finds the row (inserting it on the first draw of a year, when a stale sequence of a
deleted row with the same id is replaced), creates the row's sequence when it has none
and calls ``nextval``. A row's ``last`` is a floor: a sequence is created after it, and
moved past it if it lags behind, so rows written before this migration (or copied from
SQLite, or reloaded) never give a number twice. Nothing happens on SQLite, which keeps
the upsert.

Reversing writes each sequence's last value back into ``last`` and drops the sequences,
so the upsert continues without giving a number twice.
"""

from django.db import migrations

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION kernel_next_number(p_kind text, p_key text, p_year integer)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    row_id bigint;
    row_last bigint;
    drawn bigint;
    seq text;
BEGIN
    SELECT id, "last" INTO row_id, row_last FROM kernel_numbersequence
     WHERE "kind" = p_kind AND "key" = p_key AND "year" = p_year;
    IF row_id IS NULL THEN
        -- The first draw of the year. A concurrent first draw waits here, on the unique
        -- index, until this transaction ends, then finds the row.
        INSERT INTO kernel_numbersequence ("kind", "key", "year", "last")
        VALUES (p_kind, p_key, p_year, 0)
        ON CONFLICT ("kind", "key", "year") DO NOTHING
        RETURNING id INTO row_id;
        IF row_id IS NOT NULL THEN
            seq := 'kernel_number_' || row_id;
            EXECUTE format('DROP SEQUENCE IF EXISTS %I', seq);
            EXECUTE format('CREATE SEQUENCE %I', seq);
            RETURN nextval(seq::regclass);
        END IF;
        SELECT id, "last" INTO row_id, row_last FROM kernel_numbersequence
         WHERE "kind" = p_kind AND "key" = p_key AND "year" = p_year;
    END IF;
    seq := 'kernel_number_' || row_id;
    IF to_regclass(seq) IS NOT NULL THEN
        IF row_last > 0 THEN
            -- Numbers up to "last" were given out elsewhere (before sequences, in a copy
            -- from SQLite, in a reloaded dump): the sequence must be past them. Setting it
            -- happens once, under the row's lock; afterwards the check only reads.
            EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END'
                           ' FROM %I', seq) INTO drawn;
            IF drawn < row_last THEN
                PERFORM 1 FROM kernel_numbersequence WHERE id = row_id FOR UPDATE;
                EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END'
                               ' FROM %I', seq) INTO drawn;
                IF drawn < row_last THEN
                    PERFORM setval(seq::regclass, row_last);
                END IF;
            END IF;
        END IF;
        RETURN nextval(seq::regclass);
    END IF;
    -- A row without its sequence: under the row's lock, one transaction creates it,
    -- continuing after "last".
    SELECT "last" INTO row_last FROM kernel_numbersequence WHERE id = row_id FOR UPDATE;
    IF to_regclass(seq) IS NULL THEN
        EXECUTE format('CREATE SEQUENCE %I START WITH %s', seq, row_last + 1);
    END IF;
    RETURN nextval(seq::regclass);
END
$$;
"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the body's "%I" and "%s" are format() placeholders, not the driver's.
    schema_editor.execute(CREATE_FUNCTION, params=None)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    NumberSequence = apps.get_model("kernel", "NumberSequence")
    db = schema_editor.connection.alias
    with schema_editor.connection.cursor() as cursor:
        for row in NumberSequence.objects.using(db).all():
            name = f"kernel_number_{row.pk}"
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if not cursor.fetchone()[0]:
                continue
            cursor.execute(f'SELECT last_value, is_called FROM "{name}"')
            value, called = cursor.fetchone()
            row.last = value if called else value - 1
            row.save(update_fields=["last"])
            cursor.execute(f'DROP SEQUENCE "{name}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS kernel_next_number(text, text, integer)")


class Migration(migrations.Migration):
    dependencies = [
        ("kernel", "0002_notification_outbox"),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function),
    ]
