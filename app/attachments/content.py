"""What a file really is, from its bytes: the name and the browser's content type are never trusted.

Images are decoded with Pillow (which also refuses decompression bombs) and get an
upright, metadata-free JPEG thumbnail; PDF and Office files are recognised by their
signatures and, for Office, by the parts a Word or Excel file must contain.
"""

import io
import warnings
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIZE = (320, 320)


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str  # with its dot: what the stored name gets
    is_image: bool


JPEG = FileKind("image/jpeg", ".jpg", is_image=True)
PNG = FileKind("image/png", ".png", is_image=True)
WEBP = FileKind("image/webp", ".webp", is_image=True)
PDF = FileKind("application/pdf", ".pdf", is_image=False)
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", is_image=False)
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", is_image=False)
PILLOW_FORMATS = {"JPEG": JPEG, "PNG": PNG, "WEBP": WEBP}


class RefusedFile(Exception):
    """The file is not one we accept; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Inspected:
    kind: FileKind
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def inspect(content: bytes, *, max_pixels: int) -> Inspected:
    """Recognise `content` or raise RefusedFile."""
    if content.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
        content[:4] == b"RIFF" and content[8:12] == b"WEBP"
    ):
        return _inspect_image(content, max_pixels=max_pixels)
    if content.startswith(b"%PDF-"):
        return Inspected(PDF)
    if content.startswith(b"PK\x03\x04") and (kind := _office_kind(content)) is not None:
        return Inspected(kind)
    raise RefusedFile(_("This kind of file cannot be attached: only JPEG, PNG or WebP photos and PDF, Word (.docx) "
                        "or Excel (.xlsx) documents."))  # fmt: skip


def _office_kind(content: bytes) -> FileKind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())  # the directory only: nothing is extracted
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    return XLSX if "xl/workbook.xml" in names else None


def _inspect_image(content: bytes, *, max_pixels: int) -> Inspected:
    unreadable = _("This photo could not be read; it may be damaged or not really an image.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it: refuse there too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=list(PILLOW_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise RefusedFile(_("This photo has too many pixels.")) from err
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise RefusedFile(unreadable) from err
    kind = PILLOW_FORMATS[str(image.format)]
    if image.width * image.height > max_pixels:
        raise RefusedFile(_("This photo has too many pixels."))
    try:
        image.load()  # decode it all: a truncated or corrupt file fails here, not when someone opens it
        upright = ImageOps.exif_transpose(image)
        width, height = upright.size
        upright.thumbnail(THUMBNAIL_SIZE)
        thumb = _on_white(upright)
        out = io.BytesIO()
        thumb.save(out, "JPEG", quality=80)  # no exif= argument: the thumbnail carries no metadata
    except (OSError, ValueError, SyntaxError) as err:
        raise RefusedFile(unreadable) from err
    return Inspected(kind, width=width, height=height, thumbnail=out.getvalue())


def _on_white(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: see-through parts become white, not black."""
    if image.mode == "RGB":
        return image
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
