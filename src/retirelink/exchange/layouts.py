"""How partner systems lay out the records they share with us (docs/exchange.md § "Partner
field names"), as :class:`~retirelink.exchange.mapping.FieldMapping` per catalogue item.

Each layout maps the partner's field names onto the five fields of a partner event
(``PARTNER_EVENT_SCHEMA``): id_number, name, event_date, end_date, record_type. Values are
kept as text here and parsed once, by the row schema (15-digit IDs upgraded, check digits and
dates checked there); only a date-time is cut to its day.
"""

from types import MappingProxyType

from retirelink.errors import NotFoundError
from retirelink.exchange.mapping import FieldMapping, FieldRule, MappedKind

_T = MappedKind.TEXT


def _layout(
    department: str,
    id_number: str,
    name: str,
    event_date: tuple[str, str, MappedKind],
    end_date: str | None = None,
    record_type: str | None = None,
) -> FieldMapping:
    source, label, kind = event_date
    fields = {
        "id_number": FieldRule(id_number, "公民身份号码", _T),
        "name": FieldRule(name, "姓名", _T),
        "event_date": FieldRule(source, label, kind),
    }
    if end_date is not None:
        fields["end_date"] = FieldRule(end_date, "结束日期", _T, required=False)
    if record_type is not None:
        fields["record_type"] = FieldRule(record_type, "记录类型", _T, required=False)
    return FieldMapping(department, MappingProxyType(fields))


LAYOUTS: dict[str, FieldMapping] = {
    "public_security.death_cancellation": _layout(
        "public_security", "gmsfhm", "xm", ("swrq", "死亡日期", _T), record_type="zxyy"
    ),
    "health.death_medical_certificate": _layout(
        "health", "sfzh", "xm", ("swsj", "死亡时间", MappedKind.DAY_OF_DATETIME)
    ),
    "civil_affairs.cremation": _layout("civil_affairs", "SFZH", "XM", ("HHRQ", "火化日期", _T)),
    "justice.prisoners_in_custody": _layout(
        "justice", "zjhm", "xm", ("jyrq", "羁押日期", _T), end_date="sfrq", record_type="xfzl"
    ),
    "medical_insurance.enrolment_and_settlement": _layout(
        "medical_insurance", "psn_cert_no", "psn_name", ("setl_date", "结算日期", _T)
    ),
}


def layout_for(item_code: str) -> FieldMapping:
    try:
        return LAYOUTS[item_code]
    except KeyError:
        raise NotFoundError(
            f"没有数据项“{item_code}”的对方字段对照，无法按库表或接口接收"
        ) from None
