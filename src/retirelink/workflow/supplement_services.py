"""Handing in a missing material online (补充材料) and receiving it into the archive.

The person or the employer's 经办员 uploads a scan of what the pre-review asked for (a
转正定级表, a 招工登记表 …). It is read and checked against DA/T 31 at once, so a broken or
unreadable scan is refused before anything is stored, and kept until the archive decides: an
archivist receives it (the material is catalogued and its pages ingested into the person's
archive, where the usual 窗口初审/入库复审 of the batch follows) or returns it with a reason.
Receiving it pre-reviews the person again at once and reruns an open application's archive
task that was waiting for a person.
"""

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from retirelink.archives.cataloguing import MaterialEntry, catalogue_material
from retirelink.archives.holdings import Archive, DatePrecision, FuzzyDate, QcSeverity
from retirelink.archives.ingest import DEFAULT_LIMITS, ScanFile, ingest_batch
from retirelink.archives.material_classes import MaterialType
from retirelink.archives.model import Person
from retirelink.archives.ports import BlobStore
from retirelink.archives.scan_intake import ImageLimits, ScanError, identify
from retirelink.archives.scan_quality import qc_issues
from retirelink.archives.scan_reading import read_scan
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.rules.parameters import ParameterSet
from retirelink.security.masking import mask_name
from retirelink.security.model import SYSTEM_ACTOR, Actor, Permission, PrincipalKind
from retirelink.security.permissions import require
from retirelink.workflow.applications import DecisionStatus, TaskKind, TaskStatus
from retirelink.workflow.ports import Notification, WorkflowUnitOfWork
from retirelink.workflow.principals import NOT_YOURS, check_acts_for, principal_of
from retirelink.workflow.services import refresh_checklist
from retirelink.workflow.supplements import SUPPLIABLE_TYPES, SupplementStatus, SuppliedMaterial
from retirelink.workflow.task_runner import retry_task


@dataclass(frozen=True, slots=True)
class SupplementUpload:
    """What the submitter gives: whose material, which, when it was formed, and the file."""

    id_number: str
    material_type: MaterialType
    formation_date: date
    file_name: str
    data: bytes
    title: str = ""


@dataclass(frozen=True, slots=True)
class Supplied:
    supplied: SuppliedMaterial
    created: bool  # False: the same file had been handed in before (returned as is)


def submit_supplement(
    uow: WorkflowUnitOfWork,
    upload: SupplementUpload,
    *,
    actor: Actor,
    store: BlobStore,
    limits: ImageLimits = DEFAULT_LIMITS,
) -> Supplied:
    """Check everything (whose, which material, the date, the scan itself), then keep the
    file and the submission; the same file for the same person returns the first."""
    require(actor, Permission.SUPPLEMENT_SUBMIT)
    principal = principal_of(actor)
    number = principal.code if principal.kind is PrincipalKind.PERSON else upload.id_number
    person = uow.persons.get_by_id_number(number.strip().upper())
    if person is None or person.id is None:
        raise NotFoundError(NOT_YOURS, field="id_number")
    check_acts_for(uow, actor, person, uow.insured.get(person.id))
    _check_material(upload, person, today=uow.clock.today())
    archive = _archive_of(uow, person)
    sha256 = hashlib.sha256(upload.data).hexdigest()
    earlier = uow.supplements.by_file(person.id, sha256)
    if earlier is not None:
        return Supplied(earlier, created=False)
    pages = _read_pages(upload, archive, limits)
    store.put_bytes(sha256, upload.data)
    supplied = uow.supplements.add(
        SuppliedMaterial(
            person_id=person.id,
            archive_id=archive.id or 0,
            material_type=upload.material_type,
            title=upload.title.strip() or upload.material_type.label,
            formation_date=upload.formation_date,
            file_name=clean_file_name(upload.file_name),
            sha256=sha256,
            pages=pages,
            channel=principal.kind,
            submitted_by=actor.username,
            submitted_at=uow.clock.now(),
        )
    )
    _ledger(uow, actor, person, LedgerAction.SUPPLEMENT_SUBMITTED, supplied, "网上提交补充材料")
    uow.commit()
    return Supplied(supplied, created=True)


MAX_FILE_NAME = 100


def clean_file_name(raw: str) -> str:
    """The submitted file's name as kept for the archivist: no folders, no leading dots,
    at most ``MAX_FILE_NAME`` characters with its extension (the content decides the format;
    the name is only shown)."""
    name = Path(raw.replace("\\", "/")).name.strip().lstrip(".")
    suffix = Path(name).suffix[:10]
    stem = name[: len(name) - len(suffix)] if suffix else name
    return (stem[: MAX_FILE_NAME - len(suffix)] or "scan") + suffix


