"""A small archive corpus for search tests: persons, archives, materials, pages and OCR text
written as rows, each page's text indexed as the OCR writer will do it."""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from retirelink.storage.rows import (
    ArchiveRow,
    BlobRow,
    MaterialRow,
    PageRow,
    PageTextRow,
    PersonRow,
)
from retirelink.storage.search_index import index_page_text
from tests.support.builders import make_id_number

WRITTEN_AT = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


@dataclass
class Corpus:
    """Writes rows through one session; remembers ids by a short name."""

    session: Session
    persons: dict[str, int] = field(default_factory=dict)
    archives: dict[str, int] = field(default_factory=dict)
    materials: dict[str, int] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    _sequence: int = 0

    def _next(self) -> int:
        self._sequence += 1
        return self._sequence

    def archive(self, key: str, name: str, number: str | None = None) -> int:
        """A person and their archive; returns the archive id."""
        serial = self._next()
        person = PersonRow(
            id_number=make_id_number("19580301", sequence=f"{serial:03d}"),
            name=name,
            sex="1",
            birth_date=date(1958, 3, 1),
            ethnicity="01",
            hukou_region="130406",
            phone=None,
        )
        self.session.add(person)
        self.session.flush()
        archive = ArchiveRow(
            person_id=person.id,
            archive_number=number or f"FF-{serial:05d}",
            kind="enterprise_worker",
            custodian="峰峰矿区社会保险事业管理中心",
            location=f"A-{serial}",
            status="in_repository",
            created_at=WRITTEN_AT,
        )
        self.session.add(archive)
        self.session.flush()
        self.persons[key] = person.id
        self.archives[key] = archive.id
        return archive.id

    def material(
        self,
        key: str,
        archive: str,
        title: str,
        *,
        material_type: str = "other",
        class_code: str = "10",
        formed: date | None = date(1978, 5, 1),
    ) -> int:
        row = MaterialRow(
            archive_id=self.archives[archive],
            class_code=class_code,
            material_type=material_type,
            title=title,
            formation_date=formed,
            formation_precision="month" if formed else None,
            catalogued_pages=1,
            sequence=self._next(),
            status="in_repository",
            altered=False,
            altered_note="",
        )
        self.session.add(row)
        self.session.flush()
        self.materials[key] = row.id
        return row.id

    def page(self, key: str, material: str, text: str, *, number: int | None = None) -> int:
        """A page with OCR text, indexed; ``number`` defaults to the next in its material."""
        material_id = self.materials[material]
        if number is None:
            number = 1 + sum(1 for name in self.pages if name.startswith(f"{material}/"))
        sha = hashlib.sha256(f"{key}-{self._next()}".encode()).hexdigest()
        self.session.add(
            BlobRow(sha256=sha, sm3=sha, size=1, media_type="image/png", stored_at=WRITTEN_AT)
        )
        self.session.flush()
        page = PageRow(
            material_id=material_id,
            page_number=number,
            blob_sha256=sha,
            source_index=0,
            image_format="png",
            width_px=2480,
            height_px=3508,
            dpi=300,
            colour_mode="colour",
            thumbnail_sha256=None,
            view_sha256=None,
            skew_degrees=None,
            qc_issues_json="[]",
            batch_id=None,
        )
        self.session.add(page)
        self.session.flush()
        self.write_text(page.id, text)
        self.pages[f"{material}/{key}"] = page.id
        self.pages[key] = page.id
        return page.id

    def write_text(self, page_id: int, text: str) -> None:
        """Write (or replace) a page's OCR text and index it, as the OCR writer does."""
        row = self.session.get(PageTextRow, page_id)
        if row is None:
            row = PageTextRow(
                page_id=page_id,
                status="done",
                text=text,
                lines_json="[]",
                engine="test",
                error="",
                processed_at=WRITTEN_AT,
            )
            self.session.add(row)
        else:
            row.text = text
        self.session.flush()
        index_page_text(self.session, page_id, text)
