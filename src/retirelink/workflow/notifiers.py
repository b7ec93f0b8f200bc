"""Notifiers: where pre-review notices go. The default writes each message as a JSON line
to a file per day (the operator's SMS gateway or mail relay picks them up, or a clerk reads
them); an SMS or e-mail adapter implements the same ``Notifier`` port."""

import json
from pathlib import Path

from retirelink.clock import Clock
from retirelink.workflow.ports import Notification, NotifierError


class FileNotifier:
    def __init__(self, directory: Path, *, clock: Clock) -> None:
        self._directory = directory
        self._clock = clock

    def send(self, notification: Notification) -> None:
        now = self._clock.now()
        line = json.dumps(
            {
                "id": notification.id,
                "sent_at": now.isoformat(),
                "recipient_kind": notification.recipient_kind,
                "recipient": notification.recipient,
                "subject": notification.subject,
                "body": notification.body,
            },
            ensure_ascii=False,
        )
        path = self._directory / f"notifications-{now.date().isoformat()}.jsonl"
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as error:
            raise NotifierError(f"无法写入通知文件 {path}：{error.strerror}") from error
