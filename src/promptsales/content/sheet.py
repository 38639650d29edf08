"""The contact sheet of the media library (issue 24): one PNG of thumbnails with their titles, so anyone
can see at a glance what the library's pictures show (`promptsales content sheet`)."""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from promptsales.content.media_store import MediaStore

COLUMNS = 8
CELL = (200, 150)  # picture area of one cell
CAPTION = 34  # two lines of title under the picture


def sample_images(db, count: int) -> list[dict]:
    """``count`` rendered images spread evenly over the library (by id), with their titles and files."""
    docs = list(
        db.media_assets.find({"media_type": "image", "uri": {"$ne": None}}, {"title": 1, "uri": 1}).sort("_id", 1)
    )
    step = max(1, len(docs) // count)
    return docs[::step][:count]


def contact_sheet(store: MediaStore, docs: list[dict]) -> Image.Image:
    """A grid of the documents' pictures (scaled to fit a cell, aspect kept) with their titles."""
    rows = -(-len(docs) // COLUMNS)
    width, height = CELL[0], CELL[1] + CAPTION
    sheet = Image.new("RGB", (COLUMNS * width, rows * height), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=11)
    for k, doc in enumerate(docs):
        x, y = (k % COLUMNS) * width, (k // COLUMNS) * height
        picture = Image.open(io.BytesIO(store.read(doc["uri"]))).convert("RGB")
        picture.thumbnail((CELL[0] - 8, CELL[1] - 8))
        sheet.paste(picture, (x + (CELL[0] - picture.width) // 2, y + (CELL[1] - picture.height) // 2))
        for line_no, line in enumerate(textwrap.wrap(doc["title"].replace("—", "·"), 34)[:2]):
            draw.text((x + 4, y + CELL[1] + line_no * 14), line, fill=(30, 30, 30), font=font)
    return sheet
