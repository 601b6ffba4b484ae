"""Uploaded files are never reachable by a public URL, in any profile: they are stored in
the private storage under random names and served only by views that check scope and
permission, as downloads of a harmless type, or handed to the web server by
X-Accel-Redirect/X-Sendfile. Files stored the old way are moved by the migration."""

from __future__ import annotations

import datetime
import importlib
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import clear_url_caches, reverse

from huigong.cases import services
from huigong.cases.models import Attachment
from huigong.cases.models.case import PRIVATE_ATTACHMENT_NAME
from huigong.common.files import private_storage
from huigong.testing.factories import UserFactory

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01\x02" * 300
PDF_NAME = "王建国-工资条.pdf"
PNG_NAME = "欠条 照片.png"


def staff_url(attachment) -> str:
    return reverse("cases:attachment", args=[attachment.pk])


def portal_url(attachment) -> str:
    return reverse("portal:case_attachment", args=[attachment.pk])


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def quoted(name: str) -> str:
    return f"filename*=utf-8''{quote(name)}"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def private(settings):
    return Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture(params=["development", "production"])
def profile(request, settings, media):
    """The URL configuration as each profile builds it: DEBUG on (``make run``) and off,
    with the media directory of the test."""
    import huigong.urls

    settings.DEBUG = request.param == "development"
    importlib.reload(huigong.urls)
    clear_url_caches()
    yield request.param
    settings.DEBUG = False
    importlib.reload(huigong.urls)
    clear_url_caches()


@pytest.fixture
def pay_slip(make_case, station_staff, media):
    """A PDF attached by station staff to a 黄土铺镇 case."""
    case = make_case()
    upload = SimpleUploadedFile(PDF_NAME, PDF, content_type="application/pdf")
    return services.add_attachment(actor=station_staff, case=case, file=upload)


@pytest.fixture
def worker_photo(make_worker_case, worker, media):
    """A photo the worker uploaded to their own portal case."""
    case = make_worker_case()
    upload = SimpleUploadedFile(PNG_NAME, PNG, content_type="image/png")
    return services.add_attachment(actor=worker, case=case, file=upload)


def test_stored_name_is_random_and_kept_out_of_media(pay_slip, private, media):
    name = pay_slip.file.name
    assert PRIVATE_ATTACHMENT_NAME.match(name), name
    assert "王建国" not in name and "工资条" not in name
    assert pay_slip.original_name == PDF_NAME
    assert (private / name).read_bytes() == PDF
    assert not any(p.is_file() for p in Path(media).rglob("*"))
    with pytest.raises(ValueError):
        pay_slip.file.url  # noqa: B018  (the property is the test)


def test_no_url_serves_an_uploaded_file(profile, client, sibling_cadre, pay_slip, private, media):
    # A file stored the old way, under its original name in MEDIA_ROOT, as before the fix.
    old_name = f"cases/2026/03/{PDF_NAME}"
    (Path(media) / old_name).parent.mkdir(parents=True)
    (Path(media) / old_name).write_bytes(PDF)
    name = pay_slip.file.name
    urls = [
        f"/media/{old_name}",
        f"/media/{quote(old_name)}",
        f"/media/{name}",
        f"/private/{name}",
        f"/var/private/{name}",
        f"/_protected/{name}",
        f"/static/{name}",
        quote(str(private / name)),
    ]
    for user in (None, sibling_cadre):
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (profile, user, url)
            assert PDF not in body(response)
        assert client.get(staff_url(pay_slip)).status_code in (302, 404)


