"""A death pushed by 公安 to the real platform server becomes the fund guard's suspension
without waiting for the worker's interval: the push wakes the fund worker (docs/fundcheck.md,
"Continuous and batch"). The interval here is ten minutes, so only the wake can do it."""

import time
from datetime import date
from decimal import Decimal

import pytest

from retirelink.fundcheck.findings import FindingFilter, FindingStatus, StoredFinding
from retirelink.fundcheck.model import CheckCode, PayStatus, RollEntry, Scheme
from retirelink.rules.calendar import YearMonth
from retirelink.rules.payments import PaidPeriod
from tests.e2e.live_server import running_server
from tests.e2e.test_partner_push_live import push
from tests.support.partner_files import WANG
from tests.support.partner_registry import GONGAN, write_registry

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 60  # far below the 600 s interval: a finding in time shows the wake worked


def _roll(services) -> None:
    entry = RollEntry(
        pension_id=1,
        id_number=WANG,
        name="王建国",
        birth_date=date(1950, 1, 1),
        sex="1",
        scheme=Scheme.EMPLOYEE,
        region="130406",
        first_month=date(2010, 2, 1),
        monthly_amount=Decimal("3000.00"),
        status=PayStatus.PAYING,
        paid_through=date(2026, 10, 1),
        bank_account="6217000000000000001",
        payee_name="王建国",
        last_certified_on=date(2026, 6, 1),
    )
    period = PaidPeriod(YearMonth(2010, 2), YearMonth(2026, 10), Decimal("3000.00"))
    with services.uow() as uow:
        uow.fund.add_roll([entry], [(1, period)], [], {})
        uow.commit()


def test_a_pushed_death_suspends_the_pension_without_waiting_for_the_interval(settings, services):
    _roll(services)
    partners = write_registry(settings)
    env = {
        "RETIRELINK_DATABASE_URL": settings.database_url,
        "RETIRELINK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "RETIRELINK_ENV": "test",
        "RETIRELINK_DATA_DIR": str(settings.data_dir),
        "RETIRELINK_EXCHANGE_WORKER": "false",
        "RETIRELINK_FUND_WORKER": "true",
        "RETIRELINK_FUND_INTERVAL_SECONDS": "600",
    }
    with running_server(env) as base_url:
        time.sleep(1)  # the worker's first round (nothing received yet) has run
        assert push(base_url, partners[GONGAN], WANG, "王建国", date(2026, 9, 3)).status == (
            "applied"
        )
        found: list[StoredFinding] = []
        deadline = time.monotonic() + WAIT_SECONDS
        while not found and time.monotonic() < deadline:
            with services.uow() as uow:
                found = uow.fund.findings(FindingFilter(check=CheckCode.DEATH), limit=5)
            time.sleep(0.2)

    assert [f.pension_id for f in found] == [1]
    assert found[0].status is FindingStatus.SUSPENDED
    assert found[0].amount == Decimal("3000.00")  # October, paid after the death (次月停发)
