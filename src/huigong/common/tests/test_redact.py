"""ID numbers and phones typed into a search or a logged text never reach a log in clear."""

from __future__ import annotations

import datetime
import logging

from gunicorn.config import Config

from huigong.common.gunicorn_logging import RedactingLogger
from huigong.common.redact import RedactProtectedData, redact

ID = "430426196503020015"
PHONE = "13807340001"


def test_redact_masks_id_numbers_and_mobiles_in_text_and_urls():
    assert redact(f"GET /search/?q={ID} HTTP/1.1") == "GET /search/?q=**************0015 HTTP/1.1"
    assert redact(f"/people/?q={PHONE}&page=2") == "/people/?q=138****0001&page=2"
    assert (
        redact(f"next=%2Fsearch%2F%3Fq%3D{ID.lower()}")
        == "next=%2Fsearch%2F%3Fq%3D**************0015"
    )
    assert redact(f"w{PHONE}") == "w138****0001"


def test_redact_leaves_other_numbers_alone():
    wrong_check = ID[:-1] + "7"
    for text in (wrong_check, "0734-6200000", "1234567890123", "HG2026000123", "2026-12-03"):
        assert redact(text) == text


def test_log_filter_masks_formatted_request_lines():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /search/?q={ID}", 200, 512),
        None,
    )
    assert RedactProtectedData().filter(record)
    assert record.getMessage() == '"GET /search/?q=**************0015" 200 512'


def test_gunicorn_access_log_atoms_are_masked():
    class Response:
        status = "200 OK"
        response_length = 10
        headers = []
        sent = 10

    class Request:
        headers = [("REFERER", f"/people/?q={PHONE}")]
        method, path, query, version = "GET", "/search/", f"q={ID}", (1, 1)

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/search/?q={ID}",
        "PATH_INFO": "/search/",
        "QUERY_STRING": f"q={ID}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"/people/?q={PHONE}",
        "REMOTE_ADDR": "127.0.0.1",
    }
    atoms = RedactingLogger(Config()).atoms(
        Response(), Request(), environ, datetime.timedelta(seconds=0.1)
    )
    text = " ".join(str(v) for v in atoms.values())
    assert ID not in text and PHONE not in text
    assert "**************0015" in atoms["r"] and "138****0001" in atoms["f"]
