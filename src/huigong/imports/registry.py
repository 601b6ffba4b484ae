"""The imports the installed apps offer. An app registers an ``ImportKind`` in its
``AppConfig.ready``; the engine, the upload page and the job pages find it by ``key``."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from huigong.common.excel import ImportSpec


@dataclass(frozen=True)
class ImportKind:
    #: Stable name stored on the job, e.g. ``people.person``.
    key: str
    spec_class: type[ImportSpec]
    #: Needed to upload a file of this kind (checked again per row by the spec).
    permission: str
    title: str | Promise = ""
    #: Where "done" leads: the registry's list page (a URL name).
    list_url_name: str = ""
    #: The spec remembers earlier rows of the file (e.g. parents defined in the file), so
    #: an interrupted check starts again from the first row instead of its checkpoint.
    check_restarts: bool = False


_KINDS: dict[str, ImportKind] = {}


def register_import(kind: ImportKind) -> None:
    _KINDS[kind.key] = kind


def get_kind(key: str) -> ImportKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"no import kind {key!r}") from None


def kinds() -> list[ImportKind]:
    return [_KINDS[key] for key in sorted(_KINDS)]
