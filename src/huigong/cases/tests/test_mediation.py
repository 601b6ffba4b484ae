"""Labour-dispute mediation: the full flow with its timeline, no agreement → arbitration,
the permission matrix of services and pages, wrong-state actions changing nothing, and
the agreement PDF."""

import base64
import datetime
import re
import zlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from huigong.audit.models import ChangeLog
from huigong.cases import services as case_services
from huigong.cases.mediation_pdf import render_agreement_pdf
from huigong.cases.models import CaseEvent, Mediation, MediationSession, MediationStatus
from huigong.cases.services import mediation as services


@pytest.fixture
def case(make_case, township_cadre):
    case = make_case()
    return case_services.accept_case(actor=township_cadre, case=case)


@pytest.fixture
def opened(case, mediator):
    return services.open_mediation(
        actor=mediator, case=case, respondent_representative="张经理", claims="追讨欠薪 11500 元"
    )


def _session(mediation, actor, **overrides):
    values = {
        "held_at": timezone.now() - datetime.timedelta(hours=1),
        "place": "黄土铺镇劳动关系服务站",
        "attendees": "王建国、张经理、调解员老李",
        "minutes": "双方陈述事实,调解员释法说理。",
    }
    values.update(overrides)
    return services.record_session(actor=actor, mediation=mediation, **values)


def _in_session(mediation, mediator):
    services.sort_mediation(
        actor=mediator, mediation=mediation, team="mediation_team", mediators=[mediator]
    )
    _session(mediation, mediator)
    mediation.refresh_from_db()
    return mediation


def _agreed(mediation, mediator):
    _in_session(mediation, mediator)
    return services.record_agreement(
        actor=mediator,
        mediation=mediation,
        terms="被申请人于 2026 年 12 月 31 日前一次性支付申请人工资 11500 元。",
        amount=Decimal("11500.00"),
        performance_due=timezone.localdate() + datetime.timedelta(days=30),
    )


def _state(mediation):
    mediation.refresh_from_db()
    return (
        mediation.status,
        mediation.agreement_terms,
        mediation.referred_to,
        mediation.sessions.count(),
        CaseEvent.objects.filter(case=mediation.case).count(),
    )


# -- services ------------------------------------------------------------------------------------


def test_full_flow_writes_each_step_on_the_case_timeline(case, mediator):
    mediation = services.open_mediation(actor=mediator, case=case)
    assert mediation.status == MediationStatus.INTAKE
    assert mediation.organization == case.organization
    assert mediation.respondent_name == "祁东县某建筑劳务公司"
    assert re.fullmatch(r"[A-Z]+TJ-\d{4}-\d{6}", mediation.number)

    services.sort_mediation(
        actor=mediator, mediation=mediation, team="lawyer_volunteers", mediators=[mediator]
    )
    session = _session(mediation, mediator)
    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.IN_SESSION
    services.record_agreement(
        actor=mediator, mediation=mediation, terms="一次性支付工资 11500 元", amount="11500"
    )
    today = timezone.localdate()
    services.record_follow_up(
        actor=mediator, mediation=mediation, performed="yes", performed_at=today, note="已到账"
    )
    services.file_mediation(actor=mediator, mediation=mediation)

    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.FILED
    assert mediation.agreement_amount == Decimal("11500.00")
    assert mediation.performed == "yes" and mediation.performed_at == today
    assert list(mediation.mediators.all()) == [mediator]
    assert session.mediation == mediation
    kinds = list(case.events.filter(kind__startswith="mediation_").values_list("kind", flat=True))
    assert kinds == [
        "mediation_opened",
        "mediation_sorted",
        "mediation_session",
        "mediation_agreement",
        "mediation_followed_up",
        "mediation_filed",
    ]
    assert all(
        e.data["mediation"] == mediation.pk
        for e in case.events.filter(kind__startswith="mediation_")
    )
    logs = ChangeLog.objects.filter(object_type="cases.mediation", object_id=str(mediation.pk))
    assert logs.count() == 6
    case.refresh_from_db()
    assert case.status == "accepted"  # the case itself is still in hand


def test_no_agreement_is_referred_to_arbitration_and_filed(case, mediator, opened):
    _in_session(opened, mediator)
    services.record_no_agreement(
        actor=mediator, mediation=opened, referred_to="arbitration", note="单位拒绝支付"
    )
    opened.refresh_from_db()
    assert opened.status == MediationStatus.NO_AGREEMENT
    assert opened.referred_to == "arbitration"
    event = case.events.get(kind="mediation_failed")
    assert event.data["referred_to"] == "arbitration" and event.note == "单位拒绝支付"
    services.file_mediation(actor=mediator, mediation=opened)
    opened.refresh_from_db()
    assert opened.status == MediationStatus.FILED
    # A filed mediation no longer blocks a new one.
    again = services.open_mediation(actor=mediator, case=case)
    assert again.pk != opened.pk


