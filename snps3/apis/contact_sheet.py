# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""A contact sheet of search results: one row of frames per hit.

Each query gets a title band, then one row per hit: its rank, score and
file name on the left, frames sampled evenly through the video on the
right, so a person sees at a glance what the model found.
"""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from snps3.datasets.transforms.loading import sample_segment_indices
from snps3.datasets.video_io import load_image, open_video

TITLE_HEIGHT = 30
LABEL_WIDTH = 260
PAD = 4
_BACKGROUND = (255, 255, 255)
_ROW_SHADES = ((246, 246, 246), (232, 232, 232))
_INK = (20, 20, 20)
_UNREADABLE = (180, 60, 60)


def _font(size: int):
    try:  # Pillow >= 10.1 scales its bundled font
        return ImageFont.load_default(size=size)
    except TypeError:
        return ImageFont.load_default()


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + '...', font=font) > width:
        text = text[:-1]
    return text + '...'


def sample_thumbnails(path: str, num_frames: int,
                      height: int) -> List[np.ndarray]:
    """Frames evenly spaced through a video (one for an image), resized.

    Args:
        path (str): Video or image file.
        num_frames (int): Frames to show for a video.
        height (int): Thumbnail height; the width keeps the aspect ratio
            (at most 3 x the height).

    Returns:
        list[np.ndarray]: (height, w, 3) uint8 RGB thumbnails.

    Raises:
        VideoDecodeError: the file cannot be read.
    """
    from snps3.apis.gallery import is_image_file
    if is_image_file(path):
        frames = load_image(path, height)[None]
    else:
        reader = open_video(path, target_short_side=height)
        count = min(num_frames, reader.num_frames)
        frames = reader.get_frames(
            sample_segment_indices(reader.num_frames, count, test_mode=True))
    thumbs = []
    for frame in frames:
        h, w = frame.shape[:2]
        width = max(1, min(3 * height, round(w * height / h)))
        thumbs.append(
            cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA))
    return thumbs


def draw_contact_sheet(results: Sequence[dict],
                       out_file: Optional[str] = None,
                       frames_per_row: int = 6,
                       thumb_height: int = 96,
                       root: Optional[str] = None) -> Tuple[Image.Image, dict]:
    """Draw the hits of text queries as rows of frames.

    Args:
        results (Sequence[dict]): What
            :meth:`~snps3.apis.VideoTextRetrievalInferencer.search` returns
            for one or more queries (``query`` and ``hits`` with ``rank``,
            ``path``, ``score``).
        out_file (str, optional): Where to save the image (PNG, or another
            format by the extension).
        frames_per_row (int): Frames sampled from each video.
        thumb_height (int): Height of a row's frames in pixels.
        root (str, optional): File names are shown relative to it.

    Returns:
        tuple: the image and its layout, ``dict(rows=[...])`` with one
        ``dict(query, rank, path, top, bottom)`` per hit, top to bottom.
    """
    if isinstance(results, dict):
        results = [results]
    font, small = _font(14), _font(12)
    row_height = thumb_height + 2 * PAD
    # Decode first: the sheet's width is the widest row's.
    rows = []
    for query_index, result in enumerate(results):
        for hit in result['hits']:
            try:
                thumbs = sample_thumbnails(hit['path'], frames_per_row,
                                           thumb_height)
            except Exception as err:  # noqa: BLE001  drawn, not raised
                thumbs = str(getattr(err, 'reason', err)).splitlines()[:1]
            rows.append((query_index, hit, thumbs))
    widths = [
        sum(t.shape[1] + PAD for t in thumbs) for _, _, thumbs in rows
        if thumbs and isinstance(thumbs[0], np.ndarray)
    ]
    width = LABEL_WIDTH + max(widths + [frames_per_row * thumb_height]) + PAD
    height = len(results) * TITLE_HEIGHT + len(rows) * row_height
    sheet = Image.new('RGB', (width, max(height, 1)), _BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    layout = dict(rows=[])
    y = 0
    for query_index, result in enumerate(results):
        title = f'query: "{result["query"]}"'
        if result.get('reranked'):
            title += '  (re-ranked by fusion)'
        draw.text((PAD, y + 7),
                  _fit(draw, title, font, width - 2 * PAD),
                  fill=_INK,
                  font=font)
        y += TITLE_HEIGHT
        for shade, (owner, hit, thumbs) in enumerate(r for r in rows
                                                     if r[0] == query_index):
            draw.rectangle((0, y, width - 1, y + row_height - 1),
                           fill=_ROW_SHADES[shade % 2])
            name = hit['path']
            if root is not None:
                rel = osp.relpath(name, root)
                name = name if rel.startswith('..') else rel
            draw.text((PAD, y + PAD + 2),
                      f"#{hit['rank']}   score {hit['score']:.3f}",
                      fill=_INK,
                      font=font)
            for line, text in enumerate(_wrap_name(name)):
                draw.text((PAD, y + PAD + 26 + 16 * line),
                          _fit(draw, text, small, LABEL_WIDTH - 2 * PAD),
                          fill=_INK,
                          font=small)
            x = LABEL_WIDTH
            if thumbs and isinstance(thumbs[0], np.ndarray):
                for thumb in thumbs:
                    sheet.paste(Image.fromarray(thumb), (x, y + PAD))
                    x += thumb.shape[1] + PAD
            else:
                draw.text((x, y + row_height // 2 - 8),
                          'unreadable: ' + (thumbs[0] if thumbs else ''),
                          fill=_UNREADABLE,
                          font=small)
            layout['rows'].append(
                dict(
                    query=owner,
                    rank=hit['rank'],
                    path=hit['path'],
                    top=y,
                    bottom=y + row_height))
            y += row_height
    if out_file is not None:
        folder = osp.dirname(osp.abspath(out_file))
        os.makedirs(folder, exist_ok=True)
        sheet.save(out_file)
    return sheet, layout


def _wrap_name(name: str, lines: int = 3) -> List[str]:
    """A path as the folder lines and the file name, file name last."""
    folder, base = osp.split(name)
    return ([folder] if folder else [])[-(lines - 1):] + [base]
