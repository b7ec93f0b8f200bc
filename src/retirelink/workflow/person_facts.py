"""Loading what pre-review and the application's tasks read about one person: the insured
record's figures and the digitised archive's findings (``archive_evidence``, which checks the
actor may read archives). Nothing here writes or ledgers: pre-review calls it in read-only
units of work."""

from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.facts import ArchiveEvidence, archive_evidence
from retirelink.archives.holdings import Material
from retirelink.archives.insured import InsuranceRecord
from retirelink.archives.material_classes import MaterialType
from retirelink.archives.model import Person
from retirelink.security.model import Actor
from retirelink.workflow.ports import InsuredCandidate, InsuredDetail, WorkflowUnitOfWork
from retirelink.workflow.prereview import ArchiveFindings, PrereviewFacts


def person_facts(
    uow: WorkflowUnitOfWork,
    actor: Actor,
    candidate: InsuredCandidate,
    detail: InsuredDetail | None,
) -> PrereviewFacts:
    return PrereviewFacts(
        person_id=candidate.person_id,
        id_card_birth=candidate.id_card_birth,
        category=candidate.category,
        contribution_months=detail.contribution_months if detail else 0,
        paid_by_year=detail.paid_by_year if detail else (),
        employments=detail.employments if detail else (),
        archive=archive_findings(uow, actor, candidate.person_id),
    )


def archive_findings(
    uow: WorkflowUnitOfWork, actor: Actor, person_id: int
) -> ArchiveFindings | None:
    archive = uow.archives.get_by_person(person_id)
    if archive is None or archive.id is None:
        return None
    materials = uow.materials.for_archive(archive.id)
    if not materials:
        return None
    evidence = archive_evidence(uow, actor=actor, person_id=person_id)
    return ArchiveFindings(
        material_types=frozenset(material.material_type for material in materials),
        birth=evidence.birth,
        service=tuple(evidence.service),
        contradictions=tuple(
            (c.message, tuple(f"material:{f.material_id}" for f in c.facts))
            for c in evidence.contradictions
        ),
        pending_facts=evidence.pending,
        special_job_evidence=_special_job_evidence(evidence, materials),
    )


def _special_job_evidence(evidence: ArchiveEvidence, materials: list[Material]) -> tuple[str, ...]:
    """Original records of special-job work: a 特殊工种审批表 in the archive, or a reviewed
    special-job period read from a material."""
    found = [
        f"material:{material.id}"
        for material in materials
        if material.material_type is MaterialType.SPECIAL_JOB_APPROVAL
    ]
    found += [
        f"material:{fact.material_id}"
        for fact in evidence.facts
        if fact.kind is FactKind.SPECIAL_JOB_PERIOD and fact.status.trusted
    ]
    return tuple(dict.fromkeys(found))


def applicant_facts(
    uow: WorkflowUnitOfWork, actor: Actor, person: Person, record: InsuranceRecord
) -> PrereviewFacts:
    """The same facts for an applicant, from the full insured record."""
    assert person.id is not None
    return PrereviewFacts(
        person_id=person.id,
        id_card_birth=person.birth_date,
        category=record.category,
        contribution_months=record.contribution_months,
        paid_by_year=paid_by_year(record),
        employments=record.employments,
        archive=archive_findings(uow, actor, person.id),
    )


def paid_by_year(record: InsuranceRecord) -> tuple[tuple[int, int], ...]:
    totals: dict[int, int] = {}
    for line in record.contributions:
        totals[line.year] = totals.get(line.year, 0) + line.months
    return tuple(sorted(totals.items()))
