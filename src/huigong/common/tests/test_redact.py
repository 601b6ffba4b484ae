"""ID numbers and phones typed into a search or a logged text never reach a log in clear."""

from __future__ import annotations

import datetime
import io
import logging
import urllib.parse

import pytest
from gunicorn.config import Config

from huigong.common.gunicorn_logging import RedactingLogger
from huigong.common.redact import RedactProtectedData, redact
from huigong.testing.factories import make_id_number

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


#: Checksum-valid, generated like the fixtures' numbers.
GROUPED_ID = make_id_number(area="430426", birth=datetime.date(1972, 3, 15), seq=351)
MASKED_ID = "*" * 14 + GROUPED_ID[-4:]
_WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _url_encoded(text: str) -> str:
    return urllib.parse.quote(text, safe="")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+8613807340001", "+86138****0001"),
        ("008613807340001", "0086138****0001"),
        ("%2B8613807340001", "%2B86138****0001"),
        ("+86 138 0734 0001", "+86 138****0001"),
        ("138-0734-0001", "138****0001"),
        ("138 0734 0001", "138****0001"),
        ("138+0734+0001", "138****0001"),
        ("138%200734%200001", "138****0001"),
        ("１３８０７３４０００１", "138****0001"),
        ("１３８－０７３４－０００１", "138****0001"),
        (_url_encoded("１３８０７３４０００１"), "138****0001"),
        ("13807340001 13912345678", "138****0001 139****5678"),
        ("138 0734 0001 139 1234 5678", "138****0001 139****5678"),
    ],
)
def test_redact_masks_every_form_of_a_mobile(text, expected):
    assert redact(text) == expected
    assert redact(f"GET /people/?q={text}&page=2 HTTP/1.1") == (
        f"GET /people/?q={expected}&page=2 HTTP/1.1"
    )


@pytest.mark.parametrize(
    "form",
    [
        GROUPED_ID,
        GROUPED_ID.lower(),
        f"{GROUPED_ID[:6]} {GROUPED_ID[6:14]} {GROUPED_ID[14:]}",
        f"{GROUPED_ID[:6]}+{GROUPED_ID[6:14]}+{GROUPED_ID[14:]}",
        f"{GROUPED_ID[:6]}%20{GROUPED_ID[6:14]}%20{GROUPED_ID[14:]}",
        f"{GROUPED_ID[:6]}-{GROUPED_ID[6:14]}-{GROUPED_ID[14:]}",
        " ".join(GROUPED_ID[i : i + 4] for i in range(0, 18, 4)),
        GROUPED_ID.translate(_WIDE),
        _url_encoded(GROUPED_ID.translate(_WIDE)),
    ],
)
def test_redact_masks_every_form_of_an_id_number(form):
    assert redact(form) == MASKED_ID
    assert redact(f"/search/?q={form}") == f"/search/?q={MASKED_ID}"


def test_redact_masks_an_id_number_ending_in_x():
    number = next(
        n
        for n in (make_id_number(birth=datetime.date(1980, 1, 1), seq=s) for s in range(1000))
        if n.endswith("X")
    )
    for form in (number, number.lower(), number.translate(_WIDE), number[:17] + "ｘ"):
        assert redact(f"q={form}") == f"q={'*' * 14}{number[-4:]}"


def test_grouped_forms_leave_other_numbers_alone():
    wrong_check = GROUPED_ID[:-1] + str((int(GROUPED_ID[-1:].replace("X", "0")) + 1) % 10)
    for text in (
        f"{wrong_check[:6]} {wrong_check[6:14]} {wrong_check[14:]}",
        "192.168.100.101",
        "2026-12-03 18:22:51,637",
        "12345678901234567890",  # a path or order number holding 11 digits in a row
        "1 2345 6789 0123",
        "0734 1234 5678 90",
        "ab%3D12%2B34",
    ):
        assert redact(text) == text, text


def test_log_filter_masks_exception_text():
    logger = logging.getLogger("huigong.tests.redact")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactProtectedData())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError(f"bad input {GROUPED_ID} / +86 138-0734-0001")
        except ValueError:
            logger.exception("lookup failed")
        logger.warning("stack", stack_info=True, extra={"x": 1})
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    text = stream.getvalue()
    assert "ValueError: bad input " + MASKED_ID + " / +86 138****0001" in text
    assert GROUPED_ID not in text and "0734-0001" not in text


def test_log_filter_masks_a_preformatted_exception_text():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    record.exc_text = f"Traceback …\nKeyError: '{PHONE}'"
    assert RedactProtectedData().filter(record)
    assert record.exc_text == "Traceback …\nKeyError: '138****0001'"


def test_lines_with_fewer_than_eleven_digits_are_returned_as_they_are():
    line = '"GET /people/?page=2&sort=name HTTP/1.1" 200 5123'
    assert redact(line) is line
