"""数据共享: upload a partner department's file, list every transfer (files, API pushes,
table-sync batches) and show what became of one, with its receipt (回执)."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.exchange.catalogue import Catalogue
from retirelink.exchange.file_schema import PARTNER_EVENT_SCHEMA
from retirelink.exchange.model import ExchangeJob, JobStatus, Transport
from retirelink.exchange.receipts import Receipt
from retirelink.exchange.services import (
    import_partner_file,
    importable_items,
    received_job,
    recent_files,
    recent_jobs,
)
from retirelink.security.masking import may_see_unmasked
from retirelink.security.model import Actor
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.pages.exchange_shared import choice, choices, item_names, short_item_names
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UPLOAD_LABEL = "50 MB"
RECENT_SHOWN = 20
JOBS_SHOWN = 200

# The job page names the transfer by how it came: a file, an API message, a sync batch.
_JOB_TITLES = {
    Transport.FILE: "数据文件接收结果",
    Transport.API: "接口推送数据接收结果",
    Transport.TABLE_SYNC: "库表同步数据接收结果",
}
_JOB_NOUNS = {Transport.FILE: "文件", Transport.API: "接口消息", Transport.TABLE_SYNC: "同步批次"}
_RESEND_HINTS = {
    Transport.FILE: "请按下表改正后重新报送整个文件。",
    Transport.API: "请来源部门按下表改正后重新推送整条消息。",
    Transport.TABLE_SYNC: "该批次之后的同步已暂停，请来源部门按下表改正后重新同步。",
}


@router.get("/exchange")
def exchange_index(
    request: Request, actor: CurrentActor, uow: UnitOfWorkDep, services: ServicesDep
) -> Response:
    return _index(request, actor, uow, services.catalogue, item_code="", error=None)


@router.post("/exchange/files")
def exchange_upload(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    file: Annotated[UploadFile | None, File()] = None,
    item_code: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    catalogue = services.catalogue
    try:
        filename, data = _read_upload(file)
        outcome = import_partner_file(
            uow,
            actor=actor,
            data=data,
            filename=filename,
            item_code=item_code,
            catalogue=catalogue,
            receipt_key=services.receipt_key,
        )
    except _UploadTooLarge as error:
        return _index(request, actor, uow, catalogue, item_code, str(error), status=413)
    except (InvalidInputError, NotFoundError) as error:
        return _index(request, actor, uow, catalogue, item_code, error.message, status=422)
    suffix = "?resent=1" if outcome.duplicate else ""
    return RedirectResponse(f"/exchange/jobs/{outcome.job.id}{suffix}", status_code=303)


@router.get("/exchange/files/{job_id}")
def exchange_file_moved(job_id: int) -> Response:
    """Files became exchange jobs; links saved before that keep working."""
    return RedirectResponse(f"/exchange/jobs/{job_id}", status_code=301)


@router.get("/exchange/jobs")
def exchange_jobs(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    transport: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    jobs = recent_jobs(
        uow,
        actor=actor,
        limit=JOBS_SHOWN,
        transport=choice(Transport, transport, field="transport", what="传输方式"),
        status=choice(JobStatus, status, field="status", what="作业状态"),
    )
    return render(
        request,
        "exchange/jobs.html",
        {
            "tab": "jobs",
            "jobs": jobs,
            "item_names": short_item_names(services.catalogue),
            "transports": choices(Transport),
            "statuses": choices(JobStatus),
            "transport": transport,
            "status": status,
            "limit": JOBS_SHOWN,
        },
    )


@router.get("/exchange/jobs/{job_id}")
def exchange_job(
    request: Request,
    job_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    resent: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    found = received_job(uow, actor=actor, job_id=job_id)
    return render(
        request,
        "exchange/file.html",
        {
            "tab": "jobs",
            "job": found,
            "title": _JOB_TITLES[found.transport],
            "noun": _JOB_NOUNS[found.transport],
            "resend_hint": _RESEND_HINTS[found.transport],
            # Receipts hold counts and digests only; reading the job above was ledgered.
            "receipt": _receipt_of(uow, found),
            "item_name": item_names(services.catalogue).get(found.item_code, found.item_code),
            "resent": bool(resent),
            "field_label": PARTNER_EVENT_SCHEMA.label,
            "unmasked": may_see_unmasked(actor),
        },
    )


def _receipt_of(uow: SqlAlchemyUnitOfWork, job: ExchangeJob) -> Receipt | None:
    return uow.receipts.for_job(job.id) if job.id is not None else None


class _UploadTooLarge(Exception):
    """The upload is over MAX_UPLOAD_BYTES; the message is the 中文 text to show."""


def _read_upload(file: UploadFile | None) -> tuple[str, bytes]:
    """The uploaded file's name and bytes; at most MAX_UPLOAD_BYTES + 1 bytes are read."""
    if file is None or not file.filename:
        raise InvalidInputError("请选择要上传的数据文件", field="file")
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _UploadTooLarge(f"文件过大：单个文件不得超过 {MAX_UPLOAD_LABEL}，请拆分后分别报送")
    if not data:
        raise InvalidInputError("上传的文件是空的，请检查后重新选择", field="file")
    return file.filename, data


def _index(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    catalogue: Catalogue,
    item_code: str,
    error: str | None,
    *,
    status: int = 200,
) -> Response:
    files = recent_files(uow, actor=actor, limit=RECENT_SHOWN)
    names = item_names(catalogue)
    return render(
        request,
        "exchange/index.html",
        {
            "tab": "files",
            "files": files,
            "items": [(item.code, names[item.code]) for item in importable_items(catalogue)],
            "item_names": names,
            "item_code": item_code,
            "error": error,
            "max_upload": MAX_UPLOAD_LABEL,
        },
        status_code=status,
    )