def test_withdrawn_mediation(case, mediator, opened):
    services.withdraw_mediation(actor=mediator, mediation=opened, reason="职工撤回申请")
    opened.refresh_from_db()
    assert opened.status == MediationStatus.WITHDRAWN
    assert case.events.filter(kind="mediation_withdrawn").count() == 1


def test_a_case_has_one_active_mediation(case, mediator, opened):
    with pytest.raises(ValidationError) as exc:
        services.open_mediation(actor=mediator, case=case)
    assert exc.value.code == "invalid_state"
    assert Mediation.objects.filter(case=case).count() == 1


def test_new_case_cannot_open_mediation(make_case, mediator):
    fresh = make_case()
    with pytest.raises(ValidationError) as exc:
        services.open_mediation(actor=mediator, case=fresh)
    assert exc.value.code == "invalid_state"
    assert not Mediation.objects.exists()


@pytest.mark.parametrize("user", ["station_staff", "sibling_cadre", "worker"])
def test_users_without_mediate_permission_in_scope_cannot_open(request, case, user):
    actor = request.getfixturevalue(user)
    with pytest.raises(PermissionDenied):
        services.open_mediation(actor=actor, case=case)
    assert not Mediation.objects.exists()


def test_township_and_county_cadres_may_mediate(case, township_cadre, county_cadre):
    mediation = services.open_mediation(actor=township_cadre, case=case)
    services.withdraw_mediation(actor=county_cadre, mediation=mediation, reason="撤回")


def test_station_staff_cannot_act_on_a_mediation(opened, station_staff):
    before = _state(opened)
    with pytest.raises(PermissionDenied):
        services.sort_mediation(
            actor=station_staff, mediation=opened, team="station", mediators=[station_staff]
        )
    assert _state(opened) == before


