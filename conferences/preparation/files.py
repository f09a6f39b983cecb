"""Checks on uploaded reports: PDF or Word only, at most 10 MB, by extension and by the
file's first bytes (a renamed executable is refused even if it is called report.pdf)."""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile

from cpcases.core.errors import ServiceError

MAX_REPORT_BYTES = 10 * 1024 * 1024
ALLOWED = "PDF or Word (.pdf, .doc, .docx)"

_OLE = bytes.fromhex("D0CF11E0A1B11AE1")  # Word 97-2003 (.doc): an OLE compound file
_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _is_docx(upload: UploadedFile) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        upload.seek(0)


def check_report_file(upload: UploadedFile | None) -> str:
    """Return the content type to store, or raise ServiceError with a clear message."""
    if upload is None:
        raise ServiceError("Choose the report file to upload.")
    name = upload.name or ""
    suffix = PurePath(name).suffix.lower()
    if suffix not in _CONTENT_TYPES:
        raise ServiceError(f"The report must be a {ALLOWED} file: {name or 'this file'} is "
                           "not.")
    if upload.size is None or upload.size == 0:
        raise ServiceError("The file is empty.")
    if upload.size > MAX_REPORT_BYTES:
        raise ServiceError(f"The file is {upload.size / 1024 / 1024:.1f} MB: it must be 10 MB "
                           "or smaller.")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    matches = {
        ".pdf": head.startswith(b"%PDF-"),
        ".doc": head.startswith(_OLE),
        ".docx": head.startswith(b"PK\x03\x04") and _is_docx(upload),
    }[suffix]
    if not matches:
        raise ServiceError(f"{name} is not a real {suffix[1:].upper()} file: upload a "
                           f"{ALLOWED} document.")
    return _CONTENT_TYPES[suffix]
