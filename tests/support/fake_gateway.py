"""A partner gateway held in memory: answers like a partner would, or is down."""

from retirelink.errors import UnavailableError
from retirelink.exchange.model import BreakerState, PartnerHealth
from retirelink.exchange.ports import Delivery
from retirelink.exchange.receipts import Direction, issue_receipt
from retirelink.security.crypto import digest_hex


class FakeGateway:
    """Answers like a partner would: a receipt over the body's SM3, or an outage."""

    def __init__(self, clock, *, down=False, sign_with=None):
        self.clock = clock
        self.down = down
        self.sign_with = sign_with
        self.sent = []

    def send(self, link, *, operation, item, purpose, body, idempotent):
        if self.down:
            raise UnavailableError(f"{link.kind.label}系统无法连接")
        raw = repr(sorted(body.items())).encode()
        self.sent.append((link.department, operation, body))
        receipt = issue_receipt(
            receipt_id=f"R-{len(self.sent)}",
            direction=Direction.INBOUND,
            partner="SHEBAO-130406",
            item=item,
            payload_digest=digest_hex(raw),
            record_count=1,
            accepted=1,
            rejected=0,
            received_at=self.clock.now(),
            key=self.sign_with or link.key,
        )
        return Delivery({"receipt": receipt.to_dict()}, digest_hex(raw), 12)

    def health(self):
        return [
            PartnerHealth(
                "health",
                BreakerState.OPEN if self.down else BreakerState.CLOSED,
                0,
                not self.down,
                None,
                None,
                "",
                12,
                self.clock.now(),
            )
        ]
