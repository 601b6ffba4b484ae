"""The seeded roles and the foundation's permissions they hold. Every other app grants its
own permissions to these roles from its ``AppConfig.ready``
(``huigong.kernel.registry.grant``). Administrators may change roles in admin;
``seed_roles`` only creates missing roles and adds missing permissions, never removes."""

from django.utils.translation import gettext_lazy as _

_ORG_READ = ["orgs.view_organization", "orgs.view_grid"]
_ORG_WRITE = [
    "orgs.add_organization",
    "orgs.change_organization",
    "orgs.add_grid",
    "orgs.change_grid",
]
_PEOPLE_READ = ["people.view_person", "people.view_householdmember"]
_PEOPLE_WRITE = [
    "people.add_person",
    "people.change_person",
    "people.add_householdmember",
    "people.change_householdmember",
    "people.delete_householdmember",
]
#: The ledger (台账) of the holder's scope in Excel: its organizations and people out, and
#: in. Cases grant their own export (``cases.apps``).
_LEDGER = [
    "orgs.export_organization",
    "orgs.import_organization",
    "people.export_person",
    "people.import_person",
]
#: code → (name, description, permissions)
ROLES: dict[str, tuple] = {
    "system_admin": (_("系统管理员"), _("配置组织树、角色、时限和节假日"), ["*"]),
    "federation_cadre": (
        _("总工会干部"),
        _("市、县总工会干部:管理本级及下级的全部业务"),
        [
            *_ORG_READ,
            *_ORG_WRITE,
            "orgs.move_organization",
            "orgs.merge_organization",
            "orgs.dissolve_organization",
            *_PEOPLE_READ,
            *_PEOPLE_WRITE,
            *_LEDGER,
            "people.reveal_person",
        ],
    ),
    "township_cadre": (
        _("乡镇工会干部"),
        _("乡镇(街道)工会干部:管理本乡镇的组织和职工"),
        [
            *_ORG_READ,
            *_ORG_WRITE,
            *_PEOPLE_READ,
            *_PEOPLE_WRITE,
            *_LEDGER,
            "people.reveal_person",
        ],
    ),
    "station_staff": (
        _("站点工作人员"),
        _("服务站工作人员:接待来访、登记职工、导入导出本乡镇台账"),
        [
            *_ORG_READ,
            *_PEOPLE_READ,
            "people.add_person",
            "people.change_person",
            *_LEDGER,
            # An organization import creates organizations (the grassroots unions the
            # station helps found), so it needs this permission as well.
            "orgs.add_organization",
        ],
    ),
    "grid_officer": (
        _("网格员"),
        _("负责网格内诉求的首问和走访"),
        [*_ORG_READ, *_PEOPLE_READ, "people.add_person"],
    ),
    "mediator": (
        _("调解员"),
        _("劳动争议调解"),
        [*_ORG_READ, *_PEOPLE_READ],
    ),
    "finance_officer": (
        _("财务人员"),
        _("审批支付、导出银行批量文件、对账"),
        [*_ORG_READ, *_PEOPLE_READ],
    ),
    "auditor": (
        _("审计员(只读)"),
        _("只读查看本范围的全部数据和审计日志"),
        [
            *_ORG_READ,
            *_PEOPLE_READ,
            "audit.view_audit",
            "audit.view_changelog",
            "audit.view_accesslog",
        ],
    ),
    "enterprise_hr": (
        _("企业人力资源"),
        _("发布岗位、查看本企业职工诉求"),
        ["orgs.view_organization"],
    ),
    "service_provider": (_("服务商"), _("承接家政等服务订单"), ["orgs.view_organization"]),
    "partner_department": (
        _("协作部门"),
        _("人社、司法、民政等部门:答复转办事项"),
        [],
    ),
}
