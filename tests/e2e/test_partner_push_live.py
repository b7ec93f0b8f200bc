"""The partner simulators' push client against the real platform server: both sides of the
signed contract (docs/exchange.md) agree, receipts included."""

from datetime import date

import pytest

from retirelink.partners.pusher import death_message_id, death_notice, push_notices
from tests.e2e.live_server import running_server
from tests.support.partner_files import LI, WANG
from tests.support.partner_registry import GONGAN, write_registry

pytestmark = pytest.mark.e2e

DEATH_ITEM = "public_security.death_cancellation"


@pytest.fixture
def platform(settings):
    partners = write_registry(settings)
    env = {
        "RETIRELINK_DATABASE_URL": settings.database_url,
        "RETIRELINK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "RETIRELINK_ENV": "test",
        "RETIRELINK_DATA_DIR": str(settings.data_dir),
        "RETIRELINK_EXCHANGE_WORKER": "false",
    }
    with running_server(env) as base_url:
        yield base_url, partners[GONGAN]


def push(base_url, gongan, id_number, name, died_on):
    return push_notices(
        base_url,
        client_id=gongan.client_id,
        key=gongan.key,
        item=DEATH_ITEM,
        message_id=death_message_id(id_number, died_on),
        records=[death_notice(id_number, name, died_on)],
    )


def test_a_death_pushed_by_the_gongan_simulator_is_applied_with_a_receipt_it_accepts(
    platform, services
):
    base_url, gongan = platform

    first = push(base_url, gongan, WANG, "王建国", date(2026, 10, 1))
    again = push(base_url, gongan, WANG, "王建国", date(2026, 10, 1))
    other = push(base_url, gongan, LI, "李秀英", date(2026, 10, 2))

    assert (first.status, again.status, other.status) == ("applied", "duplicate", "applied")
    assert again.receipt == first.receipt
    with services.uow() as uow:
        assert uow.partner_records.count(DEATH_ITEM) == 2
