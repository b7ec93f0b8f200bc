"""档案管理 pages: the archive list, an archive with its class tree, the page viewer (a
watermarked image, every view ledgered) and scan upload into a new batch."""

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from retirelink.archives.browsing import archive_detail, find_archives
from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.ingest import ingest_batch, plan_folder
from retirelink.archives.lending import view_page
from retirelink.archives.scan_watermark import watermark
from retirelink.bootstrap import Services
from retirelink.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from retirelink.security.masking import mask_id_number, mask_name, may_see_unmasked
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import has_permission, require
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_UPLOAD_FILES = 200
MAX_UPLOAD_BYTES = 500 * 1024 * 1024


def shown_person(actor: Actor, name: str, id_number: str) -> tuple[str, str]:
    """Name and ID number as this actor may see them (masked unless the role allows)."""
    if may_see_unmasked(actor):
        return name, id_number
    return mask_name(name), mask_id_number(id_number)


@router.get("/archives")
def archives_index(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    found = find_archives(uow, actor=actor, text=q, page=page)
    people = {
        item.id: shown_person(actor, item.person_name, item.id_number) for item in found.items
    }
    return render(
        request,
        "archives/index.html",
        {"tab": "archives", "found": found, "people": people, "q": q},
    )


@router.get("/archives/{archive_id}")
def archive_page(
    request: Request,
    archive_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    uploaded: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    detail = archive_detail(uow, actor=actor, archive_id=archive_id)
    return render(
        request,
        "archives/detail.html",
        {
            "tab": "archives",
            "detail": detail,
            "person": shown_person(actor, detail.person.name, detail.person.id_number),
            "may_upload": has_permission(actor, Permission.ARCHIVE_INGEST),
            "may_review": has_permission(actor, Permission.ARCHIVE_FACT_REVIEW),
            "kinds": [(kind.value, kind.label) for kind in FactKind],
            "materials": [view.material for group in detail.classes for view in group.materials],
            "uploaded": uploaded,
            "error": None,
        },
    )


@router.post("/archives/{archive_id}/upload")
async def archive_upload(
    archive_id: int,
    actor: CurrentActor,
    services: ServicesDep,
    files: Annotated[list[UploadFile], File()],
) -> Response:
    require(actor, Permission.ARCHIVE_INGEST)
    if not files or len(files) > MAX_UPLOAD_FILES:
        raise InvalidInputError(f"每批上传1到{MAX_UPLOAD_FILES}个文件")
    folder = Path(tempfile.mkdtemp(prefix="retirelink-upload-"))
    try:
        await _save_uploads(files, folder)
        batch_id = await run_in_threadpool(_ingest_folder, services, actor, archive_id, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return RedirectResponse(f"/archives/batches/{batch_id}", status_code=303)


async def _save_uploads(files: list[UploadFile], folder: Path) -> None:
    total = 0
    for upload in files:
        name = Path(upload.filename or "").name
        if not name or name.startswith("."):
            raise InvalidInputError("上传的文件缺少文件名")
        with (folder / name).open("wb") as target:
            while chunk := await upload.read(1024 * 1024):
                total += len(chunk)
                if total > MAX_UPLOAD_BYTES:
                    raise InvalidInputError("本批上传超过500 MB，请分批上传")
                target.write(chunk)


def _ingest_folder(services: Services, actor: Actor, archive_id: int, folder: Path) -> int:
    with services.uow() as uow:
        if uow.archives.get(archive_id) is None:
            raise NotFoundError("档案不存在")
        files = plan_folder(uow, archive_id, folder)
        report = ingest_batch(
            uow, actor=actor, archive_id=archive_id, files=files, store=services.blobs
        )
    assert report.batch.id is not None
    return report.batch.id


@router.get("/archives/pages/{page_id}")
def page_viewer(
    request: Request,
    page_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    request_id: Annotated[int | None, Query(alias="request", ge=1)] = None,
) -> Response:
    page = uow.pages.get(page_id)
    material = uow.materials.get(page.material_id) if page else None
    if page is None or material is None:
        raise NotFoundError("页面不存在")
    if request_id is None:
        require(actor, Permission.ARCHIVE_READ)
    text = uow.page_texts.get(page_id) if has_permission(actor, Permission.ARCHIVE_READ) else None
    return render(
        request,
        "archives/page.html",
        {
            "tab": "archives",
            "page": page,
            "material": material,
            "text": text,
            "request_id": request_id,
            "siblings": [p.id for p in uow.pages.for_material(material.id or 0)],
        },
    )


@router.get("/archives/pages/{page_id}/image")
def page_image(
    page_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    request_id: Annotated[int | None, Query(alias="request", ge=1)] = None,
) -> Response:
    """The page's view image with the viewer's watermark; each call is a ledgered view."""
    page, mark = view_page(uow, actor=actor, page_id=page_id, request_id=request_id)
    if page.view_sha256 is None:
        raise NotFoundError("该页面没有可显示的图像")
    marked = watermark(services.blobs.read_bytes(page.view_sha256), mark)
    return Response(marked, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.get("/archives/pages/{page_id}/thumbnail")
def page_thumbnail(
    page_id: int, actor: CurrentActor, uow: UnitOfWorkDep, services: ServicesDep
) -> Response:
    """A 256-pixel thumbnail (illegible by design) for catalogue and quality views."""
    if not has_permission(actor, Permission.ARCHIVE_READ):
        raise PermissionDeniedError("无权查看档案缩略图")
    page = uow.pages.get(page_id)
    if page is None or page.thumbnail_sha256 is None:
        raise NotFoundError("页面不存在")
    data = services.blobs.read_bytes(page.thumbnail_sha256)
    return Response(
        data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"}
    )