def test_staff_view_returns_the_exact_bytes_under_the_original_name(
    client, township_cadre, sibling_cadre, pay_slip
):
    response = client.get(staff_url(pay_slip))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(sibling_cadre)
    assert client.get(staff_url(pay_slip)).status_code == 404
    client.force_login(township_cadre)
    response = client.get(staff_url(pay_slip))
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"attachment; {quoted(PDF_NAME)}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_worker_gets_their_own_upload_and_nobody_else_does(
    client, worker, other_worker, worker_photo, station_staff
):
    client.force_login(worker)
    response = client.get(portal_url(worker_photo))
    assert response.status_code == 200
    assert body(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f"inline; {quoted(PNG_NAME)}"
    # Not through the staff view either.
    assert client.get(staff_url(worker_photo)).status_code in (302, 403, 404)
    # A file staff added to the worker's case is not among the worker's.
    staff_file = services.add_attachment(
        actor=station_staff,
        case=worker_photo.case,
        file=SimpleUploadedFile("内部.pdf", PDF, content_type="application/pdf"),
    )
    assert client.get(portal_url(staff_file)).status_code == 404
    client.force_login(other_worker)
    response = client.get(portal_url(worker_photo))
    assert response.status_code == 404
    assert PNG not in body(response)


@pytest.mark.parametrize(
    ("header", "prefix", "expected"),
    [
        ("X-Accel-Redirect", "", "/_protected/{name}"),
        ("X-Accel-Redirect", "/internal/files/", "/internal/files/{name}"),
        ("X-Sendfile", "", "{private}/{name}"),
        ("X-Sendfile", "/mnt/huigong", "/mnt/huigong/{name}"),
    ],
)
def test_web_server_sends_the_file_when_configured(
    settings, client, township_cadre, pay_slip, private, header, prefix, expected
):
    settings.SENDFILE_HEADER = header
    settings.SENDFILE_PREFIX = prefix
    client.force_login(township_cadre)
    response = client.get(staff_url(pay_slip))
    assert response.status_code == 200
    assert response[header] == quote(expected.format(name=pay_slip.file.name, private=private))
    assert body(response) == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"attachment; {quoted(PDF_NAME)}"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Refused requests never carry the header.
    client.force_login(UserFactory(username="nobody"))
    assert header not in client.get(staff_url(pay_slip))


@pytest.mark.parametrize(
    ("original_name", "content_type", "content"),
    [
        ("page.html", "text/html", b"<html><script>alert(document.cookie)</script></html>"),
        ("logo.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'),
        ("photo.html", "image/png", PNG),
    ],
)
def test_active_content_is_a_download_of_a_harmless_type(
    client, township_cadre, make_case, original_name, content_type, content
):
    # Such files cannot be uploaded today (add_attachment checks type and content), but a
    # row from an import or an older version must still not be rendered by the browser.
    attachment = Attachment(
        case=make_case(),
        original_name=original_name,
        size=len(content),
        content_type=content_type,
    )
    attachment.file.save(original_name, ContentFile(content), save=True)
    client.force_login(township_cadre)
    response = client.get(staff_url(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == content


def test_missing_file_is_a_404(client, township_cadre, pay_slip, private):
    (private / pay_slip.file.name).unlink()
    client.force_login(township_cadre)
    assert client.get(staff_url(pay_slip)).status_code == 404


def _old_style(case, name: str, uploaded_at) -> Attachment:
    """A row as the old code wrote it: the original name under MEDIA_ROOT/cases/."""
    return Attachment.objects.create(
        case=case,
        file=name,
        original_name=name.rsplit("/", 1)[-1],
        size=len(PDF),
        content_type="application/pdf",
        uploaded_at=uploaded_at,
    )


def test_move_command_moves_old_files_and_leaves_missing_ones(
    make_case, media, private, caplog, capsys, django_capture_on_commit_callbacks
):
    case = make_case()
    old_name = f"cases/2025/11/{PDF_NAME}"
    old_path = Path(media) / old_name
    old_path.parent.mkdir(parents=True)
    old_path.write_bytes(PDF)
    uploaded = datetime.datetime(2025, 11, 20, 9, 0, tzinfo=datetime.UTC)
    moved = _old_style(case, old_name, uploaded)
    lost = _old_style(case, "cases/2025/11/丢失的合同.pdf", uploaded)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("move_attachment_files")
    moved.refresh_from_db()
    lost.refresh_from_db()
    assert PRIVATE_ATTACHMENT_NAME.match(moved.file.name)
    assert moved.file.name.startswith("cases/2025/11/")
    assert moved.original_name == PDF_NAME
    assert (private / moved.file.name).read_bytes() == PDF
    assert not old_path.exists()
    assert lost.file.name == "cases/2025/11/丢失的合同.pdf"
    assert "丢失的合同.pdf" in caplog.text and f"attachment {lost.pk}" in caplog.text
    assert "moved: 1, already private: 0, missing: 1" in capsys.readouterr().out
    # Again: nothing left to move; the moved file is still served.
    call_command("move_attachment_files")
    assert "moved: 0, already private: 1, missing: 1" in capsys.readouterr().out
    assert moved.file.open("rb").read() == PDF


def test_migration_moves_files_and_survives_missing_ones(
    make_case, media, private, django_capture_on_commit_callbacks
):
    from django.apps import apps

    migration = importlib.import_module("huigong.cases.migrations.0006_private_attachments")
    case = make_case()
    old_name = "cases/2026/01/劳动合同.pdf"
    (Path(media) / old_name).parent.mkdir(parents=True)
    (Path(media) / old_name).write_bytes(PDF)
    now = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    moved = _old_style(case, old_name, now)
    lost = _old_style(case, "cases/2026/01/不在了.pdf", now)
    with django_capture_on_commit_callbacks(execute=True):
        migration.move_files(apps, None)
    moved.refresh_from_db()
    lost.refresh_from_db()
    assert PRIVATE_ATTACHMENT_NAME.match(moved.file.name)
    assert private_storage().open(moved.file.name).read() == PDF
    assert not (Path(media) / old_name).exists()
    assert lost.file.name == "cases/2026/01/不在了.pdf"


def test_an_unknown_sendfile_header_is_refused_by_the_checks(settings):
    settings.SENDFILE_HEADER = "X-Accel"
    assert "huigong.E020" in [e.id for e in run_checks()]
    settings.SENDFILE_HEADER = "X-Accel-Redirect"
    assert "huigong.E020" not in [e.id for e in run_checks()]
