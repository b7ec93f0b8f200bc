"""Repository of social-insurance business-archive volumes. It never commits."""

from datetime import date

from sqlalchemy import (
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from retirelink.archives.retention import (
    BusinessStage,
    BusinessVolume,
    Insurance,
    Retention,
    VolumeStatus,
)
from retirelink.storage.rows import (
    BusinessArchiveRow,
)


class SqlAlchemyBusinessVolumeRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, volume: BusinessVolume) -> BusinessVolume:
        row = BusinessArchiveRow(**_volume_columns(volume))
        self._session.add(row)
        self._session.flush()
        return _volume(row)

    def get(self, volume_id: int) -> BusinessVolume | None:
        row = self._session.get(BusinessArchiveRow, volume_id)
        return _volume(row) if row else None

    def get_by_reference(self, reference: str) -> BusinessVolume | None:
        row = self._session.scalar(
            select(BusinessArchiveRow).where(BusinessArchiveRow.reference == reference)
        )
        return _volume(row) if row else None

    def update(self, volume: BusinessVolume) -> None:
        self._session.execute(
            update(BusinessArchiveRow)
            .where(BusinessArchiveRow.id == volume.id)
            .values(**_volume_columns(volume))
        )

    def due_for_appraisal(self, on: date, *, limit: int) -> list[BusinessVolume]:
        # Ended before ``on`` ⇔ formed before 1 January of (on.year − years): see retention.py.
        row = BusinessArchiveRow
        periods = [r for r in Retention if r.years is not None]
        ended = or_(
            *(
                (row.retention == r.value) & (row.formed_on < date(on.year - (r.years or 0), 1, 1))
                for r in periods
            )
        )
        statement = (
            select(row)
            .where(row.status == VolumeStatus.KEPT.value, ended)
            .order_by(row.formed_on, row.id)
            .limit(limit)
        )
        return [_volume(item) for item in self._session.scalars(statement)]


def _volume_columns(volume: BusinessVolume) -> dict[str, object]:
    return {
        "reference": volume.reference,
        "title": volume.title,
        "year": volume.year,
        "insurance": volume.insurance.value,
        "stage": volume.stage.value,
        "retention": volume.retention.value,
        "formed_on": volume.formed_on,
        "location": volume.location,
        "status": volume.status.value,
        "appraised_by": volume.appraised_by,
        "appraised_at": volume.appraised_at,
        "appraisal_note": volume.appraisal_note,
    }


def _volume(row: BusinessArchiveRow) -> BusinessVolume:
    return BusinessVolume(
        id=row.id,
        reference=row.reference,
        title=row.title,
        year=row.year,
        insurance=Insurance(row.insurance),
        stage=BusinessStage(row.stage),
        retention=Retention(row.retention),
        formed_on=row.formed_on,
        location=row.location,
        status=VolumeStatus(row.status),
        appraised_by=row.appraised_by,
        appraised_at=row.appraised_at,
        appraisal_note=row.appraisal_note,
    )
