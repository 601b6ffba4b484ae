from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CasesConfig(AppConfig):
    name = "huigong.cases"
    verbose_name = _("诉求与维权")

    def ready(self) -> None:

        from huigong.kernel import registry

        registry.register_picker_permissions("cases.view_case", "cases.intake_case")
        from huigong.kernel.notifications import DigestSection, register_digest_section

        # Also declares the years of open case deadlines to the holiday-schedule check.
        from . import sweep
        from .models import Case, NotificationKind
        from .policy import digest_line
        from .services import seed_categories

        registry.register_menu_item(
            registry.MenuItem(
                "cases",
                pgettext_lazy("workbench menu", "诉求"),
                "cases:list",
                permission="cases.view_case",
                order=40,
                # The partner departments are managed from the case list.
                also_for=("partners",),
            )
        )
        registry.register_menu_item(
            registry.MenuItem(
                "referrals",
                pgettext_lazy("workbench menu", "转办给本部门"),
                "cases:referral_queue",
                permission="cases.answer_referral",
                view_prefix="cases:referral",
                order=45,
            )
        )
        registry.register_tile(
            registry.Tile(
                "case_submit",
                _("我要反映"),
                "portal:case_submit",
                _("欠薪、合同、工伤等诉求和求助"),
                order=10,
            )
        )
        registry.register_tile(
            registry.Tile(
                "cases", _("我的诉求"), "portal:cases", _("查看办理进度,评价办理结果"), order=20
            )
        )
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
        registry.register_seed(registry.Seed("case categories", seed_categories, order=30))

        from .demo import load_cases, load_mediations

        registry.register_demo_loader(
            registry.DemoLoader("cases", load_cases, label="cases", order=10)
        )
        registry.register_demo_loader(
            registry.DemoLoader("mediations", load_mediations, label="mediations", order=20)
        )

        read = ["cases.view_case", "cases.view_casecategory"]
        handle = [*read, "cases.intake_case", "cases.handle_case"]
        manage = [
            *handle,
            "cases.supervise_case",
            "cases.export_case",
            "cases.mediate_case",
        ]
        for role, perms in (
            ("federation_cadre", manage),
            ("township_cadre", manage),
            ("station_staff", handle),
            ("grid_officer", handle),
            ("mediator", [*read, "cases.handle_case", "cases.mediate_case"]),
            ("auditor", read),
            ("partner_department", ["cases.answer_referral"]),
        ):
            registry.grant(role, perms, app="cases")
