"""Notification channels beyond the in-app bell.

A deployment adds one by naming a class in GRIDCASE_NOTIFICATION_SENDERS
("myorg.sms:SmsSender"); the worker calls `send` once per notification, in the
transaction that marks it delivered, so a sender that raises leaves it pending
for the next sweep (`send_all`); the other notifications still go out.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from flask import current_app

if TYPE_CHECKING:
    from app.notifications.models import Notification


class NotificationSender(Protocol):
    def send(self, notification: "Notification", text: str) -> None: ...


class LogSender:
    """Writes each notification to the application log (useful to see delivery work)."""

    def send(self, notification: "Notification", text: str) -> None:
        current_app.logger.info("notify user %s: %s", notification.user_id, text)


def send_all(senders: list[NotificationSender], notification: "Notification", text: str) -> bool:
    """Hand `notification` to each sender in turn; False when one raised (logged with its traceback), and the caller
    leaves it pending. A channel that is down (an SMS gateway timing out) must not stop the worker and every
    notification after this one. The senders before the one that raised get it again on the next try: delivery is
    at least once."""
    try:
        for sender in senders:
            sender.send(notification, text)
    except Exception:
        current_app.logger.exception("notification %s: a sender failed; left pending", notification.id)
        return False
    return True


def configured_senders() -> list[NotificationSender]:
    senders: list[NotificationSender] = []
    for spec in filter(None, (s.strip() for s in current_app.config["GRIDCASE_NOTIFICATION_SENDERS"].split(","))):
        module, _sep, name = spec.partition(":")
        senders.append(getattr(import_module(module), name)())
    return senders
