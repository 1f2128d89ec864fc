"""Organization logos: only raster images, checked and re-encoded here, never served as uploaded."""

from __future__ import annotations

import base64
import binascii
import io
import uuid
import warnings

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert

from gateway.db.models import Organization, OrganizationLogo
from gateway.i18n import Text, text
from resolvers import audit
from resolvers.context import Context
from resolvers.results import Outcome

MAX_BYTES = 512 * 1024
ACCEPTED = {"PNG", "JPEG", "WEBP"}
MIN_SIDE, MAX_SIDE = 16, 2048
# A small file can declare an enormous canvas; refuse before decoding it.
Image.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE


def _fail(code: str, message: str | Text) -> Outcome[Organization]:
    return Outcome.fail(code, message, "input", "contentBase64")


def _reencode(raw: bytes) -> tuple[bytes, int, int] | Outcome[Organization]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                kind = probe.format
                width, height = probe.size
                if kind not in ACCEPTED:
                    return _fail("UNSUPPORTED_FORMAT", "The logo must be a PNG, JPEG or WebP image.")
                if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
                    return _fail(
                        "BAD_DIMENSIONS",
                        text(
                            "The logo must be between {low} and {high} pixels on each side.",
                            low=MIN_SIDE,
                            high=MAX_SIDE,
                        ),
                    )
                probe.load()
                image = probe.convert("RGBA")
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError):
        return _fail("UNSUPPORTED_FORMAT", "The logo must be a PNG, JPEG or WebP image.")
    # Re-encoding drops metadata and anything smuggled after the image data.
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), width, height


async def set_logo(ctx: Context, organization_id: uuid.UUID, content_base64: str) -> Outcome[Organization]:
    if len(content_base64) > (MAX_BYTES * 4) // 3 + 8:
        return _fail("TOO_LARGE", "The logo must be at most 512 KiB.")
    try:
        raw = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        return _fail("INVALID_BASE64", "The content is not valid base64.")
    if len(raw) > MAX_BYTES:
        return _fail("TOO_LARGE", "The logo must be at most 512 KiB.")
    encoded = _reencode(raw)
    if isinstance(encoded, Outcome):
        return encoded
    content, width, height = encoded
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        values = {"media_type": "image/png", "content": content, "width": width, "height": height, "updated_at": now}
        await session.execute(
            insert(OrganizationLogo)
            .values(organization_id=organization_id, **values)
            .on_conflict_do_update(index_elements=[OrganizationLogo.organization_id], set_=values)
        )
        organization = (
            await session.execute(
                update(Organization)
                .where(Organization.id == organization_id)
                .values(logo_updated_at=now, updated_at=now)
                .returning(Organization)
            )
        ).scalar_one()
        audit.record(session, ctx, organization_id, "organization.logo.set", ("Organization", organization_id))
    return Outcome(organization)


async def remove_logo(ctx: Context, organization_id: uuid.UUID) -> Outcome[Organization]:
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        await session.execute(delete(OrganizationLogo).where(OrganizationLogo.organization_id == organization_id))
        organization = (
            await session.execute(
                update(Organization)
                .where(Organization.id == organization_id)
                .values(logo_updated_at=None, updated_at=now)
                .returning(Organization)
            )
        ).scalar_one()
        audit.record(session, ctx, organization_id, "organization.logo.remove", ("Organization", organization_id))
    return Outcome(organization)


async def logo_bytes(ctx: Context, organization_id: uuid.UUID) -> tuple[str, bytes] | None:
    async with ctx.reads() as session:
        row = (
            await session.execute(
                select(OrganizationLogo.media_type, OrganizationLogo.content).where(
                    OrganizationLogo.organization_id == organization_id
                )
            )
        ).one_or_none()
    return (row.media_type, row.content) if row else None
