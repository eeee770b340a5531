"""Small files made on the spot: real photos, a PDF, Office documents, and things that only pretend."""

import io
import zipfile

from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML = b"<html><script>alert(document.cookie)</script></html>"


def jpeg(width: int = 40, height: int = 20, *, orientation: int | None = None, colour: str = "red") -> bytes:
    """A JPEG; with `orientation` it carries EXIF saying how to turn it (6: rotate 90° clockwise)."""
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
        exif[0x010F] = "TestCam"  # Make: metadata that must not reach the thumbnail
    Image.new("RGB", (width, height), colour).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(width: int = 30, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


def office(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(out, "WEBP")
    return out.getvalue()
