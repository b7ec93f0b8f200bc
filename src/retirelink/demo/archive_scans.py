"""How each material of a demo archive is scanned: its pages worded (by
:func:`retirelink.demo.archive_forms.form_pages`) in the style of the year it was formed,
the file format drawn, the files named as ingest expects them, and the scan defects
(skew, low resolution, wrong colour mode, blank pages, page counts that differ from the
catalogue, the altered birth date) planted and recorded at the configured rates.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from random import Random

from retirelink.archives.holdings import ColourMode, ImageFormat
from retirelink.demo.archive_career import month_of
from retirelink.demo.archive_forms import form_pages
from retirelink.demo.archive_materials import NumberedMaterial
from retirelink.demo.archive_model import (
    Defect,
    DemoMaterial,
    PageFile,
    PlantedDefect,
    PlantingRates,
    ScanPage,
)
from retirelink.demo.form_dates import TYPED_FROM_YEAR, era_style, write_month
from retirelink.demo.form_filling import BIRTH_LABEL, FormStyle, PersonFacts
from retirelink.demo.model import DemoPerson
from retirelink.demo.page_content import BLANK_PAGE, Alteration, PageContent

SCAN_DPI = 300
LOW_DPI = 150
# Shares of materials by file format (the rest are one JPEG per page). PDF only for
# materials of two pages or more; a bitonal page of a JPEG material is saved as TIFF G4.
_PDF_SHARE, _TIFF_SHARE, _PNG_SHARE = 0.15, 0.08, 0.02

_EXTENSIONS = {
    ImageFormat.JPEG: "jpg",
    ImageFormat.TIFF: "tif",
    ImageFormat.PNG: "png",
    ImageFormat.PDF: "pdf",
}


@dataclass(frozen=True)
class _PageDraw:
    """A scanned page and the defect planted on it, if any."""

    page: ScanPage
    defect: Defect | None = None
    detail: Mapping[str, str | int | float] = field(default_factory=dict)


class ScanPlanner:
    """Turns numbered materials into scan files, planting defects at the configured rates."""

    def __init__(self, number: str, person: DemoPerson, rates: PlantingRates, rng: Random) -> None:
        self.number = number
        self.person = person
        self.rates = rates
        self.rng = rng
        self.rnd = rng.random
        self.planted: list[PlantedDefect] = []

    def material(
        self, numbered: NumberedMaterial, facts: PersonFacts, *, altered_to: date | None
    ) -> DemoMaterial:
        m = numbered.facts
        style = self._style(m.formed, altered_to)
        contents = list(form_pages(facts, m, style, pages=numbered.pages, rnd=self.rng))
        contents, catalogued = self._page_count(contents)
        if self.rnd() < self.rates.blank_page:
            contents.append(BLANK_PAGE)
            catalogued += 1
        if catalogued != len(contents):
            counts = {"catalogued": catalogued, "scanned": len(contents)}
            self._plant(Defect.PAGE_COUNT_MISMATCH, numbered, None, None, counts)
        image_format = self._format(len(contents))
        colour = m.material_type.info.colour_required
        draws = [
            self._scan(numbered, number, content, colour, image_format, clean=bool(altered_to))
            for number, content in enumerate(contents, start=1)
        ]
        files = self._files(numbered, image_format, [draw.page for draw in draws])
        self._record_pages(numbered, files, draws)
        if altered_to is not None:
            self._record_alteration(numbered, files[0], style)
        return DemoMaterial(
            class_code=numbered.class_code,
            sequence=numbered.sequence,
            material_type=m.material_type,
            title=contents[0].title if not contents[0].blank else m.material_type.label,
            formed=m.formed,
            catalogued_pages=catalogued,
            files=files,
            stated_birth=style.birth_shown if m.material_type.info.states_birth_date else None,
        )

    def _style(self, formed: date, altered_to: date | None) -> FormStyle:
        dates = era_style(formed.year, self.rnd())
        alteration = None
        if altered_to is not None:
            alteration = Alteration(
                BIRTH_LABEL,
                struck=write_month(self.person.birth_date, dates),
                written=write_month(altered_to, dates),
            )
        return FormStyle(
            dates=dates,
            handwritten=formed.year < TYPED_FROM_YEAR,
            birth_shown=altered_to or month_of(self.person.birth_date),
            alteration=alteration,
        )

    def _page_count(self, contents: list[PageContent]) -> tuple[list[PageContent], int]:
        """Scanned pages and the catalogue's count; now and then the two disagree."""
        count = len(contents)
        if self.rnd() >= self.rates.page_count_mismatch:
            return contents, count
        if count >= 2 and self.rnd() < 0.5:
            scanned, catalogued = contents[:-1], count  # the last page was not scanned
        elif count >= 2:
            scanned, catalogued = contents, count - 1  # the archivist missed a page
        else:
            scanned, catalogued = contents, count + 1  # the catalogue counts a page not there
        return scanned, catalogued

    def _format(self, pages: int) -> ImageFormat:
        draw = self.rnd()
        if draw < _PDF_SHARE:
            return ImageFormat.PDF if pages >= 2 else ImageFormat.JPEG
        if draw < _PDF_SHARE + _TIFF_SHARE:
            return ImageFormat.TIFF
        if draw < _PDF_SHARE + _TIFF_SHARE + _PNG_SHARE:
            return ImageFormat.PNG
        return ImageFormat.JPEG

    def _scan(
        self,
        numbered: NumberedMaterial,
        number: int,
        content: PageContent,
        colour_required: bool,
        image_format: ImageFormat,
        *,
        clean: bool,
    ) -> _PageDraw:
        seed = f"{self.number}/{numbered.class_code}_{numbered.sequence:02d}/{number}"
        page = ScanPage(number, content, SCAN_DPI, ColourMode.COLOUR, 0.0, seed)
        if content.blank:
            return _PageDraw(page, Defect.BLANK)
        rates, draw = self.rates, self.rnd()
        if clean:  # the altered material stays otherwise clean: one finding at a time
            return _PageDraw(page)
        if draw < rates.skewed:
            degrees = round((2 + 2 * self.rnd()) * (1 if self.rnd() < 0.5 else -1), 1)
            return _PageDraw(_replace_page(page, skew=degrees), Defect.SKEWED, {"degrees": degrees})
        draw -= rates.skewed
        if draw < rates.low_resolution and image_format is not ImageFormat.PDF:
            return _PageDraw(
                _replace_page(page, dpi=LOW_DPI), Defect.LOW_RESOLUTION, {"dpi": LOW_DPI}
            )
        draw -= rates.low_resolution
        if draw < rates.wrong_colour_mode and colour_required:
            mode = ColourMode.GREY if self.rnd() < 0.5 else ColourMode.BITONAL
            defect = Defect.GREY if mode is ColourMode.GREY else Defect.BITONAL
            return _PageDraw(_replace_page(page, mode=mode), defect, {"mode": mode.value})
        return _PageDraw(page)

    @staticmethod
    def _files(
        numbered: NumberedMaterial, image_format: ImageFormat, pages: list[ScanPage]
    ) -> tuple[PageFile, ...]:
        """File names as ingest expects them: <类号>_<材料序号>[_<页号>].<扩展名>."""
        stem = f"{numbered.class_code}_{numbered.sequence:02d}"
        if image_format is ImageFormat.PDF:
            return (PageFile(f"{stem}.pdf", image_format, tuple(pages)),)
        files = []
        for page in pages:
            page_format = image_format
            if page.mode is ColourMode.BITONAL and image_format is ImageFormat.JPEG:
                page_format = ImageFormat.TIFF  # JPEG has no bitonal mode: TIFF G4
            name = f"{stem}_{page.page_number:03d}.{_EXTENSIONS[page_format]}"
            files.append(PageFile(name, page_format, (page,)))
        return tuple(files)

    def _record_pages(
        self, numbered: NumberedMaterial, files: Sequence[PageFile], draws: Sequence[_PageDraw]
    ) -> None:
        file_of = {page.page_number: file.name for file in files for page in file.pages}
        for draw in draws:
            if draw.defect is not None:
                number = draw.page.page_number
                self._plant(draw.defect, numbered, number, file_of[number], draw.detail)

    def _record_alteration(
        self, numbered: NumberedMaterial, file: PageFile, style: FormStyle
    ) -> None:
        assert style.alteration is not None
        self._plant(
            Defect.ALTERED_BIRTH_DATE,
            numbered,
            1,
            file.name,
            {
                "id_card_birth_date": self.person.birth_date.isoformat(),
                "shown_birth_date": f"{style.birth_shown:%Y-%m}",
                "struck_text": style.alteration.struck,
                "written_text": style.alteration.written,
            },
        )

    def _plant(
        self,
        defect: Defect,
        numbered: NumberedMaterial,
        page: int | None,
        file: str | None,
        detail: Mapping[str, str | int | float],
    ) -> None:
        self.planted.append(
            PlantedDefect(
                defect,
                self.number,
                self.person.id_number,
                numbered.class_code,
                numbered.sequence,
                numbered.facts.material_type,
                page,
                file,
                dict(detail),
            )
        )


def _replace_page(
    page: ScanPage, *, skew: float = 0.0, dpi: int = SCAN_DPI, mode: ColourMode = ColourMode.COLOUR
) -> ScanPage:
    return ScanPage(page.page_number, page.content, dpi, mode, skew, page.seed)
