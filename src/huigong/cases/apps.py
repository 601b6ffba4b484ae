from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huigong.kernel import registry

_READ = ["cases.view_case", "cases.view_casecategory"]
_HANDLE = [*_READ, "cases.intake_case", "cases.handle_case"]
_EXPORT = ["cases.export_case"]
_MANAGE = [*_HANDLE, *_EXPORT, "cases.supervise_case", "cases.mediate_case"]


class CasesConfig(registry.PlatformAppConfig):
    name = "huigong.cases"
    verbose_name = _("诉求与维权")
    picker_permissions = ("cases.view_case", "cases.intake_case")
    menu_items = (
        registry.MenuItem(
            "cases",
            pgettext_lazy("workbench menu", "诉求"),
            "cases:list",
            permission="cases.view_case",
            order=40,
            # The partner departments are managed from the case list.
            also_for=("partners",),
        ),
        registry.MenuItem(
            "referrals",
            pgettext_lazy("workbench menu", "转办给本部门"),
            "cases:referral_queue",
            permission="cases.answer_referral",
            view_prefix="cases:referral",
            order=45,
        ),
    )
    tiles = (
        registry.Tile(
            "case_submit",
            _("我要反映"),
            "portal:case_submit",
            _("欠薪、合同、工伤等诉求和求助"),
            order=10,
        ),
        registry.Tile(
            "cases", _("我的诉求"), "portal:cases", _("查看办理进度,评价办理结果"), order=20
        ),
    )
    grants = {
        "federation_cadre": _MANAGE,
        "township_cadre": _MANAGE,
        # The station keeps the township's ledger (台账) of cases in Excel.
        "station_staff": [*_HANDLE, *_EXPORT],
        "grid_officer": _HANDLE,
        "mediator": [*_READ, "cases.handle_case", "cases.mediate_case"],
        "auditor": _READ,
        "partner_department": ["cases.answer_referral"],
    }

    def register(self) -> None:
        from huigong.audit.display import log_field_as
        from huigong.kernel.notifications import DigestSection, register_digest_section

        # Also declares the years of open case deadlines to the holiday-schedule check.
        from . import notices, sweep
        from .demo import load_cases, load_mediations
        from .models import Case, NotificationKind
        from .policy import digest_line
        from .services import seed_categories

        # Hourly, so a due-soon or overdue mark and an automatic escalation come early in
        # the day; reruns are harmless (compare-and-set).
        registry.register_sweep(
            registry.Sweep(
                "cases.deadlines",
                lambda today=None: vars(sweep.sweep_case_deadlines(today=today)),
                _("诉求、转办、督办的时限"),
            )
        )
        # How the cases read in the daily digest of notifications.
        register_digest_section(
            DigestSection(
                Case,
                NotificationKind,
                title=_("惠工诉求每日提醒"),
                intro=_("截至 %(day)s,以下诉求需要您关注:"),
                line=digest_line,
            )
        )
        # What a worker is told of each step of their case.
        notices.register()
        # The intake logs a case's parties as the persons they name, not as link rows.
        log_field_as("cases.case", "parties", "people.person")
        registry.register_seed(registry.Seed("case categories", seed_categories, order=30))
        registry.register_demo_loader(
            registry.DemoLoader("cases", load_cases, label="cases", order=10)
        )
        registry.register_demo_loader(
            registry.DemoLoader("mediations", load_mediations, label="mediations", order=20)
        )
