"""A moderator's redaction: confirming the automatic one, or painting more of the photo black.

When recognition reads a full card number, promo.decisions._redact paints it over, deletes the original and asks a
person to check (`needs_redaction`). The person either confirms (no boxes) or draws boxes over what is still
legible; either way the original goes, the flag clears, and a Redaction row records who did what.

Storage follows _redact: the painted copy is written under a new name before the row names it; the files it
replaces are deleted only once the row's change has committed (a rollback leaves the row naming files that still
exist), and the new file is deleted again if the transaction fails inside this service.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from moderation.models import Redaction
from moderation.services import _check_claim
from promo.intake import WORKING_QUALITY
from promo.models import Submission
from promo.photos import sniff_format
from promo.selectors import campaigns_moderated_by

Box = tuple[float, float, float, float]

MAX_BOXES = 20
# A box narrower or shorter than this on the working copy is a slip of the mouse, not an area to hide.
MIN_BOX_PIXELS = 4
# Formats a working copy may be in (intake and _redact write JPEG; moderation.views serves these three).
_WORKING_FORMATS = ("JPEG", "PNG", "WEBP")
Status = Submission.Status


def redaction_apply(*, submission: Submission, moderator: Any, boxes: Sequence[Sequence[float]]) -> Redaction:
    """Paints `boxes` (fractions `(x0, y0, x1, y1)` of the working copy's width and height) solid black on the
    working copy, deletes the original, clears `needs_redaction` and records a Redaction. No boxes confirms the
    automatic redaction: the working copy is kept as it is.

    Raises ValidationError for bad boxes, a submission without a photo or one still being read; ClaimHeld when
    another moderator holds the submission; PermissionDenied for a moderator who may not (may_redact). Nothing
    changes when it raises.

    The photo's hashes (photo_sha256, photo_phash and its bands) are left as they are, on purpose: the duplicate
    search (promo.duplicates) compares uploads as they were sent. find_same_file looks for the same file by the
    SHA-256 of the uploaded bytes, and find_same_photo by the perceptual hash of the unpainted photo; rehashing the
    painted copy would hide this slip from the same unredacted photo uploaded again (by anyone), which is what
    those checks exist to catch. The automatic redaction keeps them for the same reason.
    """
    if not may_redact(moderator, submission):
        raise PermissionDenied("redacting needs moderation.add_redaction and the campaign among one's own")
    cleaned = clean_boxes(boxes)
    storage = submission.photo.storage
    written = ""
    try:
        with transaction.atomic():
            # Locked: two redactions of one photo run one after the other, each painting on the other's result.
            locked = Submission.objects.select_for_update().get(pk=submission.pk)
            _check_claim(locked, moderator)
            if not locked.photo.name:
                raise ValidationError(
                    _("This submission has no photo to redact (it was erased)."), code="no_photo"
                )
            if locked.status in (Status.RECEIVED, Status.PROCESSING):
                # A worker reading it keeps the photo's name from before and would write its own redaction over
                # this one (promo.decisions._redact); the reading is over in a minute.
                raise ValidationError(
                    _("The photo is still being read; redact it once it has been decided."), code="being_read"
                )
            obsolete: list[str] = []
            if cleaned:
                painted = _painted(storage, locked.photo.name, cleaned)
                old_working = locked.photo.name
                # Named as _redact names it; the storage never reuses an existing name (a suffix is added), so
                # the new bytes get a new name and nothing cached under the old one can serve them.
                locked.photo.save(f"{locked.pk}.jpg", ContentFile(painted), save=False)
                if locked.photo.name == old_working:
                    raise RuntimeError(
                        f"the storage overwrote {old_working!r} instead of choosing a new name"
                    )
                written = locked.photo.name
                obsolete.append(old_working)
            original_deleted = bool(locked.original.name)
            if original_deleted:
                obsolete.append(locked.original.name)
            Submission.objects.filter(pk=locked.pk).update(
                photo=locked.photo.name, original="", needs_redaction=False
            )
            redaction = Redaction.objects.create(
                submission=locked,
                moderator=moderator,
                boxes=[list(box) for box in cleaned],
                original_deleted=original_deleted,
            )
            transaction.on_commit(lambda: _delete(storage, obsolete), robust=True)
    except BaseException:
        if written:  # rolled back: the row still names the old file
            storage.delete(written)
        raise
    submission.photo.name, submission.original.name, submission.needs_redaction = locked.photo.name, "", False
    return redaction


def may_redact(user: Any, submission: Submission) -> bool:
    """Staff holding moderation.add_redaction (superusers hold every permission) who moderate the campaign."""
    return user.has_perm("moderation.add_redaction") and (
        campaigns_moderated_by(user).filter(pk=submission.campaign_id).exists()
    )


def clean_boxes(boxes: Any) -> list[Box]:
    """The boxes as tuples of floats, or ValidationError: a list of at most MAX_BOXES lists of four finite numbers
    with 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1."""
    if not isinstance(boxes, list | tuple):
        raise ValidationError(_("The boxes must be a list."), code="not_a_list")
    if len(boxes) > MAX_BOXES:
        raise ValidationError(
            _("At most %(count)d boxes at a time.") % {"count": MAX_BOXES}, code="too_many_boxes"
        )
    cleaned = []
    for box in boxes:
        if (
            not isinstance(box, list | tuple)
            or len(box) != 4
            or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in box
            )
        ):
            raise ValidationError(_("Each box is four numbers: x0, y0, x1, y1."), code="bad_box")
        x0, y0, x1, y1 = (float(v) for v in box)
        if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
            raise ValidationError(
                _("A box lies within the photo: 0 ≤ x0 < x1 ≤ 1 and 0 ≤ y0 < y1 ≤ 1."), code="box_outside"
            )
        cleaned.append((x0, y0, x1, y1))
    return cleaned


def _pixels(box: Box, width: int, height: int) -> tuple[int, int, int, int]:
    """The pixels a box covers, rounded outwards: a pixel the box touches is painted."""
    x0, y0, x1, y1 = box
    return (
        math.floor(x0 * width),
        math.floor(y0 * height),
        min(width, math.ceil(x1 * width)),
        min(height, math.ceil(y1 * height)),
    )


def _painted(storage: Storage, name: str, boxes: list[Box]) -> bytes:
    """The stored working copy with the boxes painted black, as JPEG like intake writes it."""
    try:
        with storage.open(name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise ValidationError(_("The photo's file is missing."), code="missing_file") from None
    image_format = sniff_format(data[:64])
    if image_format not in _WORKING_FORMATS:
        raise ValidationError(_("The stored photo is not an image that intake made."), code="not_an_image")
    try:
        # As intake decodes (promo.intake): Pillow's bomb limit is the setting, and its warning an error.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[image_format]) as opened:
                if opened.width * opened.height > settings.SLIPCHECK_MAX_IMAGE_PIXELS:
                    raise ValidationError(_("The stored photo is too large."), code="too_many_pixels")
                opened.load()
                # Upright as a browser shows it, so the boxes drawn on the page land where they were drawn
                # (intake's copy carries no orientation; this only matters for one that somehow does).
                image = ImageOps.exif_transpose(opened).convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, UnidentifiedImageError, OSError):
        raise ValidationError(_("The stored photo cannot be decoded."), code="broken") from None
    width, height = image.size
    for box in boxes:
        x0, y0, x1, y1 = _pixels(box, width, height)
        if x1 - x0 < MIN_BOX_PIXELS or y1 - y0 < MIN_BOX_PIXELS:
            raise ValidationError(
                _("A box is smaller than %(pixels)d pixels on the photo: draw it larger.")
                % {"pixels": MIN_BOX_PIXELS},
                code="box_too_small",
            )
        image.paste((0, 0, 0), (x0, y0, x1, y1))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=WORKING_QUALITY)  # no metadata: none is passed to save
    return buffer.getvalue()


def _delete(storage: Storage, names: list[str]) -> None:
    for name in names:
        if name and storage.exists(name):
            storage.delete(name)