def test_invalid_state_actions_change_nothing(opened, mediator):
    before = _state(opened)
    calls = [
        lambda: _session(opened, mediator),
        lambda: services.record_agreement(actor=mediator, mediation=opened, terms="x"),
        lambda: services.record_follow_up(actor=mediator, mediation=opened, performed="no"),
        lambda: services.file_mediation(actor=mediator, mediation=opened),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as exc:
            call()
        assert exc.value.code == "invalid_state"
        assert "不能" in exc.value.messages[0]
    assert _state(opened) == before


def test_bad_input_is_refused_field_by_field(opened, mediator, sibling_cadre):
    with pytest.raises(ValidationError) as exc:
        services.sort_mediation(
            actor=mediator, mediation=opened, team="nonsense", mediators=[sibling_cadre]
        )
    assert set(exc.value.error_dict) == {"team", "mediators"}
    _in_session(opened, mediator)
    before = _state(opened)
    with pytest.raises(ValidationError) as exc:
        services.record_agreement(actor=mediator, mediation=opened, terms="", amount="-5")
    assert set(exc.value.error_dict) == {"terms", "amount"}
    with pytest.raises(ValidationError) as exc:
        _session(opened, mediator, minutes="", held_at=None)
    assert {"minutes", "held_at"} <= set(exc.value.error_dict)
    with pytest.raises(ValidationError) as exc:
        services.record_no_agreement(actor=mediator, mediation=opened, referred_to="", note="x")
    assert "referred_to" in exc.value.error_dict
    assert _state(opened) == before


def test_follow_up_needs_a_date_when_performed(opened, mediator):
    _agreed(opened, mediator)
    with pytest.raises(ValidationError) as exc:
        services.record_follow_up(actor=mediator, mediation=opened, performed="partly")
    assert "performed_at" in exc.value.error_dict
    services.record_follow_up(actor=mediator, mediation=opened, performed="no")
    opened.refresh_from_db()
    assert opened.status == MediationStatus.FOLLOWED_UP and opened.performed_at is None


# -- PDF -------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> bytes:
    """The content streams, decoded (ReportLab writes them ASCII85 + Flate encoded)."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = raw.strip()
        try:
            out.append(zlib.decompress(base64.a85decode(raw, adobe=True)))
        except (ValueError, zlib.error):
            out.append(raw)
    return b"\n".join(out)


def test_agreement_pdf_renders_in_chinese_with_the_numbers(case, mediator, opened):
    agreed = _agreed(opened, mediator)
    data = render_agreement_pdf(agreed)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert case.number.encode() in text
    assert opened.number.encode() in text
    assert b"11,500.00" in text
    assert b"STSong-Light" in data


# -- pages ------------------------------------------------------------------------------------


def test_case_detail_shows_the_open_button_to_mediators_only(login, case, mediator, station_staff):
    page = login(mediator).get(reverse("cases:detail", args=[case.pk]))
    assert 'data-testid="mediation-card"' in page.text
    assert 'data-testid="submit-mediation-open"' in page.text
    page = login(station_staff).get(reverse("cases:detail", args=[case.pk]))
    assert 'data-testid="mediation-card"' in page.text
    assert 'data-testid="submit-mediation-open"' not in page.text


def test_open_and_run_mediation_through_the_pages(login, case, mediator):
    client = login(mediator)
    response = client.post(
        reverse("cases:mediation_open", args=[case.pk]),
        {"mediation_open-respondent_representative": "张经理"},
    )
    mediation = Mediation.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:mediation", args=[mediation.pk])

    def post(action, data):
        return client.post(reverse("cases:mediation_action", args=[mediation.pk, action]), data)

    assert (
        post("sort", {"sort-team": "mediation_team", "sort-mediators": [mediator.pk]}).status_code
        == 302
    )
    held = timezone.localtime() - datetime.timedelta(hours=2)
    response = post(
        "session",
        {
            "session-held_at": held.strftime("%Y-%m-%dT%H:%M"),
            "session-place": "服务站",
            "session-attendees": "双方",
            "session-minutes": "调解笔录",
        },
    )
    assert response.status_code == 302
    # Field errors are shown on the page, nothing changed.
    response = post("agreement", {"agreement-terms": "", "agreement-amount": "100"})
    assert response.status_code == 400
    assert 'data-testid="error-agreement-terms"' in response.text
    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.IN_SESSION
    response = post("agreement", {"agreement-terms": "支付工资 100 元", "agreement-amount": "100"})
    assert response.status_code == 302
    page = client.get(reverse("cases:mediation", args=[mediation.pk]))
    assert 'data-testid="agreement-pdf"' in page.text
    assert 'data-testid="session-row"' in page.text
    pdf = client.get(reverse("cases:mediation_pdf", args=[mediation.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert post("follow_up", {"follow_up-performed": "no"}).status_code == 302
    assert post("file", {}).status_code == 302
    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.FILED


def test_mediation_pages_permission_matrix(
    client, login, case, opened, mediator, station_staff, sibling_cadre
):
    page = reverse("cases:mediation", args=[opened.pk])
    sort = reverse("cases:mediation_action", args=[opened.pk, "sort"])
    data = {"sort-team": "station", "sort-mediators": [mediator.pk]}
    before = _state(opened)

    assert client.get(page).status_code == 302  # anonymous → sign in
    assert client.post(sort, data).status_code == 302

    login(sibling_cadre)
    assert client.get(page).status_code == 404
    assert client.post(sort, data).status_code == 404
    assert client.get(reverse("cases:mediation_pdf", args=[opened.pk])).status_code == 404
    assert client.post(reverse("cases:mediation_open", args=[case.pk])).status_code == 404

    login(station_staff)
    response = client.get(page)
    assert response.status_code == 200
    assert 'data-testid="submit-sort"' not in response.text
    assert client.post(sort, data).status_code == 403
    assert _state(opened) == before

    login(mediator)
    assert client.post(sort, data).status_code == 302
    opened.refresh_from_db()
    assert opened.status == MediationStatus.SORTING


def test_wrong_state_page_action_shows_message_and_changes_nothing(login, opened, mediator):
    before = _state(opened)
    response = login(mediator).post(reverse("cases:mediation_action", args=[opened.pk, "file"]), {})
    assert response.status_code == 400
    assert 'data-testid="form-error"' in response.text
    assert _state(opened) == before
    assert MediationSession.objects.count() == 0


def test_pdf_is_404_before_an_agreement(login, opened, mediator):
    response = login(mediator).get(reverse("cases:mediation_pdf", args=[opened.pk]))
    assert response.status_code == 404


def test_mediation_page_in_english(client, login, opened, mediator):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = login(mediator).get(reverse("cases:mediation", args=[opened.pk])).text
    assert "Mediation team" in html and "Respondent" in html and "Sort" in html


def test_mediation_success_rate_counts_agreements_among_decided_mediations(
    make_case, township_cadre, county_cadre, mediator, tree
):
    from django.utils import timezone

    from huigong.kernel.indicators import get_indicator, get_ratio
    from huigong.kernel.periods import parse_period
    from huigong.stats.services import live_figures

    outcomes = []
    for outcome in ("agreement", "no_agreement", "withdrawn"):
        c = make_case()
        case_services.accept_case(actor=township_cadre, case=c)
        m = services.open_mediation(actor=mediator, case=c)
        if outcome == "withdrawn":
            services.withdraw_mediation(actor=mediator, mediation=m, reason="职工撤回申请")
        elif outcome == "agreement":
            _agreed(m, mediator)
        else:
            _in_session(m, mediator)
            services.record_no_agreement(
                actor=mediator, mediation=m, referred_to="court", note="调解不成"
            )
        outcomes.append(m)
    keys = ["cases.mediations_decided", "cases.mediations_agreed"]
    period = parse_period(timezone.localdate().strftime("%Y-%m"), today=timezone.localdate())
    current = live_figures(
        [get_indicator(k) for k in keys], tree.county, period, user=county_cadre
    ).current
    assert current[("cases.mediations_decided", "")] == 2
    assert current[("cases.mediations_agreed", "")] == 1
    rate = get_ratio("cases.mediation_success_rate")
    assert (rate.numerator, rate.denominator, rate.scale) == (*keys[::-1], 100)
