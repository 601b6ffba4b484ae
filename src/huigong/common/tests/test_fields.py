"""The field-error toolkit: every problem of a submission is reported in one round."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from huigong.common.fields import (
    FieldErrors,
    clean_choice,
    clean_identifier,
    clean_line,
    clean_multiline,
)
from huigong.people.models import Relation


def test_all_problems_are_raised_together():
    errors = FieldErrors()
    name = clean_line("", "name", 50, errors, required=True)
    address = clean_line("長" * 201, "address", 200, errors)
    relation = clean_choice("cousin", Relation, "relation", errors, "请选择关系")
    with pytest.raises(ValidationError) as raised:
        errors.raise_if_any()
    assert (name, address, relation) == ("", "长" * 201, "cousin")
    assert raised.value.message_dict == {
        "name": ["必填"],
        "address": ["不能超过 200 个字"],
        "relation": ["请选择关系"],
    }


def test_clean_values_pass_and_are_normalised():
    errors = FieldErrors()
    assert clean_line(" 黃土鋪鎮\u3000服務站 ", "address", 200, errors) == "黄土铺镇 服务站"
    assert clean_multiline("第一行 \r\n 第二行", "note", 100, errors) == "第一行\n第二行"
    assert clean_identifier("４３０４ 26-x", "code", 18, errors) == "430426X"
    assert clean_choice(" spouse ", Relation, "relation", errors, "x") == "spouse"
    assert "address" not in errors
    errors.raise_if_any()  # nothing to raise


def test_absurdly_long_input_is_refused_before_it_is_normalised():
    errors = FieldErrors()
    assert clean_line("字" * 10_000, "name", 50, errors) == ""
    assert errors.by_field == {"name": ["不能超过 50 个字"]}
