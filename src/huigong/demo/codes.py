"""Made-up but checksum-valid identifiers for demo and load-test data.

Check digits always come from ``python-stdnum`` (``stdnum.cn.ric`` for resident ID
numbers, ``stdnum.cn.uscc`` for unified social credit codes), never from a hand-written
formula, so the data passes exactly the validation real input goes through.
"""

from __future__ import annotations

import datetime
import random

from stdnum.cn import ric, uscc

from .data import GIVEN_CHARS_FEMALE, GIVEN_CHARS_MALE, PHONE_PREFIXES, SURNAMES


def id_number(area: str, birth: datetime.date, seq: int) -> str:
    """An 18-character resident ID number. ``seq`` (0-999) is the order code; its parity
    is the sex (odd = male)."""
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    # calc_check_digit reads the first 17 characters of a full-length number.
    return body + ric.calc_check_digit(body + "0")


def credit_code(prefix: str, area: str, rng: random.Random) -> str:
    """A unified social credit code: ``prefix`` (registering authority and entity type,
    e.g. "91" for an enterprise), the area code, a nine-character organisation code."""
    org_code = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice("0123456789X")
    body = f"{prefix}{area}{org_code}"
    return body + uscc.calc_check_digit(body)


def given_name(rng: random.Random, sex: str) -> str:
    chars = GIVEN_CHARS_MALE if sex == "M" else GIVEN_CHARS_FEMALE
    return "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2, 2))))


def person_name(rng: random.Random, sex: str) -> str:
    return rng.choice(SURNAMES) + given_name(rng, sex)


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def random_birth(rng: random.Random, first_year: int, last_year: int) -> datetime.date:
    start = datetime.date(first_year, 1, 1)
    days = (datetime.date(last_year, 12, 31) - start).days
    return start + datetime.timedelta(days=rng.randrange(days + 1))
