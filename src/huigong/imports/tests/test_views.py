"""The import pages as a cadre uses them: upload, follow the check, confirm, download
the rows that were not imported; nobody else's job is reachable."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from huigong.imports.models import ImportJob, ImportState
from huigong.people.models import Person
from huigong.testing.factories import make_id_number

ORG = "新发食品有限公司工会"


@pytest.fixture
def start_url(person_kind):
    return reverse("imports:start", kwargs={"kind": person_kind.key})


def upload(client, url, text: str, name: str = "职工.csv"):
    return client.post(url, {"file": SimpleUploadedFile(name, text.encode("utf-8-sig"))})


def test_upload_check_confirm_and_download_rejected_rows(
    client, login, county_cadre, start_url, django_capture_on_commit_callbacks
):
    login(county_cadre)
    good = make_id_number(seq=11)
    text = f"姓名,身份证号码,所属工会\n张三,{good},{ORG}\n李四,=HYPERLINK(1),{ORG}\n"
    with django_capture_on_commit_callbacks(execute=True):  # the eager worker runs
        response = upload(client, start_url, text)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", kwargs={"pk": job.pk})
    assert job.state == ImportState.CHECKED

    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'data-state="checked"' in html
    assert "hx-trigger" not in html  # nothing left to poll for
    assert "第 3 行“身份证号码”" in html
    assert "确认导入 1 行" in html

    rejected = client.get(reverse("imports:rejected", kwargs={"pk": job.pk}))
    assert rejected["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(rejected.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0][:3] == ["姓名", "身份证号码", "所属工会"]
    assert rows[0][3:] == ["未导入原因", "原行号"]
    assert rows[1][:3] == ["李四", "'=HYPERLINK(1)", ORG]  # written formula-safe
    assert "第 3 行" in rows[1][3] and int(rows[1][4]) == 3
    assert len(rows) == 2

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", kwargs={"pk": job.pk}))
    done = client.get(reverse("imports:job", kwargs={"pk": job.pk}))
    assert "已开始导入" in done.content.decode()  # the worker ran after the response
    assert Person.objects.filter(name="张三").count() == 1
    job.refresh_from_db()
    assert (job.state, job.imported_rows) == (ImportState.DONE, 1)
    assert 'data-testid="imported-rows">1<' in done.content.decode()


def test_a_running_job_polls_and_its_status_part_answers_htmx(
    client, login, county_cadre, start_url
):
    login(county_cadre)
    upload(client, start_url, f"姓名,身份证号码,所属工会\n张三,{make_id_number(seq=12)},{ORG}\n")
    job = ImportJob.objects.get()  # on_commit not run: still queued, as behind a busy worker
    page = client.get(reverse("imports:job", kwargs={"pk": job.pk}))
    assert 'hx-trigger="every 1s"' in page.content.decode()
    part = client.get(reverse("imports:job", kwargs={"pk": job.pk}), HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert html.lstrip().startswith('<div id="import-status"')
    assert "<html" not in html
    assert "等待后台处理" in html


def test_bad_file_is_refused_on_the_upload_page(client, login, county_cadre, start_url):
    login(county_cadre)
    response = client.post(start_url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    assert response.status_code == 200
    assert "只支持 .xlsx、.xls、.ods 或 .csv 文件" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_jobs_are_their_uploaders_alone(client, login, county_cadre, township_cadre, start_url):
    login(county_cadre)
    upload(client, start_url, "姓名,身份证号码,所属工会\n")
    job = ImportJob.objects.get()
    login(township_cadre)
    for name in ("imports:job", "imports:rejected"):
        assert client.get(reverse(name, kwargs={"pk": job.pk})).status_code == 404
    for name in ("imports:confirm", "imports:cancel"):
        assert client.post(reverse(name, kwargs={"pk": job.pk})).status_code == 404
    job.refresh_from_db()
    assert job.state == ImportState.QUEUED


def test_unknown_kind_is_404_and_workers_are_sent_away(client, login, county_cadre, worker):
    login(county_cadre)
    assert client.get(reverse("imports:start", kwargs={"kind": "nope"})).status_code == 404
    login(worker)
    response = client.get(reverse("imports:start", kwargs={"kind": "people.person"}))
    assert response.status_code in (302, 403)


def test_upload_page_offers_the_template_and_lists_recent_imports(
    client, login, county_cadre, start_url
):
    login(county_cadre)
    upload(client, start_url, "姓名,身份证号码,所属工会\n")
    page = client.get(start_url).content.decode()
    assert "职工.csv" in page and 'data-testid="recent-imports"' in page
    template = client.get(start_url + "?template=1")
    header = CalamineWorkbook.from_filelike(io.BytesIO(template.content)).get_sheet_by_index(0)
    assert header.to_python()[0][:2] == ["姓名*", "身份证号码*"]
