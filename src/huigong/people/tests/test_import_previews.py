"""Import previews (common.previews) through the person import: kept encrypted outside
MEDIA_ROOT under random names, deleted on confirm, on cancel and by the sweep, and an
expired preview asks for the file again instead of failing."""

import datetime
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from huigong.common.previews import PREVIEW_DIR, clean_import_previews, load_preview
from huigong.common.tasks import clean_import_previews_task
from huigong.kernel.registry import beat_schedule
from huigong.people.models import Person

from .test_imports import HEADER, URL, ids, row

PHONE = "13912345678"


def csv_upload(rows) -> SimpleUploadedFile:
    """A CSV, so that the plaintext of every cell would be visible in a stored copy."""
    lines = [",".join(HEADER)] + [",".join(str(c) for c in r) for r in rows]
    return SimpleUploadedFile("职工.csv", ("\n".join(lines) + "\n").encode("utf-8-sig"))


def preview_dir() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / PREVIEW_DIR


def stored_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file())


def upload(client, rows):
    response = client.post(URL, {"file": csv_upload(rows)})
    assert response.status_code == 200
    return response


def confirm(client, token):
    return client.post(URL, {"confirm": "1", "token": token}, follow=True)


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def age(path: Path, seconds: int) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_preview_is_encrypted_outside_media_root_under_a_random_name(tree, login, township_cadre):
    number = ids(1)[0]
    client = login(township_cadre)
    response = upload(client, [row("甲", number, phone=PHONE)])
    token = response.context["token"]
    files = stored_files()
    assert [p.parent for p in files] == [preview_dir()]
    assert files[0].name == token and len(token) >= 43
    for path in files:
        data = path.read_bytes()
        for secret in (number, PHONE, "甲"):
            assert secret.encode() not in data
    assert not (Path(settings.MEDIA_ROOT) / "imports").exists()
    # The bytes come back whole for the confirmation.
    assert number in load_preview(token).decode("utf-8-sig")
    assert "加密保存" in response.content.decode()


def test_confirm_imports_and_removes_the_preview(tree, login, township_cadre):
    number = ids(1)[0]
    client = login(township_cadre)
    token = upload(client, [row("甲", number)]).context["token"]
    response = confirm(client, token)
    assert list(Person.objects.values_list("name", flat=True)) == ["甲"]
    assert any("已导入 1 行" in m for m in page_messages(response))
    assert stored_files() == []
    # The same token cannot be confirmed twice.
    response = confirm(client, token)
    assert any("导入文件已失效" in m for m in page_messages(response))
    assert Person.objects.count() == 1


def test_cancel_removes_the_preview(tree, login, township_cadre):
    client = login(township_cadre)
    token = upload(client, [row("甲", ids(1)[0])]).context["token"]
    response = client.post(URL, {"cancel": "1", "token": token}, follow=True)
    assert any("已取消导入" in m for m in page_messages(response))
    assert stored_files() == []
    response = confirm(client, token)
    assert any("导入文件已失效" in m for m in page_messages(response))
    assert not Person.objects.exists()


def test_a_new_upload_replaces_the_previous_preview(tree, login, township_cadre):
    client = login(township_cadre)
    first = upload(client, [row("甲", ids(1)[0])]).context["token"]
    second = upload(client, [row("乙", ids(2)[1])]).context["token"]
    assert [p.name for p in stored_files()] == [second]
    assert any("导入文件已失效" in m for m in page_messages(confirm(client, first)))
    confirm(client, second)
    assert list(Person.objects.values_list("name", flat=True)) == ["乙"]


def test_a_file_with_nothing_to_import_is_not_kept(tree, login, township_cadre):
    response = upload(login(township_cadre), [row("甲", "123")])
    assert response.context["token"] == ""
    assert 'data-testid="confirm-import"' not in response.content.decode()
    assert stored_files() == []


def test_sweep_removes_expired_previews_and_confirming_then_asks_for_the_file(
    tree, login, township_cadre, settings
):
    settings.IMPORT_PREVIEW_MAX_AGE = 3600
    client = login(township_cadre)
    token = upload(client, [row("甲", ids(1)[0])]).context["token"]
    (path,) = stored_files()
    age(path, 3601)

    call_command("clean_import_previews")
    assert stored_files() == []

    response = confirm(client, token)
    assert response.status_code == 200
    assert any("导入文件已失效,请重新上传" in m and "60 分钟" in m for m in page_messages(response))
    assert not Person.objects.exists()


def test_sweep_keeps_previews_younger_than_the_limit(tree, login, township_cadre, settings):
    settings.IMPORT_PREVIEW_MAX_AGE = 3600
    client = login(township_cadre)
    token = upload(client, [row("甲", ids(1)[0])]).context["token"]
    (path,) = stored_files()
    age(path, 3000)

    assert clean_import_previews_task() == 0
    assert stored_files() == [path]
    confirm(client, token)
    assert Person.objects.count() == 1


def test_a_preview_past_its_age_cannot_be_confirmed_before_the_sweep(
    tree, login, township_cadre, settings
):
    client = login(township_cadre)
    token = upload(client, [row("甲", ids(1)[0])]).context["token"]
    settings.IMPORT_PREVIEW_MAX_AGE = 0
    time.sleep(1.1)  # the encrypted file records its creation time in whole seconds
    response = confirm(client, token)
    assert any("导入文件已失效" in m for m in page_messages(response))
    assert not Person.objects.exists()
    assert stored_files() == []


def test_sweep_dry_run_and_old_plaintext_previews(tree, login, township_cadre, settings):
    upload(login(township_cadre), [row("甲", ids(1)[0])])
    (path,) = stored_files()
    legacy = Path(settings.MEDIA_ROOT) / "imports" / "7"
    legacy.mkdir(parents=True)
    (legacy / "0123abcd.csv").write_text("姓名,身份证号码\n甲,430426199005121234\n")
    age(path, 7200)

    dry = clean_import_previews(max_age_seconds=3600, dry_run=True)
    assert len(dry.removed) == 2 and path.exists() and legacy.exists()

    result = clean_import_previews(now=datetime.datetime.now(datetime.UTC))
    assert len(result.removed) == 2
    assert stored_files() == []
    assert not (Path(settings.MEDIA_ROOT) / "imports").exists()


def test_the_sweep_is_scheduled():
    entry = beat_schedule()["common-clean-import-previews"]
    assert entry["task"] == clean_import_previews_task.name
    assert entry["schedule"] <= 3600


def test_an_upload_sweeps_expired_previews_without_celery_beat(
    tree, login, township_cadre, county_cadre, settings
):
    # The embedded default runs no beat: another user's abandoned preview is swept by
    # the next upload, and a fresh one is kept.
    settings.IMPORT_PREVIEW_MAX_AGE = 3600
    upload(login(county_cadre), [row("乙", ids(2)[1])])
    (abandoned,) = stored_files()
    age(abandoned, 3601)
    client = login(township_cadre)
    token = upload(client, [row("甲", ids(1)[0])]).context["token"]
    assert not abandoned.exists()
    assert len(stored_files()) == 1
    assert load_preview(token)
