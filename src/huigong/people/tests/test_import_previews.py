"""The uploaded file of a person import at rest (the import engine keeps it encrypted
outside MEDIA_ROOT under a random name, deletes it on cancel and once the job has been
over for IMPORT_PREVIEW_MAX_AGE), and the sweep ``clean_import_previews`` of the files
that earlier versions left under ``imports/``."""

import datetime
import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from huigong.common.crypto import encrypt_bytes
from huigong.common.files import private_storage
from huigong.common.previews import PREVIEW_DIR, clean_import_previews
from huigong.common.tasks import clean_import_previews_task
from huigong.imports import storage, upkeep
from huigong.imports.models import ImportState
from huigong.kernel.registry import beat_schedule
from huigong.people.models import Person
from huigong.testing.imports import job_url

from .test_imports import HEADER, KIND, ids, row

PHONE = "13912345678"


def csv_upload(rows) -> SimpleUploadedFile:
    """A CSV, so that the plaintext of every cell would be visible in a stored copy."""
    lines = [",".join(HEADER)] + [",".join(str(c) for c in r) for r in rows]
    return SimpleUploadedFile("职工.csv", ("\n".join(lines) + "\n").encode("utf-8-sig"))


def stored_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file())


def legacy_preview(data: bytes = "姓名,身份证号码\n".encode()) -> Path:
    """A preview file as the two-step import of earlier versions left it: encrypted,
    under a random name in ``imports/`` of the private storage."""
    name = private_storage().save(
        f"{PREVIEW_DIR}/{secrets.token_urlsafe(32)}", ContentFile(encrypt_bytes(data))
    )
    return Path(private_storage().path(name))


def confirm_refused(run) -> str:
    """POST a confirmation the job page does not offer; the message the page shows."""
    assert 'data-testid="confirm-import"' not in run.html
    run.client.post(job_url("confirm", run.job))
    return run.reload().html


def age(path: Path, seconds: int) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def later(seconds: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


def test_the_upload_is_encrypted_outside_media_root_under_a_random_name(
    tree, login, township_cadre, run_import, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    number = ids(1)[0]
    login(township_cadre)
    run = run_import(KIND, csv_upload([row("甲", number, phone=PHONE)]))
    files = stored_files()
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    assert [p.relative_to(root).as_posix() for p in files] == [run.job.stored_name]
    assert files[0].parent == root / storage.DIRECTORY and len(files[0].name) >= 32
    data = files[0].read_bytes()
    for secret in (number, PHONE, "甲"):
        assert secret.encode() not in data
    assert not Path(settings.MEDIA_ROOT).exists()
    assert "加密保存" in run.html


def test_confirm_imports_once_and_the_file_goes_with_the_finished_job(
    tree, login, township_cadre, run_import, settings
):
    login(township_cadre)
    run = run_import(KIND, csv_upload([row("甲", ids(1)[0])])).confirm()
    assert list(Person.objects.values_list("name", flat=True)) == ["甲"]
    assert "已开始导入" in run.html and run.count("imported-rows") == 1
    # The same job cannot be confirmed twice.
    assert "该导入当前状态为“导入完成”,不能确认" in confirm_refused(run)
    assert Person.objects.count() == 1
    assert upkeep.clean_finished(now=later(settings.IMPORT_PREVIEW_MAX_AGE + 60)) == 1
    assert stored_files() == []


def test_cancel_deletes_the_file(tree, login, township_cadre, run_import):
    login(township_cadre)
    run = run_import(KIND, csv_upload([row("甲", ids(1)[0])])).cancel()
    assert "已取消导入,上传的文件已删除" in run.html
    assert run.job.state == ImportState.CANCELLED
    assert stored_files() == []
    assert "不能确认" in confirm_refused(run)
    assert not Person.objects.exists()


def test_a_file_with_nothing_to_import_offers_no_confirmation(
    tree, login, township_cadre, run_import
):
    login(township_cadre)
    run = run_import(KIND, csv_upload([row("甲", "123")]))
    assert run.count("valid-rows") == 0
    assert 'data-testid="rejected-workbook"' in run.html  # to correct and upload again
    assert "文件中没有可导入的行" in confirm_refused(run)
    assert not Person.objects.exists()


def test_an_unconfirmed_check_expires_and_can_no_longer_be_confirmed(
    tree, login, township_cadre, run_import, settings
):
    login(township_cadre)
    run = run_import(KIND, csv_upload([row("甲", ids(1)[0])]))
    assert 'data-testid="confirm-import"' in run.html
    upkeep.clean_finished(now=later(settings.IMPORT_PREVIEW_MAX_AGE + 60))
    assert "该导入当前状态为“已取消”,不能确认" in confirm_refused(run.reload())
    assert not Person.objects.exists()


# -- files left by earlier versions ------------------------------------------------------------


def test_sweep_removes_expired_previews(tree, settings):
    settings.IMPORT_PREVIEW_MAX_AGE = 3600
    age(legacy_preview(), 3601)
    call_command("clean_import_previews")
    assert stored_files() == []


def test_sweep_keeps_previews_younger_than_the_limit(tree, settings):
    settings.IMPORT_PREVIEW_MAX_AGE = 3600
    path = legacy_preview()
    age(path, 3000)
    assert clean_import_previews_task() == 0
    assert stored_files() == [path]


def test_sweep_dry_run_and_old_plaintext_previews(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = legacy_preview()
    legacy = Path(settings.MEDIA_ROOT) / "imports" / "7"
    legacy.mkdir(parents=True)
    (legacy / "0123abcd.csv").write_text("姓名,身份证号码\n甲,430426199005121234\n")
    age(path, 7200)
    # The engine's own files are not the sweep's: a job deletes its file itself.
    job_file = Path(private_storage().path(storage.store(ContentFile(b"x"))))
    age(job_file, 7200)

    dry = clean_import_previews(max_age_seconds=3600, dry_run=True)
    assert len(dry.removed) == 2 and path.exists() and legacy.exists()

    result = clean_import_previews(now=datetime.datetime.now(datetime.UTC))
    assert len(result.removed) == 2
    assert stored_files() == [job_file]
    assert not (Path(settings.MEDIA_ROOT) / "imports").exists()


def test_the_sweep_is_scheduled():
    entry = beat_schedule()["common-clean-import-previews"]
    assert entry["task"] == clean_import_previews_task.name
    assert entry["schedule"] <= 3600
