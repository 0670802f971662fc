# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import csv
import os.path as osp
from typing import List

from snps3.registry import DATASETS
from snps3.utils.errors import DataError

from .base import BaseVideoTextDataset

WEBVID_COLUMNS = ('videoid', 'contentUrl', 'duration', 'page_dir', 'name')


@DATASETS.register_module()
class WebVidDataset(BaseVideoTextDataset):
    """WebVid-2M/10M pre-training data, read from WebVid's own CSV.

    The CSV has the columns ``videoid, contentUrl, duration, page_dir, name``
    (``name`` is the caption); videos are expected at
    ``{data_root}/{video_dir}/{page_dir}/{videoid}.mp4``, the layout of the
    common download scripts.
    """

    def load_data_list(self) -> List[dict]:
        with open(self.ann_file, newline='', encoding='utf-8') as f:
            reader = csv.DictReader(f)
            missing = set(WEBVID_COLUMNS[:1] + WEBVID_COLUMNS[3:]) - set(
                reader.fieldnames or ())
            if missing:
                raise DataError(
                    f"'{self.ann_file}' is not a WebVid CSV: columns "
                    f'{sorted(missing)} are missing (found '
                    f'{reader.fieldnames}).')
            data_list = []
            for row in reader:
                data_list.append(
                    dict(
                        video_id=row['videoid'],
                        video_path=osp.join(self.video_dir, row['page_dir'],
                                            f"{row['videoid']}.mp4"),
                        caption=row['name'],
                        text_id=len(data_list),
                        video_index=len(data_list)))
        return data_list
