"""Partner-department records (公安, 卫健, 民政, 司法) and the anomalies planted among them.

Ordinary records agree with the ledger (a deceased person has death records; a released
prisoner was released). Planted records contradict it: a retired person with a death record
is still being paid (``paid_after_death``), a retired person in prison with no release yet is
still being paid (``paid_while_imprisoned``).
"""

from typing import NamedTuple

from retirelink.demo.careers import Random01
from retirelink.demo.model import (
    PAID_AFTER_DEATH,
    PAID_WHILE_IMPRISONED,
    PartnerRecordKind,
    PersonStatus,
)
from retirelink.demo.timeline import month_ordinal

_R = PartnerRecordKind

# Probabilities, per person of the given status.
PAID_AFTER_DEATH_SHARE = 0.01  # of living retirees
PAID_WHILE_IMPRISONED_SHARE = 0.003  # of living retirees
_CERTIFICATE_SHARE = 0.9  # a 卫健 death certificate accompanies a death
_CREMATION_SHARE = 0.8  # a 民政 cremation record accompanies a death
_PLANTED_CERTIFICATE_SHARE = 0.7
_PLANTED_CREMATION_SHARE = 0.6
_INSURED_IMPRISONED_SHARE = 0.015
_RETIREE_PAST_PRISON_SHARE = 0.003  # served a sentence long before retiring
_RELEASED_SHARE = 0.6
_HOUSEHOLD_CANCELLED_SHARE = 0.002  # 出国定居 and the like, for working people


class EventDraft(NamedTuple):
    kind: PartnerRecordKind
    day: int  # ordinal
    end: int  # ordinal of the release, 0 when none
    anomaly: str | None


class Fate(NamedTuple):
    """What the ledger says about a person, as needed to plan partner records."""

    status: PersonStatus
    work_start: int  # month index
    retired: int  # month index, -1 when not retired
    death: int  # ordinal, 0 when alive


NO_EVENTS: tuple[EventDraft, ...] = ()


def _between(rnd: Random01, lo: int, hi: int) -> int:
    """A uniformly drawn integer in ``[lo, hi]``."""
    return lo + int(rnd() * (hi - lo + 1))


def death_events(
    rnd: Random01, death: int, as_of: int, anomaly: str | None = None
) -> tuple[EventDraft, ...]:
    """公安 cancellation, usually with a 卫健 certificate and a 民政 cremation record."""
    planted = anomaly is not None
    events = [
        EventDraft(_R.DEATH_CANCELLATION, min(as_of, death + _between(rnd, 1, 30)), 0, anomaly)
    ]
    if rnd() < (_PLANTED_CERTIFICATE_SHARE if planted else _CERTIFICATE_SHARE):
        events.append(EventDraft(_R.DEATH_CERTIFICATE, death, 0, anomaly))
    if rnd() < (_PLANTED_CREMATION_SHARE if planted else _CREMATION_SHARE):
        events.append(EventDraft(_R.CREMATION, min(as_of, death + _between(rnd, 1, 5)), 0, anomaly))
    return tuple(events)


def _imprisonment(rnd: Random01, start_lo: int, start_hi: int, as_of: int) -> EventDraft:
    start = _between(rnd, start_lo, start_hi)
    release = start + _between(rnd, 180, 2500)
    released = rnd() < _RELEASED_SHARE and release <= as_of
    return EventDraft(_R.IMPRISONMENT, start, release if released else 0, None)


def _retiree_events(
    rnd: Random01, fate: Fate, as_of: int
) -> tuple[str | None, tuple[EventDraft, ...]]:
    retired_on = month_ordinal(fate.retired)
    draw = rnd()
    if draw < PAID_AFTER_DEATH_SHARE and retired_on < as_of - 60:
        death = _between(rnd, retired_on, as_of - 60)
        return PAID_AFTER_DEATH, death_events(rnd, death, as_of, PAID_AFTER_DEATH)
    draw -= PAID_AFTER_DEATH_SHARE
    if draw < PAID_WHILE_IMPRISONED_SHARE and retired_on < as_of - 30:
        start = _between(rnd, retired_on, as_of - 30)
        return PAID_WHILE_IMPRISONED, (
            EventDraft(_R.IMPRISONMENT, start, 0, PAID_WHILE_IMPRISONED),
        )
    draw -= PAID_WHILE_IMPRISONED_SHARE
    first_job = month_ordinal(fate.work_start)
    if draw < _RETIREE_PAST_PRISON_SHARE and first_job + 365 < retired_on - 3650:
        start = _between(rnd, first_job + 365, retired_on - 3650)
        return None, (EventDraft(_R.IMPRISONMENT, start, start + _between(rnd, 180, 2500), None),)
    return None, NO_EVENTS


def _insured_events(rnd: Random01, fate: Fate, as_of: int) -> tuple[EventDraft, ...]:
    first_job = month_ordinal(fate.work_start)
    if first_job + 365 >= as_of:
        return NO_EVENTS
    draw = rnd()
    if draw < _INSURED_IMPRISONED_SHARE:
        return (_imprisonment(rnd, first_job + 365, as_of, as_of),)
    if draw < _INSURED_IMPRISONED_SHARE + _HOUSEHOLD_CANCELLED_SHARE:
        day = _between(rnd, first_job + 365, as_of)
        return (EventDraft(_R.HOUSEHOLD_CANCELLATION, day, 0, None),)
    return NO_EVENTS


def plan_events(rnd: Random01, fate: Fate, as_of: int) -> tuple[str | None, tuple[EventDraft, ...]]:
    """Partner records for one person and the anomaly they plant, if any (``as_of``: ordinal)."""
    if fate.status is PersonStatus.DECEASED:
        return None, death_events(rnd, fate.death, as_of)
    if fate.status is PersonStatus.RETIRED:
        return _retiree_events(rnd, fate, as_of)
    return None, _insured_events(rnd, fate, as_of)
