"""Whom an applicant account may act for: the insured person themself, or the employer's
经办员 for the employer's own workers (the insured record's current employer)."""

from retirelink.archives.insured import InsuranceRecord
from retirelink.archives.model import Employer, Person
from retirelink.errors import NotFoundError, PermissionDeniedError
from retirelink.security.model import Actor, Principal, PrincipalKind
from retirelink.workflow.applications import Channel
from retirelink.workflow.ports import WorkflowUnitOfWork

# The same answer whether the number is unknown or someone else's: an employer must not learn
# who else is insured here by trying numbers.
NOT_YOURS = "只能办理本人或本单位在职职工的业务，请核对公民身份号码"


def principal_of(actor: Actor) -> Principal:
    if actor.represents is None:
        raise PermissionDeniedError("该账号未绑定参保人或用人单位，不能网上办理")
    return actor.represents


def channel_of(principal: Principal) -> Channel:
    return Channel.PERSON if principal.kind is PrincipalKind.PERSON else Channel.EMPLOYER


def represented_employer(uow: WorkflowUnitOfWork, principal: Principal) -> Employer:
    employer = uow.employers.get_by_credit_code(principal.code)
    if employer is None or employer.id is None:
        raise NotFoundError("账号绑定的用人单位不存在")
    return employer


def check_acts_for(
    uow: WorkflowUnitOfWork, actor: Actor, person: Person, record: InsuranceRecord | None
) -> None:
    """Refuse unless the applicant account acts for this person."""
    principal = principal_of(actor)
    if principal.kind is PrincipalKind.PERSON:
        mine = person.id_number == principal.code
    else:
        employer_id = record.employer_id if record is not None else None
        mine = employer_id is not None and represented_employer(uow, principal).id == employer_id
    if not mine:
        raise NotFoundError(NOT_YOURS, field="id_number")