def _check_material(upload: SupplementUpload, person: Person, *, today: date) -> None:
    if upload.material_type not in SUPPLIABLE_TYPES:
        raise InvalidInputError("该类材料不能网上补充，请与档案管理部门联系", field="material_type")
    if upload.formation_date > today:
        raise InvalidInputError("材料形成日期不能晚于今天", field="formation_date")
    if upload.formation_date < person.birth_date:
        raise InvalidInputError("材料形成日期早于本人出生日期，请核对", field="formation_date")
    if len(upload.title.strip()) > 60:
        raise InvalidInputError("材料题名不超过60个字", field="title")
    if not upload.data:
        raise InvalidInputError("请选择要上传的扫描件", field="file")


def _archive_of(uow: WorkflowUnitOfWork, person: Person) -> Archive:
    archive = uow.archives.get_by_person(person.id or 0)
    if archive is None or archive.id is None:
        raise ConflictError(
            "该人员的人事档案尚未在本系统建档，请先由存档单位向档案管理部门移交档案",
            field="id_number",
        )
    return archive


def _read_pages(upload: SupplementUpload, archive: Archive, limits: ImageLimits) -> int:
    """Read the scan now (as ingest will) so a broken or substandard one is refused here,
    while the submitter can still scan it again."""
    if len(upload.data) > limits.max_file_bytes:
        raise InvalidInputError(
            f"扫描件超过{limits.max_file_bytes // 2**20} MB，请降低分辨率或分页上传", field="file"
        )
    info = upload.material_type.info
    with tempfile.TemporaryDirectory(prefix="retirelink-supplement-") as folder:
        path = Path(folder) / "upload"
        path.write_bytes(upload.data)
        try:
            scans = read_scan(path, limits, file_name=upload.file_name)
        except ScanError as error:
            raise InvalidInputError(f"扫描件无法读取：{error.message}", field="file") from None
    for number, scan in enumerate(scans, 1):
        issues = qc_issues(
            scan,
            min_dpi=archive.kind.min_dpi,
            fine_print=info.fine_print,
            colour_required=info.colour_required,
        )
        errors = [issue.message_zh for issue in issues if issue.severity is QcSeverity.ERROR]
        if errors:
            raise InvalidInputError(
                f"第{number}页不符合扫描要求：{'；'.join(errors)}，请重新扫描", field="file"
            )
    return len(scans)


def accept_supplement(
    uow: WorkflowUnitOfWork,
    *,
    actor: Actor,
    store: BlobStore,
    supplement_id: int,
    params: ParameterSet,
    region: str,
    months: int,
) -> SuppliedMaterial:
    """Receive the material into the archive: catalogue it and ingest its pages in one
    transaction; then pre-review the person again and rerun a waiting archive task."""
    require(actor, Permission.SUPPLEMENT_ACCEPT)
    supplied = _undecided(uow, supplement_id)
    material = catalogue_material(
        uow,
        actor=actor,
        archive_id=supplied.archive_id,
        entry=MaterialEntry(
            supplied.material_type.info.class_code,
            supplied.material_type,
            supplied.title,
            FuzzyDate(supplied.formation_date, DatePrecision.DAY),
            supplied.pages,
        ),
    )
    accepted = _decide(uow, actor, supplied, SupplementStatus.ACCEPTED, "", material.id)
    _ingest(uow, actor, store, accepted)  # commits the catalogue, the decision and the pages
    _follow_up(uow, accepted.person_id, params=params, region=region, months=months)
    return accepted


def return_supplement(
    uow: WorkflowUnitOfWork, *, actor: Actor, supplement_id: int, reason: str
) -> SuppliedMaterial:
    """Send it back with the reason the submitter reads (unclear scan, wrong person …)."""
    require(actor, Permission.SUPPLEMENT_ACCEPT)
    if not reason.strip():
        raise InvalidInputError("退回须填写原因", field="reason")
    supplied = _undecided(uow, supplement_id)
    returned = _decide(uow, actor, supplied, SupplementStatus.RETURNED, reason.strip(), None)
    uow.commit()
    return returned


def pending_supplements(
    uow: WorkflowUnitOfWork, *, actor: Actor, offset: int = 0, limit: int = 50
) -> tuple[list[tuple[SuppliedMaterial, Person]], int]:
    """The archive's queue of handed-in materials, the oldest first."""
    require(actor, Permission.SUPPLEMENT_ACCEPT)
    waiting, total = uow.supplements.pending(offset=offset, limit=limit)
    rows = [(item, uow.persons.get(item.person_id)) for item in waiting]
    return [(item, person) for item, person in rows if person is not None], total


