"""The 三龄两历 check (年龄、工龄、党龄、学历、工作经历) over the facts of one person's archive.

Archive reviews (干部人事档案专项审核) compare what different materials say about a person's age,
years of work, Party standing, education and career; contradictions point at errors, and at
altered (涂改) or forged records — "1岁工作、22岁退休" was an archive with 14 alterations
(policy-spec §3.1, 2024 national audit). This module compares candidate or confirmed facts
(``fact_kinds.ExtractedFact``) from several materials and lists the contradictions, each
with a 中文 message, the facts involved and the rule it rests on:

* birth dates that disagree across materials, and which one the law picks
  (``choose_birth_date``: 劳社部发〔1999〕8号 第二条(二), the record **formed** earliest);
* a birth date later than the formation of the material stating it;
* work started before birth, or before 16 (《禁止使用童工规定》, 国务院令第364号, 第二条);
* joining the Party before 18 (《中国共产党章程》第一条: 年满十八岁);
* graduation at an age the level of education does not allow (a university degree at 14) —
  plausibility thresholds, not law (``MIN_GRADUATION_AGE``);
* posts at different employers in overlapping periods;
* special-job periods outside the work history (before work started, or during military
  service) — 国发〔1978〕104号 counts special-job years of work only;
* military service overlapping civilian employment;
* periods that end before they start.

Fuzzy dates are compared so that only **certain** contradictions are reported: a work start
in ``1981`` against a birth in ``1965年3月`` is under 16 only if even the latest day of 1981 is
before the 16th birthday counted from the earliest possible birth day. Age checks use the birth
date ``choose_birth_date`` picks (the earliest-formed record's, also while it awaits manual
verification) — a later altered record cannot make a child worker look older.

This module runs the checks (``check_consistency``). The input, ``MaterialFact``, and the
fuzzy-date comparisons are in ``material_facts``; the birth date choice in ``birth_date_choice``;
the contradiction model in ``contradictions``; the birth-date and age checks in
``consistency_ages``; the period and overlap checks in ``consistency_periods``.

Pure: no I/O.
"""

from collections.abc import Sequence

from retirelink.archives.birth_date_choice import BirthDateStatus, choose_birth_date
from retirelink.archives.consistency_ages import (
    birth_conflicts,
    births_after_formation,
    education_ages,
    party_ages,
    work_ages,
)
from retirelink.archives.consistency_periods import (
    inverted_periods,
    job_overlaps,
    military_overlaps,
    military_periods,
    special_jobs_outside_work,
)
from retirelink.archives.contradictions import Contradiction
from retirelink.archives.material_facts import MaterialFact


def check_consistency(facts: Sequence[MaterialFact]) -> list[Contradiction]:
    """Every certain contradiction among one person's facts (the 三龄两历 check)."""
    choice = choose_birth_date(facts)
    found: list[Contradiction] = []
    found += birth_conflicts(facts, choice)
    found += births_after_formation(facts)
    found += inverted_periods(facts)
    birth = choice.candidate
    source = choice.source
    if birth is not None and source is not None:
        note = "" if choice.status is BirthDateStatus.DECIDED else "（出生时间待人工核实）"
        found += work_ages(facts, birth, source, note)
        found += party_ages(facts, birth, source, note)
        found += education_ages(facts, birth, source, note)
    found += job_overlaps(facts)
    military = military_periods(facts)
    found += special_jobs_outside_work(facts, military)
    found += military_overlaps(facts, military)
    return found
