"""Materials handed in online (补充材料) in SQL."""

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from retirelink.archives.material_classes import MaterialType
from retirelink.errors import ConflictError
from retirelink.security.model import PrincipalKind
from retirelink.storage.rows import SuppliedMaterialRow
from retirelink.workflow.supplements import SupplementStatus, SuppliedMaterial


class SqlAlchemySupplementRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, supplied: SuppliedMaterial) -> SuppliedMaterial:
        row = SuppliedMaterialRow(**_columns(supplied))
        try:
            with self._session.begin_nested():
                self._session.add(row)
                self._session.flush()
        except IntegrityError:
            # Two submissions of one file at once: the constraint keeps the first.
            raise ConflictError("该文件已经提交过，无需重复提交", field="file") from None
        return _supplied(row)

    def get(self, supplement_id: int) -> SuppliedMaterial | None:
        row = self._session.get(SuppliedMaterialRow, supplement_id)
        return _supplied(row) if row else None

    def by_file(self, person_id: int, sha256: str) -> SuppliedMaterial | None:
        row = self._session.scalar(
            select(SuppliedMaterialRow).where(
                SuppliedMaterialRow.person_id == person_id,
                SuppliedMaterialRow.sha256 == sha256,
                # A returned file may be handed in again (its type or date corrected).
                SuppliedMaterialRow.status != SupplementStatus.RETURNED.value,
            )
        )
        return _supplied(row) if row else None

    def for_persons(self, person_ids: Sequence[int]) -> list[SuppliedMaterial]:
        if not person_ids:
            return []
        rows = self._session.scalars(
            select(SuppliedMaterialRow)
            .where(SuppliedMaterialRow.person_id.in_(person_ids))
            .order_by(SuppliedMaterialRow.id)
        )
        return [_supplied(row) for row in rows]

    def pending(self, *, offset: int, limit: int) -> tuple[list[SuppliedMaterial], int]:
        query = select(SuppliedMaterialRow).where(
            SuppliedMaterialRow.status == SupplementStatus.SUBMITTED.value
        )
        total = self._session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self._session.scalars(
            query.order_by(SuppliedMaterialRow.id).offset(offset).limit(limit)
        )
        return [_supplied(row) for row in rows], total

    def decide(self, supplied: SuppliedMaterial) -> None:
        # Only while still waiting: of an accept and a return at the same moment, one wins.
        done = self._session.execute(
            update(SuppliedMaterialRow)
            .where(
                SuppliedMaterialRow.id == supplied.id,
                SuppliedMaterialRow.status == SupplementStatus.SUBMITTED.value,
            )
            .values(
                status=supplied.status.value,
                decided_by=supplied.decided_by,
                decided_at=supplied.decided_at,
                note=supplied.note,
                material_id=supplied.material_id,
            )
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError("该材料已由他人处理，请刷新后查看")


def _columns(supplied: SuppliedMaterial) -> dict[str, object]:
    return {
        "person_id": supplied.person_id,
        "archive_id": supplied.archive_id,
        "material_type": supplied.material_type.value,
        "title": supplied.title,
        "formation_date": supplied.formation_date,
        "file_name": supplied.file_name,
        "sha256": supplied.sha256,
        "pages": supplied.pages,
        "channel": supplied.channel.value,
        "submitted_by": supplied.submitted_by,
        "submitted_at": supplied.submitted_at,
        "status": supplied.status.value,
        "decided_by": supplied.decided_by,
        "decided_at": supplied.decided_at,
        "note": supplied.note,
        "material_id": supplied.material_id,
    }


def _supplied(row: SuppliedMaterialRow) -> SuppliedMaterial:
    return SuppliedMaterial(
        person_id=row.person_id,
        archive_id=row.archive_id,
        material_type=MaterialType(row.material_type),
        title=row.title,
        formation_date=row.formation_date,
        file_name=row.file_name,
        sha256=row.sha256,
        pages=row.pages,
        channel=PrincipalKind(row.channel),
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
        status=SupplementStatus(row.status),
        id=row.id,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note,
        material_id=row.material_id,
    )