def supplement_file(
    uow: WorkflowUnitOfWork, *, actor: Actor, store: BlobStore, supplement_id: int
) -> tuple[SuppliedMaterial, bytes, str]:
    """The handed-in scan for the archivist to look at (ledgered: it is the person's)."""
    require(actor, Permission.SUPPLEMENT_ACCEPT)
    supplied = uow.supplements.get(supplement_id)
    person = uow.persons.get(supplied.person_id) if supplied else None
    if supplied is None or person is None:
        raise NotFoundError("补充材料不存在")
    data = store.read_bytes(supplied.sha256)
    _ledger(uow, actor, person, LedgerAction.SUPPLEMENT_VIEWED, supplied, "查看补充材料扫描件")
    uow.commit()
    found = identify(data[:64])
    return supplied, data, found.media_type if found else "application/octet-stream"


def _undecided(uow: WorkflowUnitOfWork, supplement_id: int) -> SuppliedMaterial:
    supplied = uow.supplements.get(supplement_id)
    if supplied is None:
        raise NotFoundError("补充材料不存在")
    if supplied.status is not SupplementStatus.SUBMITTED:
        raise ConflictError(f"该材料{supplied.status.label}，不能再处理")
    return supplied


def _decide(
    uow: WorkflowUnitOfWork,
    actor: Actor,
    supplied: SuppliedMaterial,
    status: SupplementStatus,
    note: str,
    material_id: int | None,
) -> SuppliedMaterial:
    decided = replace(
        supplied,
        status=status,
        note=note,
        material_id=material_id,
        decided_by=actor.username,
        decided_at=uow.clock.now(),
    )
    uow.supplements.decide(decided)
    person = uow.persons.get(supplied.person_id)
    assert person is not None
    action = (
        LedgerAction.SUPPLEMENT_ACCEPTED
        if status is SupplementStatus.ACCEPTED
        else LedgerAction.SUPPLEMENT_RETURNED
    )
    _ledger(uow, actor, person, action, decided, note or "接收归档")
    _notify_submitter(uow, person, decided)
    return decided


def _notify_submitter(uow: WorkflowUnitOfWork, person: Person, decided: SuppliedMaterial) -> None:
    """Tell whoever handed it in: the person by SMS, the employer by its credit code."""
    if decided.channel is PrincipalKind.PERSON:
        kind, address = "person", person.phone
    else:
        record = uow.insured.get(person.id or 0)
        employer = uow.employers.get(record.employer_id) if record and record.employer_id else None
        kind, address = "employer", employer.credit_code if employer else ""
    if not address:
        return
    if decided.status is SupplementStatus.ACCEPTED:
        body = f"您提交的“{decided.title}”已接收归档，退休预审已重新核对，请登录网上办理查看。"
    else:
        body = f"您提交的“{decided.title}”被退回，原因：{decided.note}。请重新扫描后提交。"
    uow.notifications.enqueue(
        Notification(
            dedupe_key=f"supplement:{decided.id}:{decided.status.value}",
            person_id=person.id or 0,
            recipient_kind=kind,
            recipient=address,
            subject=f"补充材料{decided.status.label}：{mask_name(person.name)}",
            body=body,
        ),
        at=uow.clock.now(),
    )


def _ingest(
    uow: WorkflowUnitOfWork, actor: Actor, store: BlobStore, supplied: SuppliedMaterial
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="retirelink-supplement-"))
    try:
        # A fixed name: the submitter's is shown, never used as a path.
        path = folder / f"upload{Path(supplied.file_name).suffix}"
        path.write_bytes(store.read_bytes(supplied.sha256))
        scan = ScanFile(path, supplied.file_name, supplied.material_id)
        ingest_batch(uow, actor=actor, archive_id=supplied.archive_id, files=[scan], store=store)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _follow_up(
    uow: WorkflowUnitOfWork, person_id: int, *, params: ParameterSet, region: str, months: int
) -> None:
    """The platform re-checks at once rather than at the next daily run: the person's
    checklist, and an open application's archive task that waited for this material."""
    refresh_checklist(
        uow, actor=SYSTEM_ACTOR, person_id=person_id, months=months, params=params, region=region
    )
    for application in uow.applications.for_person(person_id):
        decision = uow.decisions.get(application.id or 0)
        if decision is not None and decision.status is not DecisionStatus.RETURNED:
            continue
        for task in uow.tasks.for_application(application.id or 0):
            # Only a task handed to a person waits for a material; a refusal (not eligible)
            # stands until a clerk runs it again.
            if task.kind is TaskKind.ARCHIVE_REVIEW and task.status is TaskStatus.NEEDS_PERSON:
                retry_task(uow, actor=SYSTEM_ACTOR, task_id=task.id or 0)


def _ledger(
    uow: WorkflowUnitOfWork,
    actor: Actor,
    person: Person,
    action: LedgerAction,
    supplied: SuppliedMaterial,
    purpose: str,
) -> None:
    uow.ledger.record(
        actor=actor,
        action=action,
        subject=uow.ledger.subject("person", person.id_number),
        purpose=f"{purpose}：{supplied.title}",
        after={
            "supplement": supplied.id,
            "type": supplied.material_type.value,
            "sha256": supplied.sha256,
            "status": supplied.status.value,
        },
    )
