"""Partner departments move here from ``cases``. The table (``cases_department``) and its
members table were created by ``cases`` 0001/0004 and stay as they are: this migration
only takes the model into ``partners``' state; ``cases`` 0008 then points the referrals
and inspections at it, drops the old model from ``cases``' state and moves the content
type (so permissions and their role assignments survive)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The table must exist (created by cases 0001, members added by cases 0004).
        ("cases", "0006_private_attachments"),
        ("orgs", "0002_dissolve_permission"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Department",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="名称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("labour_inspection", "人社/劳动监察"),
                                    ("arbitration", "劳动人事争议仲裁"),
                                    ("justice", "司法行政"),
                                    ("court", "人民法院"),
                                    ("civil_affairs", "民政"),
                                    ("housing", "住房和城乡建设"),
                                    ("police", "公安"),
                                    ("health", "卫生健康"),
                                    ("market", "市场监管"),
                                    ("other", "其他部门"),
                                ],
                                max_length=20,
                                verbose_name="类型",
                            ),
                        ),
                        (
                            "response_days",
                            models.PositiveSmallIntegerField(
                                default=5, verbose_name="答复时限(工作日)"
                            ),
                        ),
                        (
                            "contact_name",
                            models.CharField(blank=True, max_length=50, verbose_name="联系人"),
                        ),
                        (
                            "contact_phone",
                            models.CharField(blank=True, max_length=30, verbose_name="联系电话"),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="创建时间"),
                        ),
                        (
                            "members",
                            models.ManyToManyField(
                                blank=True,
                                help_text="可登录工作台答复转办事项的部门人员(协作部门角色)",
                                related_name="partner_departments",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="部门账号",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="partner_departments",
                                to="orgs.organization",
                                verbose_name="所属组织",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "协作部门",
                        "verbose_name_plural": "协作部门",
                        "db_table": "cases_department",
                        "ordering": ["organization__path", "name"],
                        "permissions": [("manage_department", "管理协作部门")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("organization", "name"),
                                name="unique_department_name_per_org",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("response_days__gte", 1)),
                                name="department_response_days_positive",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
