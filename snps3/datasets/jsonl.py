# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json
import os.path as osp
from typing import List

from snps3.registry import DATASETS
from snps3.utils.errors import DataError

from .base import BaseVideoTextDataset


@DATASETS.register_module()
class VideoTextJsonlDataset(BaseVideoTextDataset):
    """Generic image/video-caption pairs, one JSON object per line.

    Each line is ``{"caption": str, "clip_name": str, "type": "video" |
    "image", "start": float?, "end": float?}`` (the format of SNP-S3's public
    code). ``clip_name`` is relative to ``video_dir``; ``video_ext`` is
    appended when it has no extension. Images become 1-frame videos;
    ``start``/``end`` (seconds) restrict frame sampling to that window.

    Args:
        video_ext (str): Extension added to extension-less clip names.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self, video_ext: str = '.mp4', **kwargs) -> None:
        self.video_ext = video_ext
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        data_list, video_index = [], {}
        with open(self.ann_file, encoding='utf-8') as f:
            for line_no, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    clip, caption = row['clip_name'], row['caption']
                except (json.JSONDecodeError, KeyError) as err:
                    raise DataError(
                        f"'{self.ann_file}' line {line_no} is not a "
                        '{"caption", "clip_name", ...} JSON object: '
                        f'{err}') from err
                if not osp.splitext(clip)[1]:
                    clip += self.video_ext
                info = dict(
                    video_id=row['clip_name'],
                    video_path=osp.join(self.video_dir, clip),
                    caption=caption,
                    text_id=len(data_list),
                    video_index=video_index.setdefault(clip, len(video_index)),
                    is_image=row.get('type', 'video') == 'image')
                if 'start' in row or 'end' in row:
                    info['window'] = (row.get('start'), row.get('end'))
                data_list.append(info)
        return data_list
