"""The import engine on a real person import: check, import, duplicates across chunks,
resume after a dead worker, leases, cancellation, expiry."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from huigong.audit.models import ChangeLog
from huigong.common.crypto import lookup_hash
from huigong.common.excel import Table
from huigong.imports import engine, services, storage, upkeep
from huigong.imports.models import ImportIssue, ImportJob, ImportKey, ImportState
from huigong.people.imports import PersonImportSpec
from huigong.people.models import Person
from huigong.testing.factories import make_id_number

HEADER = "姓名,身份证号码,所属工会,手机号"
ORG = "新发食品有限公司工会"


@pytest.fixture(autouse=True)
def small_chunks(settings):
    settings.IMPORT_CHUNK_ROWS = 3


def csv_upload(lines: list[str], name: str = "职工.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode("utf-8-sig"))


def start(actor, lines, **kwargs) -> ImportJob:
    job = services.start_import(actor=actor, kind_key="people.person", upload=csv_upload(lines))
    return job


def rows(n: int, start_seq: int = 100) -> tuple[list[str], list[str]]:
    numbers = [make_id_number(seq=start_seq + i) for i in range(n)]
    return [f"职工{i},{number},{ORG}," for i, number in enumerate(numbers)], numbers


def refreshed(job: ImportJob) -> ImportJob:
    return ImportJob.objects.get(pk=job.pk)


def test_check_then_import_writes_each_valid_row_once(county_cadre, person_kind):
    lines, numbers = rows(7)
    lines.insert(4, f"重复,{numbers[1]},{ORG},")  # duplicate of row 3, in a later chunk
    lines.append(f"坏号码,430426197501010000,{ORG},")
    lines.append(f"没工会,{make_id_number(seq=900)},不存在的工会,")
    job = start(county_cadre, lines)
    assert engine.run(job.pk) == ImportState.CHECKED
    job = refreshed(job)
    assert (job.total_rows, job.valid_rows, job.error_rows) == (10, 7, 3)
    errors = {issue.row_number: issue.messages for issue in job.issues.filter(level="error")}
    assert errors[6] == ["第 6 行:身份证号码与第 3 行重复"]
    assert set(errors) == {6, 10, 11}
    assert "第 11 行“所属工会”" in errors[11][0]
    assert Person.objects.count() == 0  # the check writes nothing

    services.confirm_import(actor=county_cadre, job=job)
    assert engine.run(job.pk) == ImportState.DONE
    job = refreshed(job)
    assert (job.imported_rows, job.rejected_rows, job.processed_rows) == (7, 0, 10)
    assert Person.objects.count() == 7
    assert Person.objects.filter(name="重复").count() == 0
    assert ChangeLog.objects.filter(object_type="imports.importjob").count() == 1


def test_missing_columns_fail_the_file_with_a_message(county_cadre, person_kind):
    upload = SimpleUploadedFile("x.csv", "姓名,手机号\n张三,13800000001\n".encode())
    job = services.start_import(actor=county_cadre, kind_key="people.person", upload=upload)
    assert engine.run(job.pk) == ImportState.FAILED
    job = refreshed(job)
    assert job.file_errors == ["缺少必填列:身份证号码、所属工会"]
    with pytest.raises(ValidationError) as exc:
        services.confirm_import(actor=county_cadre, job=job)
    assert exc.value.code == "not_checked"


class Killed(BaseException):
    """Stands for the worker process dying: nothing catches it."""


def test_a_killed_import_resumes_from_its_checkpoint_without_losing_or_repeating(
    county_cadre, person_kind, monkeypatch
):
    lines, numbers = rows(8)
    job = start(county_cadre, lines)
    engine.run(job.pk)
    services.confirm_import(actor=county_cadre, job=job)

    calls = {"n": 0}
    original = PersonImportSpec.write_staged

    def dies_in_third_chunk(self, chunk):
        calls["n"] += 1
        if calls["n"] == 3:
            original(self, chunk[:1])  # part of the chunk written, then the process dies
            raise Killed
        return original(self, chunk)

    monkeypatch.setattr(PersonImportSpec, "write_staged", dies_in_third_chunk)
    with pytest.raises(Killed):
        engine.run(job.pk)
    job = refreshed(job)
    assert job.state == ImportState.IMPORTING
    assert (job.processed_rows, job.imported_rows) == (6, 6)
    assert Person.objects.count() == 6  # the dead chunk's row was rolled back

    # While its lease is fresh nobody else takes the job…
    assert engine.run(job.pk) is None
    assert list(upkeep.stalled_jobs()) == []
    # …once the worker is silent for IMPORT_STALL_SECONDS the job is taken over.
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert list(upkeep.stalled_jobs()) == [job]
    monkeypatch.setattr(PersonImportSpec, "write_staged", original)
    assert engine.run(job.pk) == ImportState.DONE
    job = refreshed(job)
    assert (job.processed_rows, job.imported_rows) == (8, 8)
    stored = sorted(Person.objects.values_list("id_number_hash", flat=True))
    assert len(stored) == len(set(stored)) == 8


def test_the_import_writes_what_the_check_staged_without_reading_the_file_again(
    county_cadre, person_kind, monkeypatch
):
    lines, numbers = rows(5)
    job = start(county_cadre, lines)
    engine.run(job.pk)
    job = refreshed(job)
    assert job.chunks.count() == 2  # chunks of 3 rows (IMPORT_CHUNK_ROWS in the fixture)
    payload = bytes(job.chunks.first().payload)
    assert numbers[0].encode() not in payload and "职工".encode() not in payload  # encrypted
    services.confirm_import(actor=county_cadre, job=job)

    def no_second_read(self):
        raise AssertionError("the import read the file again")
        yield  # pragma: no cover

    monkeypatch.setattr(Table, "rows", no_second_read)
    monkeypatch.setattr(
        PersonImportSpec, "check_chunk", lambda self, rows: pytest.fail("checked again")
    )
    assert engine.run(job.pk) == ImportState.DONE
    job = refreshed(job)
    assert (job.processed_rows, job.imported_rows) == (5, 5)
    assert not job.chunks.exists()  # the staged personal data goes with the job's end
    person = Person.objects.get(id_number_hash=lookup_hash(numbers[2]))
    assert person.id_number == numbers[2] and person.name_pinyin and person.birth_year


def test_a_row_refused_at_import_is_reported_and_the_rest_written(county_cadre, person_kind, tree):
    lines, numbers = rows(4)
    job = start(county_cadre, lines)
    engine.run(job.pk)
    # Someone registers row 3's person between the check and the confirmation.
    from huigong.people.services import register_person

    register_person(
        actor=county_cadre,
        organization=tree.xinfa,
        name="先登记",
        id_number=numbers[1],
    )
    services.confirm_import(actor=county_cadre, job=job)
    assert engine.run(job.pk) == ImportState.DONE
    job = refreshed(job)
    assert (job.imported_rows, job.rejected_rows) == (3, 1)
    issue = job.issues.get(phase="import")
    assert issue.row_number == 3
    assert "已登记" in issue.messages[0]


def test_cancel_before_import_deletes_the_file_and_during_import_stops(
    county_cadre, person_kind, monkeypatch, django_capture_on_commit_callbacks
):
    lines, _numbers = rows(2)
    job = start(county_cadre, lines)
    engine.run(job.pk)
    name = refreshed(job).stored_name
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_import(actor=county_cadre, job=job)
    job = refreshed(job)
    assert job.state == ImportState.CANCELLED and job.stored_name == ""
    assert not storage.private_storage().exists(name)
    with pytest.raises(ValidationError) as exc:
        services.cancel_import(actor=county_cadre, job=job)
    assert exc.value.code == "finished"

    lines, _numbers = rows(9, start_seq=300)
    job = start(county_cadre, lines)
    engine.run(job.pk)
    services.confirm_import(actor=county_cadre, job=job)
    original = PersonImportSpec.write_staged

    def cancel_after_first(self, chunk):
        ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)
        return original(self, chunk)

    monkeypatch.setattr(PersonImportSpec, "write_staged", cancel_after_first)
    assert engine.run(job.pk) == ImportState.CANCELLED
    job = refreshed(job)
    assert job.imported_rows == 3 == Person.objects.filter(name__startswith="职工").count()


def test_only_the_uploader_may_confirm_and_only_with_the_permission(
    county_cadre, township_cadre, worker, person_kind
):
    lines, _numbers = rows(1)
    job = start(county_cadre, lines)
    engine.run(job.pk)
    with pytest.raises(PermissionDenied):
        services.confirm_import(actor=township_cadre, job=job)
    with pytest.raises(PermissionDenied):
        services.start_import(actor=worker, kind_key="people.person", upload=csv_upload(lines))


def test_file_type_and_size_are_checked_before_anything_is_stored(
    county_cadre, person_kind, settings
):
    with pytest.raises(ValidationError) as exc:
        services.start_import(
            actor=county_cadre,
            kind_key="people.person",
            upload=SimpleUploadedFile("名册.pdf", b"%PDF"),
        )
    assert exc.value.message_dict == {"file": ["只支持 .xlsx、.xls、.ods 或 .csv 文件"]}
    settings.IMPORT_MAX_FILE_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        start(county_cadre, rows(1)[0])
    assert "请拆分" in exc.value.message_dict["file"][0]
    assert ImportJob.objects.count() == 0


def test_the_stored_file_is_encrypted_in_frames_and_reads_back(db):
    data = ("姓名,身份证号码\n" + "张三,430426197501010012\n" * 5000).encode()
    original_frame = storage.FRAME_BYTES
    storage.FRAME_BYTES = 4096  # several frames
    try:
        name = storage.store(io.BytesIO(data))
    finally:
        storage.FRAME_BYTES = original_frame
    with storage.private_storage().open(name, "rb") as handle:
        blob = handle.read()
    assert b"430426197501010012" not in blob
    with storage.plain_copy(name, ".csv") as path, open(path, "rb") as handle:
        assert handle.read() == data
    storage.discard(name)


def test_clean_finished_expires_unconfirmed_checks_and_removes_files(
    county_cadre, person_kind, settings
):
    lines, _numbers = rows(4)
    job = start(county_cadre, lines)
    engine.run(job.pk)
    job = refreshed(job)
    assert ImportKey.objects.filter(job=job).count() == 4
    later = timezone.now() + datetime.timedelta(seconds=settings.IMPORT_PREVIEW_MAX_AGE + 60)
    assert upkeep.clean_finished(now=later) == 0  # expired now, cleaned on the next run
    assert refreshed(job).state == ImportState.CANCELLED
    assert upkeep.clean_finished(now=later + datetime.timedelta(hours=2)) == 1
    job = refreshed(job)
    assert job.stored_name == ""
    assert not ImportKey.objects.filter(job=job).exists()
    assert not ImportIssue.objects.filter(job=job).exists()


def test_row_numbers_are_the_spreadsheets_own_with_blank_rows(county_cadre, person_kind):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "所属工会"])
    ws.append(["甲", make_id_number(seq=501), ORG])
    ws.append([])
    ws.append(["乙", "123", ORG])
    out = io.BytesIO()
    wb.save(out)
    job = services.start_import(
        actor=county_cadre,
        kind_key="people.person",
        upload=SimpleUploadedFile("名册.xlsx", out.getvalue()),
    )
    engine.run(job.pk)
    issue = refreshed(job).issues.get(level="error")
    assert issue.row_number == 4
    assert issue.messages[0].startswith("第 4 行")


def test_a_number_registered_between_check_and_write_rejects_only_its_row(
    county_cadre, person_kind, tree, monkeypatch
):
    """The race the chunk's look-up cannot see: the unique index refuses the batch, and
    the chunk is written row by row instead."""
    from huigong.people.services import persons as person_services
    from huigong.people.services import register_person

    lines, numbers = rows(3, start_seq=700)
    job = start(county_cadre, lines)
    engine.run(job.pk)
    services.confirm_import(actor=county_cadre, job=job)
    register_person(actor=county_cadre, organization=tree.xinfa, name="抢先", id_number=numbers[2])
    monkeypatch.setattr(person_services, "registered_numbers", lambda actor, numbers: {})
    assert engine.run(job.pk) == ImportState.DONE
    job = refreshed(job)
    assert (job.imported_rows, job.rejected_rows) == (2, 1)
    issue = job.issues.get(phase="import")
    assert issue.row_number == 4
    assert issue.messages == ["第 4 行:该身份证号码已被登记,请刷新后核对"]
    imported = Person.objects.filter(name__startswith="职工")
    assert imported.count() == 2
    logged = ChangeLog.objects.filter(object_type="people.person", action="create")
    assert set(logged.values_list("object_id", flat=True)) >= {
        str(pk) for pk in imported.values_list("pk", flat=True)
    }


def test_without_beat_each_upload_expires_old_checks(county_cadre, person_kind, settings):
    """The embedded default (eager tasks, no beat) cleans up on the next upload."""
    lines, _numbers = rows(2)
    old = start(county_cadre, lines)
    engine.run(old.pk)
    ImportJob.objects.filter(pk=old.pk).update(
        heartbeat_at=timezone.now()
        - datetime.timedelta(seconds=settings.IMPORT_PREVIEW_MAX_AGE + 60)
    )
    assert settings.CELERY_TASK_ALWAYS_EAGER
    start(county_cadre, rows(1, start_seq=800)[0])
    assert refreshed(old).state == ImportState.CANCELLED


def test_a_check_older_than_the_preview_age_cannot_be_confirmed(
    county_cadre, person_kind, settings
):
    lines, _numbers = rows(1, start_seq=850)
    job = start(county_cadre, lines)
    engine.run(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now()
        - datetime.timedelta(seconds=settings.IMPORT_PREVIEW_MAX_AGE + 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.confirm_import(actor=county_cadre, job=refreshed(job))
    assert exc.value.code == "expired"
    assert "已失效" in exc.value.messages[0]
    assert refreshed(job).state == ImportState.CHECKED
