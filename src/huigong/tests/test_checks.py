"""System checks about where uploaded files live."""

from __future__ import annotations

from django.core.checks import run_checks


def _ids() -> set[str]:
    return {message.id for message in run_checks()}


def test_private_files_inside_the_media_or_static_root_are_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    assert "huigong.E021" not in _ids()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media" / "private"
    assert "huigong.E021" in _ids()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "static"
    assert "huigong.E021" in _ids()
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    assert "huigong.E021" in _ids()
