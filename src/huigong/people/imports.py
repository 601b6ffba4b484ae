"""Excel import of persons (职工名册导入).

Each row goes through the same checks as the registration form (``services.check_person``):
normalisation, ID-number validation, de-duplication against the database (in or out of
the importer's scope, without revealing where), employer and employment-form
consistency. On top of that the file itself is checked: the same ID number twice in the
file, and ID numbers that Excel has turned into numbers (``4.30426E+17``) and so lost
their last digits. A 性别 column is not stored (the sex comes from the ID number) but
checked: a sex that differs from the ID number's is a warning on the row. Confirming saves
the valid rows through ``services.register_person``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huigong.common.excel import Column, ImportSpec, RowResult
from huigong.common.text import clean_code, clean_text
from huigong.orgs.models import Organization

from .models import EmploymentForm, NewFormType, Sex
from .services import (
    check_person,
    register_person,
    register_staged_persons,
    registered_numbers,
    require_person_permission,
    staged_person,
)

_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$")
_PATH_SEPARATORS = re.compile(r"\s*[/>|]\s*")

_SEX_LOOKUP = {
    "男": Sex.MALE,
    "男性": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "女": Sex.FEMALE,
    "女性": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
}
_TRUE = {"是", "会员", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "非会员", "不是", "n", "no", "false", "0", "×"}


def parse_id_number(text: str) -> str:
    """Recognise ID numbers that Excel stored as numbers: it keeps 15 significant digits,
    so the cell shows ``4.30426E+17`` and the last digits are gone for good."""
    code = clean_code(text)
    if _SCIENTIFIC.match(code):
        raise ValidationError(
            _(
                "身份证号码被 Excel 存成了数字(显示为 %(value)s),后几位已经丢失。"
                "请把该列设置为“文本”格式后重新填写"
            )
            % {"value": text}
        )
    return code


def parse_is_member(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError(_("请填写“是”或“否”"))


def _label_keys(choices) -> dict[str, str]:
    """Each label (in the active language), the label without its bracketed part
    (网约配送员) and the bracketed part alone (外卖骑手), casefolded, to its value."""
    keys: dict[str, str] = {}
    for value, label in choices.choices:
        label = clean_text(str(label))
        keys[label.casefold()] = value
        match = re.match(r"^(.*?)\s*\((.*)\)$", label)
        if match:
            keys[match.group(1).casefold()] = value
            keys[match.group(2).casefold()] = value
    return keys


def _choice_parser(choices, message: str):
    """Accept the Chinese label, the code, or the label without its bracketed part
    (网约配送员), or the bracketed part alone (外卖骑手); also the labels in the active
    language, which the English help and error messages name."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        label = clean_text(str(label))
        lookup[value.lower()] = value
        lookup[label] = value
        match = re.match(r"^(.*?)\((.*)\)$", label)
        if match:
            lookup[match.group(1)] = value
            lookup[match.group(2)] = value

    def parse(text: str) -> str:
        key = clean_text(text)
        if key in lookup or key.lower() in lookup:
            return lookup.get(key) or lookup[key.lower()]
        translated = _label_keys(choices).get(key.casefold())
        if translated:
            return translated
        labels = _("、").join(clean_text(str(label)) for _v, label in choices.choices)
        raise ValidationError(message % {"options": labels})

    return parse


class _OrganizationIndex:
    """The importer's visible organizations, loaded once per file, to resolve 所属工会 by a
    name unique in scope or by a name path (祁东县总工会/黄土铺镇工会联合会/…)."""

    def __init__(self, actor):
        orgs = list(Organization.objects.visible_to(actor).only("id", "name", "path", "depth"))
        self.by_name: dict[str, list[Organization]] = defaultdict(list)
        for org in orgs:
            self.by_name[clean_text(org.name)].append(org)
        step = Organization.steplen
        # Names of every ancestor too (also those above the actor's scope) for name paths.
        prefixes = {o.path[: i * step] for o in orgs for i in range(1, o.depth + 1)}
        self.names = {o.path: clean_text(o.name) for o in orgs}
        missing = prefixes - self.names.keys()
        if missing:
            self.names.update(
                (o.path, clean_text(o.name))
                for o in Organization.objects.filter(path__in=missing).only("path", "name")
            )

    def _names_from_root(self, org: Organization) -> list[str]:
        step = Organization.steplen
        return [self.names.get(org.path[: i * step], "") for i in range(1, org.depth + 1)]

    def resolve(self, text: str) -> Organization:
        parts = [p for p in _PATH_SEPARATORS.split(clean_text(text)) if p]
        if not parts:
            raise ValidationError(_("必填"))
        candidates = self.by_name.get(parts[-1], [])
        if len(parts) > 1:
            candidates = [o for o in candidates if self._names_from_root(o)[-len(parts) :] == parts]
        if not candidates:
            raise ValidationError(_("未找到工会“%(name)s”,或它不在您的管辖范围内") % {"name": text})
        if len(candidates) > 1:
            raise ValidationError(
                _("您的范围内有 %(n)d 个名为“%(name)s”的工会,请填写完整路径,如 %(path)s")
                % {
                    "n": len(candidates),
                    "name": parts[-1],
                    "path": "/".join(self._names_from_root(candidates[0])),
                }
            )
        return candidates[0]


