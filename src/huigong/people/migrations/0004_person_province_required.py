import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_person_province"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="province",
            field=models.ForeignKey(
                editable=False,
                help_text="所在组织树的根,供按省分库",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.organization",
                verbose_name="省级组织",
            ),
        ),
    ]
