# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""The contact sheet is a valid image with one row of frames per hit."""
import numpy as np
from PIL import Image

from snps3.apis import draw_contact_sheet
from snps3.apis.contact_sheet import LABEL_WIDTH, PAD, TITLE_HEIGHT


def _hits(paths):
    return [
        dict(rank=i + 1, path=str(p), score=1.0 - 0.1 * i)
        for i, p in enumerate(paths)
    ]


def test_one_row_of_frames_per_hit(tiny_corpus, tmp_path):
    videos = sorted((tiny_corpus / 'videos' / 'msrvtt').glob('video70*.mp4'))
    image = tmp_path / 'still.png'
    Image.new('RGB', (40, 30), (0, 0, 255)).save(image)
    broken = tmp_path / 'broken.mp4'
    broken.write_text('no video here')
    results = [
        dict(query='a red circle', hits=_hits(videos[:3])),
        dict(
            query='a blue square', hits=_hits([image, broken]), reranked=True),
    ]
    out = tmp_path / 'sheet.png'
    sheet, layout = draw_contact_sheet(
        results, str(out), frames_per_row=4, thumb_height=48, root=tiny_corpus)

    with Image.open(out) as saved:
        saved.verify()  # a complete, valid PNG
    saved = np.asarray(Image.open(out).convert('RGB'))
    row_height = 48 + 2 * PAD
    assert saved.shape[0] == 2 * TITLE_HEIGHT + 5 * row_height
    rows = layout['rows']
    assert [(r['query'], r['rank']) for r in rows] == [(0, 1), (0, 2), (0, 3),
                                                       (1, 1), (1, 2)]
    assert all(r['bottom'] - r['top'] == row_height for r in rows)
    for row in rows[:3]:
        # Four 48 x 48 frames of the 112 x 112 clip, not blank.
        strip = saved[row['top'] + PAD:row['top'] + PAD + 48,
                      LABEL_WIDTH:LABEL_WIDTH + 4 * (48 + PAD)]
        assert strip.std() > 10
    still = saved[rows[3]['top'] + PAD + 10, LABEL_WIDTH + 10]
    assert tuple(still) == (0, 0, 255)  # the image, shown once
    # The unreadable hit gets a row with its reason instead of frames.
    label = saved[rows[4]['top']:rows[4]['bottom'], LABEL_WIDTH:]
    assert (label[..., 0] > label[..., 2] + 50).any()  # red text