class PersonImportSpec(ImportSpec):
    title = gettext_lazy("职工名册")
    # Headers are the file format (staff fill in the Chinese template), so not translated.
    columns = [
        Column("name", "姓名", required=True, help=gettext_lazy("最多 50 个字")),
        Column(
            "id_number",
            "身份证号码",
            required=True,
            aliases=("身份证号", "公民身份号码"),
            parse=parse_id_number,
            help=gettext_lazy("18 位;请把该列设置为“文本”格式,否则 Excel 会丢掉后几位"),
        ),
        Column(
            "phone",
            "手机号",
            aliases=("手机号码", "联系电话"),
            help=gettext_lazy("11 位手机号,或带区号的固定电话"),
        ),
        Column(
            "organization",
            "所属工会",
            required=True,
            help=gettext_lazy("您范围内唯一的工会名称,或用“/”分隔的完整路径"),
        ),
        Column(
            "employer_name",
            "工作单位",
            help=gettext_lazy("与已建会单位的信用代码一致时自动关联该单位"),
        ),
        Column("employer_credit_code", "统一社会信用代码", aliases=("信用代码",)),
        Column(
            "employment_form",
            "用工形式",
            parse=_choice_parser(EmploymentForm, gettext_lazy("请填写以下之一:%(options)s")),
            help=gettext_lazy(
                "劳动合同用工、劳务派遣、灵活就业、新就业形态、未就业、退休;默认劳动合同用工"
            ),
        ),
        Column(
            "new_form_type",
            "新就业形态类别",
            parse=_choice_parser(NewFormType, gettext_lazy("请填写以下之一:%(options)s")),
            help=gettext_lazy("用工形式为新就业形态时必填,如 外卖骑手、快递员、网约车司机"),
        ),
        Column("address", "住址"),
        Column(
            "is_member",
            "是否会员",
            parse=parse_is_member,
            help=gettext_lazy("是 / 否,默认否"),
        ),
        Column(
            "sex",
            "性别",
            help=gettext_lazy("男 / 女,可不填;只用于核对,性别以身份证号码为准"),
        ),
    ]

    def __init__(self, *, actor):
        super().__init__(actor=actor)
        self._orgs: _OrganizationIndex | None = None
        self._employers: dict[str, Organization | None] = {}
        self._permitted: dict[int, bool] = {}
        self._provinces: dict[int, int] = {}

    @property
    def orgs(self) -> _OrganizationIndex:
        if self._orgs is None:
            self._orgs = _OrganizationIndex(self.actor)
        return self._orgs

    def _employer_by_code(self, code: str) -> Organization | None:
        """A unionised employer in the importer's scope with this credit code, if exactly
        one exists; then the person is linked to it instead of keeping free text."""
        if code not in self._employers:
            matches = list(Organization.objects.visible_to(self.actor).filter(credit_code=code)[:2])
            self._employers[code] = matches[0] if len(matches) == 1 else None
        return self._employers[code]

    def person_data(self, row: RowResult) -> dict:
        """The row as arguments of ``register_person``."""
        values = row.values
        data = {
            "organization": values["organization"],
            "name": values["name"] or "",
            "id_number": values["id_number"] or "",
            "phone": values["phone"] or "",
            "address": values["address"] or "",
            "employer": None,
            "employer_name": values["employer_name"] or "",
            "employer_credit_code": values["employer_credit_code"] or "",
            "employment_form": values["employment_form"] or EmploymentForm.STANDARD,
            "new_form_type": values["new_form_type"] or "",
            "is_member": bool(values["is_member"]),
            "notes": "",
        }
        code = clean_code(data["employer_credit_code"])
        employer = self._employer_by_code(code) if code else None
        if employer is not None:
            data.update(employer=employer, employer_name="", employer_credit_code="")
        return data

    def _column_error(self, row: RowResult, key: str, message: str) -> None:
        headers = {c.key: c.header for c in self.columns}
        # Fields that are not columns: the employer linked by credit code, and notes.
        headers.update(employer=_("工作单位"), notes=_("备注"))
        header = headers.get(key, key)
        row.errors.append(
            _("第 %(row)d 行“%(col)s”:%(msg)s") % {"row": row.number, "col": header, "msg": message}
        )

    def validate_row(self, row: RowResult) -> None:
        self._check_row(row, find_registered=True)

    def check_chunk(self, rows: list[RowResult]) -> None:
        """Each row through the registration checks, then one look-up of the chunk's ID
        numbers among registered persons (instead of one per row)."""
        checked = [row for row in rows if row.ok and self._check_row(row, find_registered=False)]
        registered = registered_numbers(self.actor, [row.values["id_number"] for row in checked])
        for row in checked:
            message = registered.get(row.values["id_number"])
            if message:
                self._column_error(row, "id_number", message)

    def _check_row(self, row: RowResult, *, find_registered: bool) -> bool:
        """Resolve the union, check the permission there and the person's fields; keep
        the checked values for the write. False (with the row's errors) if any fails."""
        try:
            row.values["organization"] = self.orgs.resolve(row.raw["organization"])
        except ValidationError as exc:
            for message in exc.messages:
                self._column_error(row, "organization", message)
            return False
        data = self.person_data(row)
        if not self._may_add_at(data["organization"]):
            self._column_error(
                row,
                "organization",
                _("您没有在“%(org)s”登记职工的权限") % {"org": data["organization"].name},
            )
            return False
        try:
            checked = check_person(actor=self.actor, data=data, find_registered=find_registered)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    self._column_error(row, key, message)
            return False
        row.values["id_number"] = checked.values["id_number"]
        row.values["_checked"] = checked.values
        row.warnings.extend(checked.warnings)
        self._check_declared_sex(row)
        return True

    def _may_add_at(self, organization: Organization) -> bool:
        # Both where the union is: a user who may register people more widely than they
        # may import (a county grid officer who keeps one township's ledger) imports into
        # that township only.
        if organization.pk not in self._permitted:
            try:
                require_person_permission(self.actor, "people.add_person", organization)
                require_person_permission(self.actor, "people.import_person", organization)
            except PermissionDenied:
                self._permitted[organization.pk] = False
            else:
                self._permitted[organization.pk] = True
        return self._permitted[organization.pk]

    stages_rows = True

    def stage(self, row: RowResult) -> dict[str, Any]:
        """The checked person with everything derived, for ``write_staged``."""
        checked = row.values["_checked"]
        union = checked["organization"].pk
        if union not in self._provinces:
            self._provinces.update(Organization.objects.filter(pk=union).provinces())
        return {"row": row.number, **staged_person(checked, province_id=self._provinces[union])}

    def write_staged(self, rows: list[dict[str, Any]]) -> dict[int, list[str]]:
        """The chunk's staged persons in one bulk registration."""
        refused = register_staged_persons(actor=self.actor, rows=rows)
        return {
            number: [
                _("第 %(row)d 行:%(msg)s") % {"row": number, "msg": message} for message in messages
            ]
            for number, messages in refused.items()
        }

    def _check_declared_sex(self, row: RowResult) -> None:
        """The sex is read from the ID number; a 性别 column only checks it. A mismatch
        (often a wrong or swapped ID number) or an unreadable value is a warning."""
        declared_text = row.values.get("sex")
        if not declared_text:
            return
        derived = Sex.MALE if int(row.values["id_number"][16]) % 2 == 1 else Sex.FEMALE
        declared = _SEX_LOOKUP.get(clean_text(declared_text).casefold())
        if declared is None:
            declared = _label_keys(Sex).get(clean_text(declared_text).casefold())
        if declared is None:
            row.warnings.append(
                _("“性别”列的“%(value)s”无法识别(请填写男或女),已忽略;性别以身份证号码为准")
                % {"value": declared_text}
            )
        elif declared != derived:
            row.warnings.append(
                _(
                    "“性别”列填写为%(declared)s,身份证号码显示为%(derived)s;将以身份证号码为准,请核对"
                )
                % {"declared": Sex(declared).label, "derived": Sex(derived).label}
            )

    def row_key(self, row: RowResult) -> str | None:
        """The ID number: a file may hold each person once. Numbers Excel turned into
        ``4.30426E+17`` are reported as damaged, not as duplicates of each other."""
        number = clean_code(row.values.get("id_number") or row.raw.get("id_number") or "")
        if not number or _SCIENTIFIC.match(number):
            return None
        return number

    def duplicate_message(self, row: RowResult, first: int) -> str:
        return _("第 %(row)d 行:身份证号码与第 %(first)d 行重复") % {
            "row": row.number,
            "first": first,
        }

    def save_row(self, row: RowResult):
        return register_person(actor=self.actor, **self.person_data(row)).person
