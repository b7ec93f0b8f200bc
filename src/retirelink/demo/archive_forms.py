"""What the demo district's archive pages say: each material's pages, worded for its type.

Pure and deterministic. :mod:`retirelink.demo.archive_materials` decides which materials a
person's archive holds; :func:`form_pages` words them the way paper records of their era do
(labels, values, approval sentences, seals, photo boxes, dates written 一九六五年三月,
65年3月, 1965.3 …), choosing the builder of each material type;
:mod:`retirelink.demo.archive_pages` draws a
:class:`~retirelink.demo.page_content.PageContent` as a scan.

The builders: :mod:`retirelink.demo.employment_forms` and
:mod:`retirelink.demo.personal_forms`, on the shared :mod:`retirelink.demo.form_filling`;
the page text model: :mod:`retirelink.demo.page_content`; written dates:
:mod:`retirelink.demo.form_dates`.
"""

from collections.abc import Callable
from dataclasses import replace
from random import Random

from retirelink.archives.material_classes import MaterialType
from retirelink.demo.employment_forms import (
    labour_contract,
    recruitment,
    regularisation,
    special_job,
    transfer,
    wage_change,
)
from retirelink.demo.form_filling import Form, FormStyle, MaterialFacts, PersonFacts
from retirelink.demo.page_content import PageContent
from retirelink.demo.personal_forms import (
    autobiography,
    discharge,
    enlistment,
    party_membership,
    resume,
)

_Builder = Callable[[Form, int], list[PageContent]]
_BUILDERS: dict[MaterialType, _Builder] = {
    MaterialType.RECRUITMENT_REGISTRATION: recruitment,
    MaterialType.REGULARISATION_GRADING: regularisation,
    MaterialType.WAGE_CHANGE: wage_change,
    MaterialType.LABOUR_CONTRACT: labour_contract,
    MaterialType.SPECIAL_JOB_APPROVAL: special_job,
    MaterialType.ENLISTMENT: enlistment,
    MaterialType.DISCHARGE: discharge,
    MaterialType.PARTY_MEMBERSHIP: party_membership,
    MaterialType.RESUME: resume,
    MaterialType.TRANSFER_LETTER: transfer,
    MaterialType.AUTOBIOGRAPHY: autobiography,
}
FORM_TYPES = frozenset(_BUILDERS)


def form_pages(
    person: PersonFacts, material: MaterialFacts, style: FormStyle, *, pages: int, rnd: Random
) -> tuple[PageContent, ...]:
    """The ``pages`` pages of one material, worded for its type and era."""
    builder = _BUILDERS[material.material_type]
    drawn = builder(Form(person, material, style, rnd), pages)
    return tuple(replace(page, handwritten=style.handwritten) for page in drawn)
