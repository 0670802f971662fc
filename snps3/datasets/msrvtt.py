# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import csv
import json
import os.path as osp
from typing import Dict, List, Optional

from snps3.registry import DATASETS
from snps3.utils.errors import DataError, MissingFileError

from .base import BaseVideoTextDataset


@DATASETS.register_module()
class MSRVTTRetrievalDataset(BaseVideoTextDataset):
    """MSR-VTT text-video retrieval.

    Reads the official ``MSRVTT_data.json`` (``videos`` and ``sentences``)
    and a split file:

    * the 1k-A test list (``MSRVTT_JSFUSION_test.csv``, columns
      ``key, vid_key, video_id, sentence``): one caption per video, the
      standard test protocol;
    * a training list (``MSRVTT_train.7k.csv`` / ``MSRVTT_train.9k.csv``,
      column ``video_id``): every caption of those videos.

    Each row is one caption; ``video_index`` numbers the distinct videos in
    order of first appearance, which is the gallery order of evaluation.

    Args:
        split_file (str): The split list, relative to ``data_root``.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self, split_file: Optional[str] = None, **kwargs) -> None:
        self.split_file = split_file
        super().__init__(**kwargs)

    def _join_prefix(self) -> None:
        super()._join_prefix()
        if self.split_file and self.data_root:
            self.split_file = osp.join(self.data_root, self.split_file)

    def load_data_list(self) -> List[dict]:
        with open(self.ann_file, encoding='utf-8') as f:
            ann = json.load(f)
        if 'sentences' not in ann:
            raise DataError(f"'{self.ann_file}' is not MSRVTT_data.json: "
                            "it has no 'sentences'.")
        captions: Dict[str, List[str]] = {}
        for sent in ann['sentences']:
            captions.setdefault(sent['video_id'], []).append(sent['caption'])

        pairs = []  # (video_id, caption)
        if self.split_file is None:
            pairs = [(v, c) for v, cs in captions.items() for c in cs]
        else:
            if not osp.isfile(self.split_file):
                raise MissingFileError(
                    f"split file '{self.split_file}' does not exist.")
            with open(self.split_file, newline='', encoding='utf-8') as f:
                rows = list(csv.DictReader(f))
            for row in rows:
                if row.get('sentence'):  # 1k-A: the caption is given
                    pairs.append((row['video_id'], row['sentence']))
                else:
                    pairs += [(row['video_id'], c)
                              for c in captions.get(row['video_id'], [])]

        video_index: Dict[str, int] = {}
        data_list = []
        for video_id, caption in pairs:
            index = video_index.setdefault(video_id, len(video_index))
            data_list.append(
                dict(
                    video_id=video_id,
                    video_path=osp.join(self.video_dir, f'{video_id}.mp4'),
                    caption=caption,
                    text_id=len(data_list),
                    video_index=index))
        return data_list
