"""Every person carries the province-level root of their union (sharding by province):
added empty, filled from the union's path, then required (0004)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE people_person SET province_id = (
    SELECT root.id FROM orgs_organization root, orgs_organization org
    WHERE org.id = people_person.organization_id AND root.path = substr(org.path, 1, 4)
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_dissolve_permission"),
        ("people", "0002_protected_fragments"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="province",
            field=models.ForeignKey(
                editable=False,
                help_text="所在组织树的根,供按省分库",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.organization",
                verbose_name="省级组织",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
