"""Orphaned attachment files (left by rolled-back uploads) are deleted after the grace
period; referenced files, young files and files outside the upload directory stay."""

from __future__ import annotations

import datetime
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from huigong.cases import services
from huigong.cases.models import Attachment
from huigong.kernel.attachments import clean_orphan_files as clean_attachment_files

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
DAY = 24 * 3600


@pytest.fixture
def media(settings, tmp_path):
    """The private storage attachments are kept in."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


def _stored(media) -> set:
    return {p for p in (media / "cases").rglob("*") if p.is_file()}


def _age(path, seconds: int) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def _upload(case, actor, name="pay.png"):
    return services.add_attachment(
        actor=actor, case=case, file=SimpleUploadedFile(name, PNG, content_type="image/png")
    )


@pytest.fixture
def files(media, make_case, township_cadre):
    """One kept attachment, one rolled-back upload aged two days, one from an hour ago,
    and an unrelated file outside ``cases/``."""
    case = make_case()
    kept = _upload(case, township_cadre, "kept.png")
    before = _stored(media)
    with pytest.raises(RuntimeError), transaction.atomic():
        _upload(case, township_cadre, "rolled_back.png")
        raise RuntimeError("the intake failed after the upload")
    (old,) = _stored(media) - before  # stored names are random: find it by difference
    before = _stored(media)
    with pytest.raises(RuntimeError), transaction.atomic():
        _upload(case, township_cadre, "in_progress.png")
        raise RuntimeError("failed")
    (young,) = _stored(media) - before
    assert len(_stored(media)) == 3
    kept_path = media / kept.file.name
    _age(old, 2 * DAY)
    _age(kept_path, 30 * DAY)
    _age(young, 3600)
    other = media / "exports" / "report.xlsx"
    other.parent.mkdir()
    other.write_bytes(b"x")
    _age(other, 30 * DAY)
    return {"kept": kept_path, "old": old, "young": young, "other": other}


def test_only_old_unreferenced_files_are_deleted(files):
    result = clean_attachment_files()
    assert result.scanned == 3
    assert len(result.removed) == 1 and result.removed[0].startswith("cases/")
    assert not files["old"].exists()
    assert files["kept"].exists() and files["young"].exists() and files["other"].exists()
    assert Attachment.objects.count() == 1
    # Again: nothing left to do.
    assert clean_attachment_files().removed == []


def test_dry_run_deletes_nothing_and_grace_is_configurable(files, capsys):
    call_command("clean_attachment_files", "--dry-run", "--grace-hours", "0")
    out = capsys.readouterr().out
    assert "would delete cases/" in out and "would delete: 2" in out
    assert all(p.exists() for p in files.values())
    call_command("clean_attachment_files", "--grace-hours", "0.5")
    out = capsys.readouterr().out
    assert "deleted: 2" in out
    assert not files["old"].exists() and not files["young"].exists()
    assert files["kept"].exists()


def test_no_upload_directory_is_fine(media):
    result = clean_attachment_files(now=datetime.datetime.now(datetime.UTC))
    assert (result.scanned, result.removed) == (0, [])


def test_bad_grace_is_refused(media):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("clean_attachment_files", "--grace-hours", "-1")
