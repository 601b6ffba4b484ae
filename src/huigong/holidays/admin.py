"""Admin for the holiday table (``common.Holiday``). Saves and deletes go through the
services of this app so they are audited, marked as hand-entered and drop the cache."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huigong.common.models import Holiday
from huigong.common.workdays import missing_schedule_years

from .services import delete_holiday, save_holiday

_WEEKDAYS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]


class YearFilter(admin.SimpleListFilter):
    """Filter the table by year (the unit in which the State Council publishes it)."""

    title = _("年份")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = sorted(
            {d.year for d in model_admin.get_queryset(request).dates("date", "year")},
            reverse=True,
        )
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_workday", "name", "source", "updated_at"]
    list_filter = [YearFilter, "is_workday", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["date"]
    readonly_fields = ["source", "updated_at"]
    list_per_page = 100

    @admin.display(description=_("星期"))
    def weekday(self, obj: Holiday) -> str:
        return str(_WEEKDAYS[obj.date.weekday()])

    def changelist_view(self, request, extra_context=None):
        missing = missing_schedule_years()
        if missing:
            self.message_user(
                request,
                gettext(
                    "以下年份还没有节假日安排:%(years)s。按工作日计算的办理时限会把这些年份的"
                    "节假日当作工作日。请按国务院办公厅公布的安排录入放假日期和调休上班日期。"
                )
                % {"years": gettext("、").join(str(y) for y in missing)},
                level=messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        save_holiday(actor=request.user, holiday=obj)

    def delete_model(self, request, obj):
        delete_holiday(actor=request.user, holiday=obj)

    def delete_queryset(self, request, queryset):
        for holiday in queryset:
            delete_holiday(actor=request.user, holiday=holiday)
