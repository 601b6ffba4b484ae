"""A worker's portal form goes through the same normalisation as every other door."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from huigong.cases.models import Case

SUBMIT = "/m/cases/new/"


def test_portal_submission_is_stored_without_control_characters(client, worker, categories):
    client.force_login(worker)
    photo = SimpleUploadedFile("欠\x07条.jpg", b"\xff\xd8\xff\xe0" + b"0" * 200, "image/jpeg")
    response = client.post(
        SUBMIT,
        {
            "kind": "demand",
            "category": categories["wage_arrears"].pk,
            "description": "拖欠\x00工资\x1b[2J两个月。\r\n共 6000 元\u0007",
            "address": "黄土铺镇\x08职工服务站",
            "photos": [photo],
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.description == "拖欠工资[2J两个月。\n共 6000 元"
    assert case.address == "黄土铺镇职工服务站"
    assert case.attachments.get().original_name == "欠条.jpg"
