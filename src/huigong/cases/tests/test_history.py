"""A case's change history on its detail page reads like the case: its parties by name
(never "编号 N"), a party outside the viewer's scope as a placeholder, and the creation
entry without the counters every new case starts with."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.html import strip_tags

from huigong.testing.factories import PersonFactory


def history_text(client, case) -> str:
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    start = html.index('data-testid="object-history"')
    return re.sub(r"\s+", " ", strip_tags(html[start:])).strip()


def test_history_names_the_parties_and_skips_counters_at_creation(login, township_cadre, make_case):
    case = make_case()
    text = history_text(login(township_cadre), case)
    assert "诉求当事人:— → 王建国" in text
    assert re.search(r"编号 \d", text) is None
    assert "重办次数" not in text and "上报次数" not in text
    assert "→ 0" not in text
    # What the station clerk entered is there.
    assert f"编号:— → {case.number}" in text
    assert "类别:— → 欠薪" in text


def test_history_hides_a_party_outside_the_viewers_scope(
    login, tree, county_cadre, township_cadre, make_case
):
    """The county registered a 黄土铺镇 case for a worker of 白地市镇 too: the township cadre
    sees that a second party was named, not who."""
    outsider = PersonFactory(organization=tree.liuquan, name="李秀英")
    insider = PersonFactory(organization=tree.xinfa, name="王建国")
    case = make_case(actor=county_cadre, applicants=[insider, outsider])
    text = history_text(login(township_cadre), case)
    assert "诉求当事人:— → 王建国、职工(不在您的范围内或已删除)" in text
    assert "李秀英" not in text
    assert "诉求当事人:— → 王建国、李秀英" in history_text(login(county_cadre), case)
