"""Cases and the partner departments they are referred to (the departments themselves
are managed and tested in ``huigong.partners``): a deactivated department receives no new
referrals."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from huigong.audit.models import ChangeLog
from huigong.cases import services
from huigong.partners import services as partner_services


def test_deactivated_department_cannot_be_chosen_for_new_referrals(
    county_cadre, township_cadre, labour_inspection, make_case
):
    partner_services.deactivate_department(actor=county_cadre, department=labour_inspection)
    with pytest.raises(ValidationError) as exc:
        partner_services.deactivate_department(actor=county_cadre, department=labour_inspection)
    assert exc.value.error_list[0].code == "invalid_state"
    case = make_case()
    services.accept_case(actor=township_cadre, case=case)
    assert not services.usable_departments(case).exists()
    logs = ChangeLog.objects.filter(
        object_type="partners.department", object_id=str(labour_inspection.pk)
    )
    assert logs.get().changes == {"is_active": [True, False]}
