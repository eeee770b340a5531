"""Domain verbs for attachments: check what was sent, record it on a case, find it again.

The order is what keeps disk and database in step: `read_uploads` checks every file in
memory and raises before anything is written; `add_attachments` adds rows and events
(flush only); the view then writes the files and commits inside `written(...)`, which
removes the files again if the commit fails.
"""

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, bindparam, select
from werkzeug.datastructures import FileStorage

from app.attachments import storage
from app.attachments.content import FileKind, RefusedFile, inspect
from app.attachments.models import Attachment
from app.cases.events import add_event
from app.cases.models import Case, CaseStatus
from app.errors import ConflictError, NotFoundError, ValidationError
from app.extensions import db
from app.org.models import User
from app.tasks.models import Task

PHOTOS, FILES = "photos", "files"  # the form fields: camera photos, and photos or documents from the device
NAME_MAX = 100
KNOWN_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".pdf", ".docx", ".xlsx")


@dataclass(frozen=True)
class Limits:
    directory: str
    max_bytes: int
    max_files: int
    max_pixels: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Limits":
        return cls(config["GRIDCASE_ATTACHMENT_DIR"], config["GRIDCASE_ATTACHMENT_MAX_BYTES"],
                   config["GRIDCASE_ATTACHMENT_MAX_FILES"], config["GRIDCASE_ATTACHMENT_MAX_PIXELS"])  # fmt: skip


def limits() -> Limits:
    """The running app's limits (the GRIDCASE_ATTACHMENT_* settings)."""
    return Limits.from_config(current_app.config)


@dataclass(frozen=True)
class Upload:
    """One checked file, still only in memory."""

    filename: str
    content: bytes
    kind: FileKind
    key: str
    width: int | None
    height: int | None
    thumbnail: bytes | None


def read_uploads(files: Mapping[str, Sequence[FileStorage]], limits: Limits) -> list[Upload]:
    """Check every file of the `photos` and `files` fields; one refusal refuses them all (422 naming the field)."""
    uploads: list[Upload] = []
    errors: dict[str, str] = {}
    for field in (PHOTOS, FILES):
        for sent in files.get(field, ()):
            if not sent.filename:  # an input left empty still sends a nameless part
                continue
            if len(uploads) >= limits.max_files:
                errors[field] = ngettext("At most %(num)d file at a time.", "At most %(num)d files at a time.",
                                         limits.max_files)  # fmt: skip
                break
            try:
                uploads.append(_read_one(sent, limits, photo_only=field == PHOTOS))
            except RefusedFile as refused:
                errors.setdefault(field, f"{_clean_name(sent.filename)}: {refused}")
    if errors:
        raise ValidationError(_("Some attachments cannot be accepted; nothing was saved."), errors)
    return uploads


def _read_one(sent: FileStorage, limits: Limits, *, photo_only: bool) -> Upload:
    content = sent.stream.read(limits.max_bytes + 1)
    sent.close()  # large parts are spooled to temporary files: release them now
    if not content:
        raise RefusedFile(_("The file is empty."))
    if len(content) > limits.max_bytes:
        raise RefusedFile(_("The file is larger than %(mb)s MB.", mb=_megabytes(limits.max_bytes)))
    found = inspect(content, max_pixels=limits.max_pixels)
    if photo_only and not found.kind.is_image:
        raise RefusedFile(_("This is not a photo: choose documents with the other button."))
    return Upload(filename=_display_name(sent.filename or "", found.kind), content=content, kind=found.kind,
                  key=storage.new_key(), width=found.width, height=found.height, thumbnail=found.thumbnail)  # fmt: skip


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g}"


def _clean_name(raw: str) -> str:
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable()).strip().strip(".")[:NAME_MAX]


def _display_name(raw: str, kind: FileKind) -> str:
    """The sender's name with the extension of what the file really is."""
    name = _clean_name(raw)
    stem, dot, extension = name.rpartition(".")
    if not dot or f".{extension.lower()}" not in KNOWN_EXTENSIONS:
        stem = name
    return (stem.strip() or _("attachment"))[:NAME_MAX] + kind.extension


def refuse_closed(case: Case) -> None:
    """Files are added to open cases: to a closed one it is a conflict (409) that says so, for anyone who may see
    the case, rather than the refusal (403) of someone without the right."""
    if case.status is not CaseStatus.OPEN:
        raise ConflictError(_("This case is closed: nothing more can be attached to it."))


def add_attachments(
    case: Case, uploads: list[Upload], *, actor: User, now: datetime, task: Task | None = None
) -> list[Attachment]:
    """Record checked uploads on `case` (rows and one 'attachment_added' event each); flushes, never commits."""
    added = []
    for upload in uploads:
        attachment = Attachment(
            case_id=case.id, task_id=task.id if task else None, filename=upload.filename,
            content_type=upload.kind.content_type, is_image=upload.kind.is_image, size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(), storage_key=upload.key, width=upload.width,
            height=upload.height, uploaded_at=now, uploaded_by_id=actor.id, uploaded_by=actor,
        )  # fmt: skip
        db.session.add(attachment)
        db.session.flush()
        payload = {"attachment_id": attachment.id, "filename": attachment.filename,
                   "content_type": attachment.content_type, "size": attachment.size, "sha256": attachment.sha256}  # fmt: skip
        add_event(case, "attachment_added", actor=actor, now=now, task=task, payload=payload)
        added.append(attachment)
    db.session.flush()
    return added


def written(uploads: list[Upload], limits: Limits) -> AbstractContextManager[None]:
    """Around the request's commit: the files are on disk before it, and gone again if it fails."""
    return storage.files_written(limits.directory, ((u.key, u.content, u.thumbnail) for u in uploads))


def attachments_of(case: Case) -> list[Attachment]:
    return list(db.session.scalars(_attachments_statement(), {"case_id": case.id}))


@cache  # built once: read on every case page
def _attachments_statement() -> Select[tuple[Attachment]]:
    return select(Attachment).where(Attachment.case_id == bindparam("case_id")).order_by(Attachment.id)


def attachment_of(case: Case, attachment_id: int) -> Attachment:
    """An attachment of a case the caller may already see; anything else is 'not found'."""
    found = db.session.get(Attachment, attachment_id) if 0 < attachment_id < 2**63 else None
    if found is None or found.case_id != case.id:
        raise NotFoundError(_("No such attachment."))
    return found


def file_path(attachment: Attachment, limits: Limits, *, thumbnail: bool = False) -> Path:
    path = storage.path_of(limits.directory, attachment.storage_key, thumbnail=thumbnail)
    if not path.is_file():
        raise NotFoundError(_("No such attachment."))
    return path


def images_and_documents(attachments: list[Attachment]) -> Iterator[list[Attachment]]:
    yield [a for a in attachments if a.is_image]
    yield [a for a in attachments if not a.is_image]
