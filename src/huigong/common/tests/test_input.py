"""Submitted text is normalised in one place: NFC, no control characters, no lone
surrogates; newlines and tabs stay, passwords are left alone."""

from __future__ import annotations

from django.http import QueryDict

from huigong.common.excel import read_table
from huigong.common.input import normalized_querydict
from huigong.common.text import clean_code, clean_text, normalize_data, normalize_input


def test_control_characters_and_lone_surrogates_are_removed():
    assert normalize_input("张\x00三\x07\x1b[31m\x7f\x85") == "张三[31m"
    assert normalize_input("王\ud800五\udfff") == "王五"
    assert normalize_input("\ufeff李四\uffff") == "\ufeff李四"  # BOM is not a control character


def test_newlines_and_tabs_stay_and_carriage_returns_become_newlines():
    assert normalize_input("第一行\r\n第二行\r第三行\t完") == "第一行\n第二行\n第三行\t完"


def test_text_is_composed_to_nfc():
    assert normalize_input("Jose\u0301") == "José"
    assert normalize_input("\u1100\u1161") == "\uac00"  # Hangul jamo → one syllable


def test_field_cleaners_build_on_it():
    assert clean_text("\x07 黄土铺镇\x00 服务站 ") == "黄土铺镇 服务站"
    assert clean_code("4304\x0026\x1f") == "430426"


def test_querydicts_are_normalised_except_passwords():
    data = QueryDict(mutable=True)
    data.setlist("name", ["张\x07三", "e\u0301"])
    data["password"] = "p\x07ss e\u0301"
    data["new_password1"] = "x\x00"
    clean = normalized_querydict(data)
    assert clean.getlist("name") == ["张三", "é"]
    assert clean["password"] == "p\x07ss e\u0301"
    assert clean["new_password1"] == "x\x00"
    assert not clean._mutable


def test_json_data_is_normalised_recursively_except_passwords():
    data = {"name": "a\x00b", "items": [{"k\x07": "e\u0301"}], "old_password": "\x00", "n": 3}
    assert normalize_data(data, keep=lambda key: "password" in key) == {
        "name": "ab",
        "items": [{"k": "é"}],
        "old_password": "\x00",
        "n": 3,
    }


def test_imported_cells_are_normalised():
    csv = "姓名,地址\n张\x07三,黄土铺镇\x00\n".encode()
    header, rows = read_table(csv, "people.csv")
    assert header == ["姓名", "地址"]
    assert rows == [["张三", "黄土铺镇"]]
