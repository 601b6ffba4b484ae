"""The inbox pages. Workbench: the notification centre behind the bell
(``/notifications/``) and the preferences. Portal: 消息 (``/m/inbox/``) and the
worker's preferences. Every page shows the signed-in user's own notifications only."""

from __future__ import annotations

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huigong.accounts.decorators import staff_required, worker_required
from huigong.kernel.notices import preference_for

from . import services
from .forms import preference_form
from .policy import inbox_page, own_notification_or_404


def _list(request, template: str):
    unread_only = request.GET.get("show") == "unread"
    page = inbox_page(request.user, page=request.GET.get("page"), unread_only=unread_only)
    return render(
        request,
        template,
        {"page": page, "unread_only": unread_only, "page_title": _("消息")},
    )


def _open(request, pk: int, fallback: str):
    notification = own_notification_or_404(request.user, pk)
    target = services.open_notification(request.user, notification)
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return redirect(target if target and safe else fallback)


def _read_all(request, fallback: str):
    count = services.mark_read(request.user)
    flash.success(request, _("已将 %(n)d 条消息标为已读") % {"n": count})
    return redirect(fallback)


def _preferences(request, template: str, back: str):
    preference = preference_for(request.user)
    form = preference_form(request.user, preference, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.save_preferences(request.user, form.cleaned_data)
        flash.success(request, _("提醒设置已保存"))
        return redirect(back)
    return render(
        request,
        template,
        {"form": form, "page_title": _("提醒设置")},
        status=400 if form.errors else 200,
    )


@staff_required
def notification_list(request):
    return _list(request, "inbox/list.html")


@staff_required
@require_POST
def open_notification(request, pk: int):
    return _open(request, pk, "inbox:list")


@staff_required
@require_POST
def read_all(request):
    return _read_all(request, "inbox:list")


@staff_required
def preferences(request):
    return _preferences(request, "inbox/preferences.html", "inbox:list")


@worker_required
def portal_inbox(request):
    return _list(request, "inbox/portal_list.html")


@worker_required
@require_POST
def portal_open(request, pk: int):
    return _open(request, pk, "portal:inbox")


@worker_required
@require_POST
def portal_read_all(request):
    return _read_all(request, "portal:inbox")


@worker_required
def portal_preferences(request):
    return _preferences(request, "inbox/portal_preferences.html", "portal:inbox")
