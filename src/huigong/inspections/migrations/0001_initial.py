"""Joint labour inspections move here from ``cases``. Their tables (``cases_inspection``,
``cases_inspectiontarget``, ``cases_inspectionfinding``, ``cases_rectificationorder``,
``cases_inspectionevent`` and ``cases_inspection_departments``) were created by
``cases`` 0005 and stay as they are: this migration only takes the models into
``inspections``' state; ``cases`` 0011 then drops them from ``cases``' state and moves
their content types (so permissions and their role assignments survive) and the audit
labels."""

import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The tables must exist, the departments being partners' (cases 0005, 0008).
        ("cases", "0008_department_to_partners"),
        ("orgs", "0002_dissolve_permission"),
        ("partners", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Inspection",
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
                        ("name", models.CharField(max_length=200, verbose_name="检查名称")),
                        ("start_date", models.DateField(verbose_name="开始日期")),
                        ("end_date", models.DateField(verbose_name="结束日期")),
                        ("description", models.TextField(blank=True, verbose_name="检查内容")),
                        (
                            "status",
                            django_fsm.FSMField(
                                choices=[
                                    ("planned", "计划中"),
                                    ("in_progress", "检查中"),
                                    ("finished", "已结束"),
                                    ("cancelled", "已取消"),
                                ],
                                db_index=True,
                                default="planned",
                                max_length=12,
                                protected=True,
                                verbose_name="状态",
                            ),
                        ),
                        ("summary", models.TextField(blank=True, verbose_name="检查总结")),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="创建时间"
                            ),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="开始检查时间"
                            ),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="结束时间"),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="创建人",
                            ),
                        ),
                        (
                            "departments",
                            models.ManyToManyField(
                                blank=True,
                                related_name="inspections",
                                to="partners.department",
                                verbose_name="联合部门",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="inspections",
                                to="orgs.organization",
                                verbose_name="组织单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "联合执法检查",
                        "verbose_name_plural": "联合执法检查",
                        "db_table": "cases_inspection",
                        "ordering": ["-start_date", "-id"],
                        "permissions": [("manage_inspection", "可组织联合执法检查")],
                    },
                    bases=(django_fsm.FSMModelMixin, models.Model),
                ),
                migrations.CreateModel(
                    name="InspectionEvent",
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
                        (
                            "time",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="时间"
                            ),
                        ),
                        (
                            "from_status",
                            models.CharField(blank=True, max_length=12, verbose_name="原状态"),
                        ),
                        (
                            "to_status",
                            models.CharField(blank=True, max_length=12, verbose_name="新状态"),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="说明")),
                        ("data", models.JSONField(blank=True, default=dict, verbose_name="数据")),
                        (
                            "kind",
                            models.CharField(
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
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                help_text="为空表示系统",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="操作人",
                            ),
                        ),
                        (
                            "inspection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="inspections.inspection",
                                verbose_name="执法检查",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "执法检查记录",
                        "verbose_name_plural": "执法检查记录",
                        "db_table": "cases_inspectionevent",
                        "ordering": ["time", "id"],
                        "abstract": False,
                    },
                ),
                migrations.CreateModel(
                    name="InspectionTarget",
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
                        ("name", models.CharField(max_length=200, verbose_name="单位名称")),
                        (
                            "credit_code",
                            models.CharField(
                                blank=True, max_length=18, verbose_name="统一社会信用代码"
                            ),
                        ),
                        (
                            "visited_on",
                            models.DateField(blank=True, null=True, verbose_name="检查日期"),
                        ),
                        (
                            "workers_employed",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="用工人数"
                            ),
                        ),
                        ("result_summary", models.TextField(blank=True, verbose_name="检查情况")),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="添加时间"
                            ),
                        ),
                        (
                            "inspection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="targets",
                                to="inspections.inspection",
                                verbose_name="执法检查",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="inspection_targets",
                                to="orgs.organization",
                                verbose_name="已建会单位",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "检查对象",
                        "verbose_name_plural": "检查对象",
                        "db_table": "cases_inspectiontarget",
                        "ordering": ["id"],
                    },
                ),
                migrations.CreateModel(
                    name="InspectionFinding",
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
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("no_contract", "未签订劳动合同"),
                                    ("social_insurance", "未缴纳社会保险"),
                                    ("wage_arrears", "拖欠工资"),
                                    ("overtime", "超时加班"),
                                    ("safety", "职业安全隐患"),
                                    ("other", "其他问题"),
                                ],
                                max_length=20,
                                verbose_name="问题类型",
                            ),
                        ),
                        (
                            "workers_affected",
                            models.PositiveIntegerField(default=0, verbose_name="涉及职工人数"),
                        ),
                        ("description", models.TextField(verbose_name="问题描述")),
                        (
                            "amount_involved",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=12,
                                null=True,
                                verbose_name="涉及金额(元)",
                            ),
                        ),
                        (
                            "recorded_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="登记时间"
                            ),
                        ),
                        (
                            "case",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="inspection_finding",
                                to="cases.case",
                                verbose_name="立案诉求",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="登记人",
                            ),
                        ),
                        (
                            "target",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="findings",
                                to="inspections.inspectiontarget",
                                verbose_name="检查对象",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "检查发现问题",
                        "verbose_name_plural": "检查发现问题",
                        "db_table": "cases_inspectionfinding",
                        "ordering": ["id"],
                    },
                ),
                migrations.CreateModel(
                    name="RectificationOrder",
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
                        ("requirement", models.TextField(verbose_name="整改要求")),
                        ("due_date", models.DateField(verbose_name="整改期限")),
                        (
                            "status",
                            django_fsm.FSMField(
                                choices=[
                                    ("issued", "整改中"),
                                    ("rectified", "已整改"),
                                    ("overdue", "逾期未整改"),
                                ],
                                db_index=True,
                                default="issued",
                                max_length=10,
                                protected=True,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "issued_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="下达时间"
                            ),
                        ),
                        (
                            "overdue_marked_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="逾期时间"),
                        ),
                        (
                            "rectified_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="整改完成时间"
                            ),
                        ),
                        (
                            "rectified_on_time",
                            models.BooleanField(
                                blank=True, editable=False, null=True, verbose_name="按期整改"
                            ),
                        ),
                        ("result_text", models.TextField(blank=True, verbose_name="整改情况")),
                        (
                            "contracts_signed",
                            models.PositiveIntegerField(default=0, verbose_name="新签劳动合同(份)"),
                        ),
                        (
                            "workers_insured",
                            models.PositiveIntegerField(default=0, verbose_name="新参保职工(人)"),
                        ),
                        (
                            "amount_recovered",
                            models.DecimalField(
                                decimal_places=2,
                                default=0,
                                max_digits=12,
                                verbose_name="追回金额(元)",
                            ),
                        ),
                        (
                            "finding",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="orders",
                                to="inspections.inspectionfinding",
                                verbose_name="发现问题",
                            ),
                        ),
                        (
                            "issued_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="下达人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "整改通知",
                        "verbose_name_plural": "整改通知",
                        "db_table": "cases_rectificationorder",
                        "ordering": ["due_date", "id"],
                    },
                    bases=(django_fsm.FSMModelMixin, models.Model),
                ),
                migrations.AddConstraint(
                    model_name="inspection",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("end_date__gte", models.F("start_date"))),
                        name="inspection_end_not_before_start",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="inspectiontarget",
                    constraint=models.UniqueConstraint(
                        fields=("inspection", "name"), name="unique_inspection_target_name"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="inspectiontarget",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("organization__isnull", False)),
                        fields=("inspection", "organization"),
                        name="unique_inspection_target_org",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="inspectiontarget",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("workers_employed__isnull", True),
                            ("workers_employed__gte", 0),
                            _connector="OR",
                        ),
                        name="inspection_target_workers_not_negative",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="inspectionfinding",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("workers_affected__gte", 0)),
                        name="inspection_finding_workers_not_negative",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="inspectionfinding",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("amount_involved__isnull", True),
                            ("amount_involved__gte", 0),
                            _connector="OR",
                        ),
                        name="inspection_finding_amount_not_negative",
                    ),
                ),
                migrations.AddIndex(
                    model_name="rectificationorder",
                    index=models.Index(
                        condition=models.Q(("status", "issued")),
                        fields=["due_date"],
                        name="rectification_issued_due_idx",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="rectificationorder",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("contracts_signed__gte", 0), ("workers_insured__gte", 0)
                        ),
                        name="rectification_figures_not_negative",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="rectificationorder",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount_recovered__gte", 0)),
                        name="rectification_amount_not_negative",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="rectificationorder",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "rectified"), ("rectified_at__isnull", False)),
                            models.Q(
                                models.Q(("status", "rectified"), _negated=True),
                                ("rectified_at__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="rectification_rectified_at_iff_rectified",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
