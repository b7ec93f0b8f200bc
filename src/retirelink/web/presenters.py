"""Shape domain objects for the caller: masking happens here, at the edge, by role."""

from retirelink.archives.model import Person, PersonPage, PersonSummary
from retirelink.security.masking import mask_id_number, mask_name, mask_phone, may_see_unmasked
from retirelink.security.model import Actor
from retirelink.web.schemas import PersonPagePublic, PersonPublic


def person_public(person: Person, actor: Actor) -> PersonPublic:
    unmasked = may_see_unmasked(actor)
    assert person.id is not None
    return PersonPublic(
        id=person.id,
        id_number=person.id_number if unmasked else mask_id_number(person.id_number),
        name=person.name if unmasked else mask_name(person.name),
        sex=person.sex.value,
        sex_label=person.sex.label,
        birth_date=person.birth_date if unmasked else None,
        ethnicity=person.ethnicity,
        hukou_region=person.hukou_region,
        phone=(person.phone if unmasked else mask_phone(person.phone)) if person.phone else None,
        masked=not unmasked,
    )


def summary_public(summary: PersonSummary, actor: Actor) -> PersonPublic:
    unmasked = may_see_unmasked(actor)
    return PersonPublic(
        id=summary.id,
        id_number=summary.id_number if unmasked else mask_id_number(summary.id_number),
        name=summary.name if unmasked else mask_name(summary.name),
        sex=summary.sex.value,
        sex_label=summary.sex.label,
        birth_date=summary.birth_date if unmasked else None,
        hukou_region=summary.hukou_region,
        masked=not unmasked,
    )


def page_public(page: PersonPage, actor: Actor) -> PersonPagePublic:
    return PersonPagePublic(
        items=[summary_public(item, actor) for item in page.items],
        total=page.total,
        page=page.page,
        page_size=page.page_size,
        pages=page.pages,
    )
