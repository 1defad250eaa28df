"""Uploading a package file: streamed to a temporary file (never held in memory), PUT to the presigned URL,
then registered with its name and model card."""

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from aiohttp import BodyPartReader, web

from ui.context import registry, settings, token
from ui.formatting import human_bytes
from ui.pages import ARTIFACT_TYPES, UiError, artifact_path, redirect_with_message, render
from ui.registry import RegistryError
from ui.session import verify_csrf

CHUNK = 1 << 20
FIELD_LIMITS = {"csrf": 256, "type": 16, "name": 255, "card": 1 << 19}


@dataclass
class Spooled:
    """The uploaded file, on disk."""

    file: IO[bytes]
    filename: str
    size: int


def _context(request: web.Request, fields: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    limit = human_bytes(settings(request).upload_max_bytes)
    return {"fields": fields, "errors": errors, "types": ARTIFACT_TYPES, "limit": limit}


async def form_page(request: web.Request) -> web.Response:
    """``GET /upload``."""
    return render(request, "upload.html", _context(request, {"type": "model"}, {}))


async def submit(request: web.Request) -> web.Response:
    """``POST /upload`` (multipart; csrf, type, name and card come before the file)."""
    if not request.content_type.startswith("multipart/"):
        raise UiError(400, "The upload form must be sent as multipart/form-data.")
    fields: dict[str, str] = {}
    spooled: Spooled | None = None
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "file" and spooled is None:
                verify_csrf(request, fields.get("csrf"))  # before storing any byte
                spooled = await _spool(part, settings(request).upload_max_bytes)
            elif part.name in FIELD_LIMITS:
                fields[part.name] = await _read_text(part, FIELD_LIMITS[part.name])
        verify_csrf(request, fields.get("csrf"))
        errors = _validate(fields, spooled)
        if errors or spooled is None:
            return render(request, "upload.html", _context(request, fields, errors), status=400)
        return await _register(request, fields, spooled)
    finally:
        if spooled is not None:
            spooled.file.close()


async def _register(request: web.Request, fields: dict[str, str], spooled: Spooled) -> web.Response:
    api, tok, kind, name = registry(request), token(request), fields["type"], fields["name"]
    try:
        slot = await api.begin_upload(tok, kind, spooled.filename, spooled.size)
        await api.put_upload(slot, spooled.file, spooled.size)
        created = await api.complete_upload(tok, slot, name, spooled.filename, fields.get("card", ""))
    except RegistryError as failure:
        if failure.status == 403:
            raise
        key = "card" if failure.status == 424 else "file"
        prefix = "The quality gate refused this model: " if failure.status == 424 else ""
        errors = {key: prefix + failure.message}
        return render(request, "upload.html", _context(request, fields, errors), status=failure.status)
    ident = str((created.get("metadata") or {}).get("id"))
    message = f"Uploaded {spooled.filename} as the {kind} {name}. It is being stored."
    return redirect_with_message(request, artifact_path(kind, ident), message)


def _validate(fields: dict[str, str], spooled: Spooled | None) -> dict[str, str]:
    errors = {}
    if fields.get("type") not in ARTIFACT_TYPES:
        errors["type"] = "Choose model, dataset or code."
    if not fields.get("name", "").strip():
        errors["name"] = "Enter a name for the artifact."
    if spooled is None or not spooled.filename:
        errors["file"] = "Choose a file to upload."
    elif spooled.size == 0:
        errors["file"] = "The file is empty."
    fields["name"] = fields.get("name", "").strip()
    return errors


async def _read_text(part: BodyPartReader, limit: int) -> str:
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        data += chunk
        if len(data) > limit:
            raise UiError(413, f"The field {part.name} is longer than {limit} bytes.")
    return data.decode("utf-8", "replace")


async def _spool(part: BodyPartReader, limit: int) -> Spooled:
    filename = PurePosixPath((part.filename or "").replace("\\", "/")).name
    file = await asyncio.to_thread(tempfile.TemporaryFile)
    size = 0
    try:
        while chunk := await part.read_chunk(CHUNK):
            size += len(chunk)
            if size > limit:
                raise UiError(413, f"The file is larger than the {human_bytes(limit)} this site accepts.")
            await asyncio.to_thread(file.write, chunk)
        await asyncio.to_thread(file.seek, 0)
    except BaseException:
        file.close()
        raise
    return Spooled(file, filename, size)
