"""Jinja2 templates (zh-CN) with the helpers every page needs."""

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from retirelink.archives.model import DepartmentKind
from retirelink.clock import CHINA_TZ
from retirelink.rules.regions import region_name
from retirelink.security.masking import mask_id_number
from retirelink.security.model import Role
from retirelink.web.navigation import modules_for

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.globals.update(
        navigation=modules_for,
        region_label=_region_label,
        beijing_time=beijing_time,
        role_labels=_role_labels,
        department_label=department_label,
    )
    templates.env.filters["mask_id"] = mask_id_number
    return templates


def _region_label(code: str | None) -> str:
    """Full name, province to county: 130406 → 河北省邯郸市峰峰矿区."""
    if not code:
        return "未登记"
    levels = dict.fromkeys([code[:2] + "0000", code[:4] + "00", code])
    names = [name for level in levels if (name := region_name(level))]
    return "".join(names) or code


def department_label(kind: str) -> str:
    """ "public_security" → "公安" (an unknown kind shown as it is)."""
    try:
        return DepartmentKind(kind).label
    except ValueError:
        return kind


def _role_labels(codes: str) -> str:
    """ "clerk,reviewer" → "窗口受理员、复核员" (unknown codes shown as they are)."""
    known = {role.value: role.label for role in Role}
    return "、".join(known.get(code, code) for code in codes.split(",") if code)


def beijing_time(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a page; the actor and CSRF token set by the auth dependency are passed along."""
    templates: Jinja2Templates = request.app.state.templates
    base = {
        "actor": getattr(request.state, "actor", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
