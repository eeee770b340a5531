"""Notification channels beyond the in-app bell.

A deployment adds one by naming a class in GRIDCASE_NOTIFICATION_SENDERS
("myorg.sms:SmsSender"); the worker calls `send` once per notification, in the
transaction that marks it delivered, so a sender that raises leaves it pending
for the next sweep.
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


def configured_senders() -> list[NotificationSender]:
    senders: list[NotificationSender] = []
    for spec in filter(None, (s.strip() for s in current_app.config["GRIDCASE_NOTIFICATION_SENDERS"].split(","))):
        module, _sep, name = spec.partition(":")
        senders.append(getattr(import_module(module), name)())
    return senders
