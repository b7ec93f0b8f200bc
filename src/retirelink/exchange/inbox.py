"""File transfer by drop folder: partner files left in ``<inbox>/<department code>/``.

Each file is imported through the same path as an upload (streamed, all rows or none). The
catalogue item is the department's only event item, or named by the file (``<item code>``
followed by ``_`` or ``.``, e.g. ``health.death_medical_certificate_20261201.csv``). After
the import commits, the file moves to ``processed/`` or ``rejected/`` beside it with its
receipt (and, if rejected, the row report) as JSON, which is what the department collects.
A crash between the commit and the move is harmless: the next scan recognises the file by its
digest and only moves it.
"""

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.exchange.catalogue import Catalogue
from retirelink.exchange.model import CatalogueItem, ImportOutcome, PartnerLink
from retirelink.exchange.ports import ExchangeUnitOfWork
from retirelink.exchange.registry import Registry
from retirelink.exchange.services import import_partner_path, is_event_item
from retirelink.security.model import SYSTEM_ACTOR

PROCESSED, REJECTED = "processed", "rejected"
SUFFIXES = frozenset({".csv", ".xlsx", ".json"})

UnitOfWorkFactory = Callable[[], AbstractContextManager[ExchangeUnitOfWork]]


@dataclass(frozen=True)
class InboxResult:
    """What happened to one dropped file."""

    path: Path
    department: str
    outcome: ImportOutcome | None
    error: str = ""

    @property
    def status_zh(self) -> str:
        if self.outcome is None:
            return f"未处理：{self.error}"
        if self.outcome.duplicate:
            return "重复报送（此前已接收）"
        return "已入库" if self.outcome.applied else "已拒收"


def scan_inbox(
    uow_factory: UnitOfWorkFactory,
    inbox: Path,
    *,
    registry: Registry,
    catalogue: Catalogue,
) -> list[InboxResult]:
    """Import every file waiting in the department folders of ``inbox``."""
    results = []
    for link in registry.links:
        folder = inbox / link.department
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if _waiting(p)):
            results.append(_take(uow_factory, path, link, catalogue))
    return results


def _waiting(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith(".")


def _take(
    uow_factory: UnitOfWorkFactory,
    path: Path,
    link: PartnerLink,
    catalogue: Catalogue,
) -> InboxResult:
    try:
        item = item_for_file(path.name, link, catalogue)
        with uow_factory() as uow:
            outcome = import_partner_path(
                uow,
                actor=SYSTEM_ACTOR,
                path=path,
                item_code=item.code,
                catalogue=catalogue,
                receipt_key=link.receipt_key,
            )
    except (InvalidInputError, NotFoundError) as error:
        return InboxResult(path, link.department, None, error.message)
    _file_away(path, outcome)
    return InboxResult(path, link.department, outcome)


def item_for_file(filename: str, link: PartnerLink, catalogue: Catalogue) -> CatalogueItem:
    """The department's only event item, or the one the file name starts with."""
    items = [item for item in catalogue.items_of(link.kind) if is_event_item(item)]
    named = [item for item in items if _names(filename, item.code)]
    if len(named) == 1:
        return named[0]
    if len(items) == 1:
        return items[0]
    codes = "、".join(item.code for item in items) or "（无）"
    raise InvalidInputError(
        f"无法确定文件“{filename}”的数据项：文件名应以数据项代码开头（{codes}）", field="item_code"
    )


def _names(filename: str, code: str) -> bool:
    return filename.startswith(code) and filename[len(code) : len(code) + 1] in ("_", ".")


def _file_away(path: Path, outcome: ImportOutcome) -> None:
    target_dir = path.parent / (PROCESSED if outcome.applied else REJECTED)
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    if target.exists():  # the same name sent again: keep both
        target = target_dir / f"{path.stem}.{outcome.job.id}{path.suffix}"
    path.replace(target)
    answer = {
        "status": "duplicate" if outcome.duplicate else outcome.job.status.value,
        "receipt": outcome.receipt.to_dict() if outcome.receipt else None,
        "issues": [
            {"row": issue.row_number, "field": issue.field, "message": issue.message_zh}
            for issue in outcome.issues
        ],
    }
    receipt_path = target.with_name(target.name + ".receipt.json")
    receipt_path.write_text(json.dumps(answer, ensure_ascii=False, indent=2), encoding="utf-8")
