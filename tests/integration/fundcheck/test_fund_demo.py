"""The fund guard over the demo district, end to end: the district is loaded (roll, payments,
signs of life), the departments' feeds are imported through the exchange as files, one batch
runs; what the generator planted is found, and nothing is raised on anyone else."""

from collections import defaultdict

import pytest

from retirelink.demo.fund_roll import CERTIFICATION_MISSING, build_roll, planted_ids
from retirelink.demo.generator import generate_district
from retirelink.demo.loader import load_demo
from retirelink.demo.model import DUPLICATE_RECEIPT, PAID_AFTER_DEATH, PAID_WHILE_IMPRISONED
from retirelink.exchange.services import import_partner_path
from retirelink.fundcheck.findings import FindingFilter
from retirelink.fundcheck.model import Band, CheckCode
from retirelink.fundcheck.services import list_findings
from retirelink.fundcheck.settlement import survivor_offset
from retirelink.security.model import SYSTEM_ACTOR

pytestmark = pytest.mark.integration

SEED, PERSONS = 130406, 2500
FEEDS = {
    "public_security/death_cancellation.csv": "public_security.death_cancellation",
    "health/death_certificate.csv": "health.death_medical_certificate",
    "civil_affairs/cremation.csv": "civil_affairs.cremation",
    "justice/imprisonment.csv": "justice.prisoners_in_custody",
}


@pytest.fixture
def district_checked(seeded):
    load_demo(seeded, seed=SEED, persons=PERSONS)
    feeds = seeded.settings.data_dir / "demo" / "feeds"
    for name, item in FEEDS.items():
        with seeded.uow() as uow:
            import_partner_path(
                uow,
                actor=SYSTEM_ACTOR,
                path=feeds / name,
                item_code=item,
                catalogue=seeded.catalogue,
                receipt_key=seeded.receipt_key,
            )
    run = seeded.run_fund_batch()
    with seeded.uow() as uow:
        found, _ = list_findings(uow, actor=SYSTEM_ACTOR, where=FindingFilter(), limit=10_000)
    district = generate_district(seed=SEED, persons=PERSONS, as_of=seeded.clock.today())
    return run, found, district, build_roll(district)


def test_every_planted_anomaly_of_the_demo_is_found_and_nothing_else(district_checked):
    run, found, district, roll = district_checked
    raised: dict[int, set[CheckCode]] = defaultdict(set)
    for finding in found:
        if finding.band is not Band.DISMISSED:
            raised[finding.pension_id].add(finding.check)
    expected = {
        CheckCode.DEATH: set(planted_ids(roll, district, PAID_AFTER_DEATH)),
        CheckCode.CUSTODY: set(planted_ids(roll, district, PAID_WHILE_IMPRISONED)),
        CheckCode.DUPLICATE: set(roll.planted[DUPLICATE_RECEIPT]),
        CheckCode.CERTIFICATION: set(roll.planted[CERTIFICATION_MISSING]),
    }
    assert all(expected.values()), "the demo plants each anomaly"

    for check, pension_ids in expected.items():
        hit = {pid for pid, checks in raised.items() if check in checks}
        assert hit == pension_ids, check
    others = {pid for pid, checks in raised.items() if checks - set(expected)}
    assert others == set()
    assert run.persons == len(roll.entries)


def test_a_death_finding_offers_the_survivor_benefits_to_offset(district_checked, seeded):
    """人社部发〔2021〕18号: 丧葬补助金 = 2 × the province's prior-year monthly disposable income,
    抚恤金 = income × months; the overpayment is deducted from them first ([X05])."""
    _, found, _, _ = district_checked
    # 18号 is in force from 2021-09-01: a death since then (stop month from 2021-10).
    deaths = [f for f in found if f.check is CheckCode.DEATH and f.amount > 0]
    death = next(f for f in deaths if (f.from_month or "") >= "2021-10")
    before = next(f for f in deaths if (f.from_month or "9") < "2021-09")

    with seeded.uow() as uow:
        offer = survivor_offset(uow, seeded.guard, death)
        earlier = survivor_offset(uow, seeded.guard, before)

    assert earlier is not None and earlier.settlement is None
    assert "2021-09-01" in earlier.reason  # said plainly, not a crash

    assert offer is not None and offer.settlement is not None, offer
    settlement = offer.settlement
    assert settlement.overpayment.overpaid == death.amount
    benefits = settlement.benefits
    assert benefits.funeral_grant == benefits.monthly_income * 2
    assert settlement.offset == min(death.amount, benefits.total)
    assert settlement.still_to_recover == death.amount - settlement.offset
