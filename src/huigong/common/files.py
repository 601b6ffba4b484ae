"""Private files: the storage for uploads that no URL reaches, and the one response that
serves such a file after a view has checked who is asking.

Uploaded files (case attachments, import previews) carry personal data. They live under
``PRIVATE_MEDIA_ROOT``, outside the static and media URL space, under names nobody can
guess. A view loads the row through the data scope (or the worker's own objects) and
returns ``private_file_response``. With ``HUIGONG_SENDFILE_HEADER`` the web server sends
the bytes instead of Django (nginx ``X-Accel-Redirect`` to an ``internal`` location,
Apache mod_xsendfile); the check stays in the view either way.
"""

from __future__ import annotations

import datetime
import os
import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header

X_ACCEL_REDIRECT = "X-Accel-Redirect"
X_SENDFILE = "X-Sendfile"
SENDFILE_HEADERS = (X_ACCEL_REDIRECT, X_SENDFILE)
#: The nginx ``internal`` location when HUIGONG_SENDFILE_PREFIX is not set.
DEFAULT_ACCEL_PREFIX = "/_protected/"

#: Raster images a browser may show inline: none of them can run script.
INLINE_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
}
#: Served as downloads under their own type.
DOWNLOAD_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
}
OCTET_STREAM = "application/octet-stream"


@deconstructible(path="huigong.common.files.PrivateFileStorage")
class PrivateFileStorage(FileSystemStorage):
    """File-system storage under ``PRIVATE_MEDIA_ROOT`` (read when first used, so tests
    may point it elsewhere). Its files have no URL, and they are readable by the owner
    and group only (the web server's group, for X-Accel-Redirect/X-Sendfile)."""

    def __init__(self, location=None, file_permissions_mode=0o640, **kwargs):
        kwargs.pop("base_url", None)
        kwargs.setdefault("directory_permissions_mode", 0o750)
        super().__init__(
            location=location, base_url=None, file_permissions_mode=file_permissions_mode, **kwargs
        )

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError(
            "Private files have no URL: serve them from a view with private_file_response()."
        )


def modified_before(storage, name: str, cutoff: datetime.datetime) -> bool:
    """Was the stored file ``name`` last written before ``cutoff``? False when it is gone
    or unreadable: the sweeps that ask only ever delete what they are sure is old."""
    try:
        modified = storage.get_modified_time(name)
    except OSError:
        return False
    if timezone.is_naive(modified):
        modified = timezone.make_aware(modified)
    return modified <= cutoff


def private_storage() -> PrivateFileStorage:
    """The ``private`` storage of ``STORAGES`` (a callable, so model fields and migrations
    name it rather than a settings-dependent instance)."""
    return storages["private"]


def served_type(content_type: str, filename: str) -> tuple[str, bool]:
    """The Content-Type to send and whether the browser may show the file inline. A type
    outside the lists above (HTML, SVG, XML, script, text), or one the file name's
    extension disagrees with (``x.html`` stored as ``image/png``), goes out as
    ``application/octet-stream``, as a download."""
    kind = (content_type or "").split(";")[0].strip().lower()
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in INLINE_TYPES.get(kind, ()):
        return kind, True
    if extension in DOWNLOAD_TYPES.get(kind, ()):
        return kind, False
    return OCTET_STREAM, False


def download_name(filename: str) -> str:
    """The name offered to the browser: no directories, control or format characters."""
    cleaned = "".join(
        ch
        for ch in unicodedata.normalize("NFC", filename or "")
        if unicodedata.category(ch)[0] != "C"
    )
    cleaned = cleaned.replace("/", "_").replace("\\", "_").strip(" .")
    return cleaned[-200:] or "download"


def private_file_response(file, *, filename: str, content_type: str) -> HttpResponse:
    """The response for a private file (a ``FieldFile``) that the caller has already
    authorised: streamed by Django, or handed to the web server by ``SENDFILE_HEADER``.
    Non-images are always downloads; a missing file is a 404."""
    storage, name = file.storage, file.name
    try:
        if not name or not storage.exists(name):
            raise Http404
    except (SuspiciousFileOperation, ValueError):
        raise Http404
    filename = download_name(filename)
    kind, inline = served_type(content_type, filename)
    header = settings.SENDFILE_HEADER
    if header in SENDFILE_HEADERS:
        response = HttpResponse(b"", content_type=kind)
        response[header] = _sendfile_target(header, storage, name)
        response["Content-Disposition"] = content_disposition_header(not inline, filename)
    else:
        try:
            handle = storage.open(name, "rb")
        except OSError:
            raise Http404
        response = FileResponse(
            handle, as_attachment=not inline, filename=filename, content_type=kind
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Even opened as a page of its own, the file may not run script or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


def _sendfile_target(header: str, storage, name: str) -> str:
    prefix = settings.SENDFILE_PREFIX
    if header == X_ACCEL_REDIRECT:
        # A URI of the internal location: percent-encoded, resolved by nginx's alias.
        prefix = prefix or DEFAULT_ACCEL_PREFIX
        return prefix.rstrip("/") + "/" + quote(name)
    # mod_xsendfile takes a file-system path (under a directory allowed by XSendFilePath)
    # and url-decodes it.
    path = os.path.join(prefix, name) if prefix else storage.path(name)
    return quote(path)
