"""Screenshots of the two front doors at phone width (360 px), kept in test-results/ for
people to look at, plus the one layout rule a machine can check: nothing is wider than
the screen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import RESULTS_DIR, sign_in, sign_in_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def overflow(page) -> int:
    """How many pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def shoot(page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)


def test_staff_dashboard_at_phone_width(browser_page, tree, township_cadre, people):
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, "huangtupu")
    page.goto(reverse("stats:dashboard"))
    page.wait_for_load_state("networkidle")
    shoot(page, "dashboard-360")
    assert "黄土铺镇工会联合会" in page.inner_text("body")
    assert overflow(page) <= 0
    assert page.problems == []


def test_portal_home_at_phone_width(browser_page, tree, worker):
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in_worker(page, "13800000001")
    page.goto(reverse("portal:home"))
    page.wait_for_load_state("networkidle")
    shoot(page, "portal-home-360")
    assert "肖华清" in page.inner_text("body")
    assert overflow(page) <= 0
    assert page.problems == []
