"""Cataloguing (编目): opening a person's archive and listing its materials before scanning.

DA/T 31-2017 puts 目录数据准备 before scanning: the catalogue says which materials exist and
how many pages each has, so the scans can be checked against it (页数与目录不符).
"""

import re
from dataclasses import dataclass
from datetime import date

from retirelink.archives.holdings import (
    Archive,
    ArchiveStatus,
    DatePrecision,
    FuzzyDate,
    Material,
    MaterialStatus,
)
from retirelink.archives.material_classes import ArchiveKind, MaterialType, is_material_class
from retirelink.archives.ports import HoldingsUnitOfWork
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

_ARCHIVE_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,63}")
_CATALOGUE_DATE = re.compile(r"(\d{4})(?:[-./](\d{1,2})(?:[-./](\d{1,2}))?)?")
MAX_PAGES_PER_MATERIAL = 2000


def parse_catalogue_date(text: str) -> FuzzyDate | None:
    """A catalogue's 形成时间 as keyed by an archivist: ``1965-03-15``, ``1965-03``, ``1965``
    (``.`` or ``/`` also accepted); empty means unknown.

    >>> str(parse_catalogue_date("1965.3"))
    '1965年3月'
    """
    cleaned = text.strip()
    if not cleaned:
        return None
    match = _CATALOGUE_DATE.fullmatch(cleaned)
    if match is None:
        raise InvalidInputError(
            f"形成时间“{text}”格式不对，应为 年-月-日、年-月 或 年", field="formation_date"
        )
    year, month, day = match.groups()
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    try:
        value = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise InvalidInputError(f"形成时间“{text}”不是有效日期", field="formation_date") from None
    return FuzzyDate(value, precision)


def parse_material_type(text: str) -> MaterialType:
    """A material type by code (``recruitment_registration``) or 中文 name (``招工登记表``)."""
    cleaned = text.strip()
    for item in MaterialType:
        if cleaned in (item.value, item.label):
            return item
    raise InvalidInputError(f"未知的材料类型“{text}”", field="material_type")


def open_archive(
    uow: HoldingsUnitOfWork,
    *,
    actor: Actor,
    id_number: str,
    archive_number: str,
    kind: ArchiveKind,
    custodian: str,
    location: str,
) -> Archive:
    """Open the archive of a registered person (one personnel archive per person)."""
    require(actor, Permission.ARCHIVE_CATALOGUE)
    person = uow.persons.get_by_id_number(id_number.strip().upper())
    if person is None or person.id is None:
        raise NotFoundError("未登记该参保人，请先登记再建立档案", field="id_number")
    number = archive_number.strip()
    if not _ARCHIVE_NUMBER.fullmatch(number):
        raise InvalidInputError("档案号只能由数字、字母和“-”组成，最长64位", field="archive_number")
    if uow.archives.get_by_person(person.id) is not None:
        raise ConflictError("该参保人已有档案，不能重复建档", field="id_number")
    if uow.archives.get_by_number(number) is not None:
        raise ConflictError(f"档案号{number}已被使用", field="archive_number")
    archive = uow.archives.add(
        Archive(
            id=None,
            person_id=person.id,
            archive_number=number,
            kind=kind,
            custodian=_required(custodian, "custodian", "保管单位", 100),
            location=location.strip()[:100],
            status=ArchiveStatus.IN_REPOSITORY,
            created_at=uow.clock.now(),
        )
    )
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ARCHIVE_CREATE,
        subject=uow.ledger.subject("person", person.id_number),
        purpose=f"建立档案 {number}",
        after={"archive_number": number, "kind": kind.value, "custodian": archive.custodian},
    )
    return archive


@dataclass(frozen=True)
class MaterialEntry:
    """One catalogue line as keyed: class, sequence (None: next free), type, title, date, pages."""

    class_code: str
    material_type: MaterialType
    title: str
    formation_date: FuzzyDate | None
    pages: int
    sequence: int | None = None


