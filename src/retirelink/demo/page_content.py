"""The text model of a demo archive page: what one page says and bears (labelled cells,
paragraphs, seal, photo box, a visible overwrite), in reading order.

:mod:`retirelink.demo.archive_forms` words the pages; :mod:`retirelink.demo.archive_pages`
draws a :class:`PageContent` as a scan.

A page's text model is what the page *reads*: tests and benchmarks compare it with what
OCR or fact extraction find, without OCR of their own.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """One labelled field of a form; ``span`` is the value's width in grid units."""

    label: str
    value: str
    span: int = 1


@dataclass(frozen=True)
class Alteration:
    """A visible overwrite (涂改): ``struck`` crossed out, ``written`` by hand beside it.

    The cell labelled ``label`` reads ``written``; the crossed-out text is still legible.
    """

    label: str
    struck: str
    written: str


@dataclass(frozen=True)
class Seal:
    """A red official seal: the organisation around the rim, a caption under the star."""

    organisation: str
    caption: str = ""


@dataclass(frozen=True)
class PageContent:
    """Everything one page says and bears, in reading order."""

    title: str
    heading: str = ""
    rows: tuple[tuple[Cell, ...], ...] = ()
    paragraphs: tuple[str, ...] = ()
    footer: str = ""
    seal: Seal | None = None
    photo: bool = False
    handwritten: bool = False
    alteration: Alteration | None = None
    blank: bool = False

    def value(self, label: str) -> str | None:
        """What the page reads for ``label`` (after any overwrite); None if it has no such field."""
        for row in self.rows:
            for cell in row:
                if cell.label == label:
                    return cell.value
        return None

    def text(self) -> str:
        """The page's words, line by line (what a perfect OCR would read, overwrites included)."""
        if self.blank:
            return ""
        lines = [self.title, self.heading]
        lines.extend(" ".join(f"{c.label} {c.value}" for c in row) for row in self.rows)
        lines.extend(self.paragraphs)
        lines.append(self.footer)
        if self.alteration is not None:
            lines.append(self.alteration.struck)
        return "\n".join(line for line in lines if line)


BLANK_PAGE = PageContent(title="", blank=True)
