"""The 职工退休审批表 as a PDF: the application as decided — who, which month and route, the
birth date and its source material, the contribution summary, the pension breakdown
(marked 预发 where provisional), every parallel task's result and evidence, and the
determination and review with their people and times.

The page is HTML and CSS rendered by WeasyPrint (fonts-noto-cjk provides the CJK faces).
"""

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from PIL import ImageFile

from retirelink.clock import CHINA_TZ
from retirelink.rules import YearMonth, YearsMonths
from retirelink.security.masking import mask_id_number
from retirelink.workflow.applications import TaskKind
from retirelink.workflow.approval import ApprovalForm

_ENVIRONMENT = Environment(
    loader=PackageLoader("retirelink.documents", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)
_ENVIRONMENT.filters["month_label"] = lambda text: YearMonth.parse(text).label if text else ""


def approval_form_html(form: ApprovalForm) -> str:
    return _ENVIRONMENT.get_template("approval_form.html").render(**_context(form))


def approval_form_pdf(form: ApprovalForm) -> bytes:
    """The form as PDF bytes (A4, one or two pages)."""
    pdf: bytes = weasyprint_html()(string=approval_form_html(form)).write_pdf()
    return pdf


def weasyprint_html() -> Any:
    """WeasyPrint's HTML class, loaded at first use (it loads pango). Importing WeasyPrint
    sets Pillow's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES``; scan intake must still
    refuse truncated scans (archives.scan_reading), so the flag is put back at once — the
    form holds no images."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    from weasyprint import HTML

    ImageFile.LOAD_TRUNCATED_IMAGES = before
    return HTML


def _context(form: ApprovalForm) -> dict[str, Any]:
    view = form.view
    tasks = {task.kind: task for task in view.tasks}
    archive = tasks[TaskKind.ARCHIVE_REVIEW].result if TaskKind.ARCHIVE_REVIEW in tasks else {}
    contributions = tasks[TaskKind.CONTRIBUTIONS].result if TaskKind.CONTRIBUTIONS in tasks else {}
    pension = tasks[TaskKind.PENSION].result if TaskKind.PENSION in tasks else {}
    return {
        "form": form,
        "view": view,
        "person": view.person,
        # The form leaves the agency: the ID number is printed masked but for the last digits.
        "id_number": mask_id_number(view.person.id_number),
        "issued": form.issued_at.astimezone(CHINA_TZ).strftime("%Y年%m月%d日 %H:%M"),
        "archive": archive,
        "contributions": {
            key: YearsMonths.of(int(value)).label
            for key, value in contributions.items()
            if isinstance(value, int)
        },
        "pension": pension.get("pension") or {},
        "pension_extra": pension,
        "decision": view.decision,
        "beijing": lambda moment: (
            moment.astimezone(CHINA_TZ).strftime("%Y年%m月%d日") if moment else ""
        ),
    }
