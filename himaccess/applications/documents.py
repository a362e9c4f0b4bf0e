"""Documents citizens upload: checked by content, capped in size, scanned, stored under server-made names.

1. The type is read from the file's first bytes (PDF, JPEG, PNG), never from
   its name or the browser's Content-Type: a file that lies is refused.
2. Files above ``settings.SERVICES_UPLOAD_MAX_BYTES`` are refused.
3. ``settings.SERVICES_VIRUS_SCAN_COMMAND`` names a scanner run on every
   file before it is kept (for example ``clamdscan --no-summary --fdpass``;
   the file's path is appended, exit status 0 means clean, 1 infected,
   anything else is a scanner failure and the upload is refused). The default,
   ``none``, does NOT scan: documents are marked "not scanned" so nobody
   mistakes them for scanned ones.
4. The file is written under ``MEDIA_ROOT/service-documents/YYYY/MM/<random>.<ext>``;
   its original name is kept only as data. It is served only through the
   access-checked download view, as an attachment.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import User
from himaccess.applications.models import Document
from himaccess.registry.models import Member

SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
EXTENSIONS = {content_type: ext for _, content_type, ext in SIGNATURES}
SCAN_TIMEOUT_SECONDS = 60
FOLDER = "service-documents"


class Refused(ValueError):
    """An upload that cannot be kept; ``code`` tells the view which status to answer with."""

    def __init__(self, message: object, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


def max_bytes() -> int:
    return int(getattr(settings, "SERVICES_UPLOAD_MAX_BYTES", 2 * 1024 * 1024))


def sniff(head: bytes) -> str | None:
    """The content type the bytes really are, or None if not an allowed type."""
    for magic, content_type, _ext in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def check(upload: UploadedFile) -> str:
    """The upload's real content type; raises ``Refused`` for a wrong type or size."""
    size = upload.size or 0
    if size > max_bytes():
        raise Refused(
            _("The file is too large: the limit is %(limit)s MB.")
            % {"limit": round(max_bytes() / 1048576, 1)},
            "too_large",
        )
    if size == 0:
        raise Refused(_("The file is empty."), "bad_type")
    upload.seek(0)
    content_type = sniff(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise Refused(
            _("Only PDF, JPEG and PNG files are accepted, and this file is none of them."), "bad_type"
        )
    return content_type


def _scan(path: Path) -> str:
    command = getattr(settings, "SERVICES_VIRUS_SCAN_COMMAND", "none").strip()
    if command.lower() in ("", "none"):
        return Document.Scan.NOT_SCANNED
    try:
        result = subprocess.run(  # noqa: S603 - the command comes from settings, never from a user
            [*shlex.split(command), str(path)], capture_output=True, timeout=SCAN_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Refused(_("The virus scanner is not available; please try again later."), "scanner") from exc
    if result.returncode == 0:
        return Document.Scan.CLEAN
    if result.returncode == 1:
        raise Refused(_("The file was refused by the virus scanner."), "infected")
    raise Refused(_("The virus scanner is not available; please try again later."), "scanner")


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def store(upload: UploadedFile, *, member: Member, kind: str, uploaded_by: User) -> Document:
    """Check, scan and keep an upload as the member's document of ``kind``."""
    content_type = check(upload)
    now = timezone.now()
    relative = f"{now:%Y/%m}/{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"
    target = root() / relative
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    digest = hashlib.sha256()
    # Written to a temporary name first: a refused or half-written file never appears under its final name.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks():
                digest.update(chunk)
                out.write(chunk)
        scan = _scan(Path(temporary))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Document.objects.create(
        member=member,
        kind=kind,
        original_name=Path(upload.name or "document").name[:200],
        stored_name=relative,
        content_type=content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        scan=scan,
        uploaded_by=uploaded_by,
    )


@contextmanager
def removed_on_failure() -> Iterator[Callable[..., Document]]:
    """``store`` for a block that may still fail: the files it wrote go if the block raises.

    The block's rows roll back with its transaction; without this their files
    would stay on disk with no row pointing at them.
    """
    written: list[str] = []

    def keep(upload: UploadedFile, **kwargs: Any) -> Document:
        document = store(upload, **kwargs)
        written.append(document.stored_name)
        return document

    try:
        yield keep
    except BaseException:
        remove_files(written)
        raise


def remove_files(stored_names: list[str]) -> int:
    """Delete stored files by their server-made names (already gone: skipped); returns how many went."""
    removed = 0
    for name in stored_names:
        path = (root() / name).resolve()
        if root().resolve() in path.parents and path.is_file():
            path.unlink()
            removed += 1
    return removed


def path_of(document: Document) -> Path:
    path = (root() / document.stored_name).resolve()
    if root().resolve() not in path.parents:
        raise FileNotFoundError(document.stored_name)
    return path