def catalogue_material(
    uow: HoldingsUnitOfWork, *, actor: Actor, archive_id: int, entry: MaterialEntry
) -> Material:
    """Add a material to an archive's catalogue (not committed: a catalogue is keyed in
    batches; the caller commits once)."""
    require(actor, Permission.ARCHIVE_CATALOGUE)
    archive = uow.archives.get(archive_id)
    if archive is None:
        raise NotFoundError("档案不存在")
    _check_entry(entry, today=uow.clock.today())
    existing = uow.materials.for_archive(archive_id)
    sequence = entry.sequence
    if sequence is None:
        in_class = [item.sequence for item in existing if item.class_code == entry.class_code]
        sequence = max(in_class, default=0) + 1
    elif any(m.class_code == entry.class_code and m.sequence == sequence for m in existing):
        raise ConflictError(f"第{entry.class_code}类第{sequence}份材料已在目录中", field="sequence")
    material = uow.materials.add(
        Material(
            id=None,
            archive_id=archive_id,
            class_code=entry.class_code,
            material_type=entry.material_type,
            title=entry.title.strip(),
            formation_date=entry.formation_date,
            catalogued_pages=entry.pages,
            sequence=sequence,
            status=MaterialStatus.CATALOGUED,
        )
    )
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ARCHIVE_MATERIAL_CATALOGUED,
        subject=uow.ledger.subject("archive", archive.archive_number),
        purpose=f"材料编目 {entry.class_code}-{sequence} {material.title}",
        after={"class": entry.class_code, "sequence": sequence, "pages": entry.pages},
    )
    return material


def _check_entry(entry: MaterialEntry, *, today: date) -> None:
    if not is_material_class(entry.class_code):
        raise InvalidInputError(
            f"类号“{entry.class_code}”不在档案分类中（1–10类，4-1至4-4，9-1至9-4）",
            field="class_code",
        )
    _required(entry.title, "title", "材料名称", 200)
    if not 1 <= entry.pages <= MAX_PAGES_PER_MATERIAL:
        raise InvalidInputError(
            f"页数应在1到{MAX_PAGES_PER_MATERIAL}之间", field="catalogued_pages"
        )
    if entry.sequence is not None and not 1 <= entry.sequence <= 999:
        raise InvalidInputError("材料序号应在1到999之间", field="sequence")
    if entry.formation_date is not None and entry.formation_date.value > today:
        raise InvalidInputError("形成时间不能晚于今天", field="formation_date")


def _required(text: str, field: str, label: str, length: int) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInputError(f"{label}不能为空", field=field)
    if len(cleaned) > length:
        raise InvalidInputError(f"{label}不能超过{length}个字", field=field)
    return cleaned


CATALOGUE_HEADERS = ("类号", "序号", "材料名称", "材料类型", "形成时间", "页数")


def parse_catalogue_rows(rows: list[list[str]]) -> list[MaterialEntry]:
    """A catalogue sheet (目录) as rows of cells, header first (CATALOGUE_HEADERS; 序号 may be
    empty for "next free"). Every row is checked; the first bad row stops with its number."""
    if not rows or [cell.strip().lstrip("\ufeff") for cell in rows[0]] != list(CATALOGUE_HEADERS):
        expected = "，".join(CATALOGUE_HEADERS)
        raise InvalidInputError(f"目录表头应为：{expected}", field="catalogue")
    entries: list[MaterialEntry] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            entries.append(_catalogue_entry(cells))
        except InvalidInputError as error:
            raise InvalidInputError(
                f"目录第{number}行：{error.message}", field=error.field
            ) from None
    if not entries:
        raise InvalidInputError("目录没有材料行", field="catalogue")
    return entries


def _catalogue_entry(cells: list[str]) -> MaterialEntry:
    if len(cells) != len(CATALOGUE_HEADERS):
        raise InvalidInputError(f"应有{len(CATALOGUE_HEADERS)}列，实际{len(cells)}列")
    class_code, sequence, title, type_text, formed, pages = (cell.strip() for cell in cells)
    return MaterialEntry(
        class_code=class_code,
        material_type=parse_material_type(type_text),
        title=title,
        formation_date=parse_catalogue_date(formed),
        pages=_whole_number(pages, "页数", "catalogued_pages"),
        sequence=_whole_number(sequence, "序号", "sequence") if sequence else None,
    )


def _whole_number(text: str, label: str, field: str) -> int:
    if not text.isdigit():
        raise InvalidInputError(f"{label}“{text}”应为正整数", field=field)
    return int(text)
