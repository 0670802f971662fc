# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import os.path as osp
from typing import List

from mmengine.logging import MMLogger

from snps3.registry import DATASETS
from snps3.utils.errors import DataError
from snps3.utils.paths import FolderListing

from .base import BaseVideoTextDataset


@DATASETS.register_module()
class CC3MDataset(BaseVideoTextDataset):
    """Conceptual Captions 3M image-text pairs, for image pre-training.

    Reads CC3M's own TSV (``Train_GCC-training.tsv``,
    ``Validation_GCC-1.1.0-Validation.tsv``): no header, one pair a line,
    ``<caption>\\t<image url>``. CC3M ships URLs only, so the images are
    whatever a download script fetched. The assumed layout names each image
    by the 0-based line number ``index`` of its pair in the TSV:
    ``{data_root}/{video_dir}/{name_template}``, where the template is
    formatted with ``index`` and ``shard = index // shard_size``. The
    default gives ``images/00000042.jpg``; img2dataset's layout (shards of
    10,000 images, keys = line numbers) is
    ``name_template='{shard:05d}/{index:09d}.jpg'``.

    Downloads of CC3M are always partial (dead links), so rows whose image
    is missing are dropped when the annotations are loaded, and the count
    is logged (also kept in :attr:`num_missing`). Every row is an image
    (``is_image=True``): the pipeline turns it into a one-frame video. Its
    ``video_id`` is the line number, as a string.

    Args:
        name_template (str): File name of the image of line ``index``,
            relative to ``video_dir``, as a :meth:`str.format` template
            with the fields ``index`` and ``shard``.
        shard_size (int): Images per shard folder, for ``shard``.
        check_exists (bool): Drop rows whose image is missing. Turn off
            when every image is known to be there, to save the directory
            listings.
        **kwargs: See :class:`BaseVideoTextDataset`; ``video_dir`` defaults
            to ``'images'``.
    """

    def __init__(self,
                 name_template: str = '{index:08d}.jpg',
                 shard_size: int = 10000,
                 check_exists: bool = True,
                 video_dir: str = 'images',
                 **kwargs) -> None:
        self.name_template = name_template
        self.shard_size = shard_size
        self.check_exists = check_exists
        self.num_missing = 0
        super().__init__(video_dir=video_dir, **kwargs)

    def _image_path(self, index: int) -> str:
        name = self.name_template.format(
            index=index, shard=index // self.shard_size)
        return osp.join(self.video_dir, name)

    def load_data_list(self) -> List[dict]:
        self.num_missing = 0
        data_list = []
        listing = FolderListing()
        num_rows = 0
        with open(self.ann_file, encoding='utf-8') as f:
            # Not the csv module: captions contain quotes, and CC3M's lines
            # are plain tab-separated text without any quoting.
            for index, line in enumerate(f):
                line = line.rstrip('\r\n')
                if not line:
                    continue
                fields = line.split('\t')
                if len(fields) != 2:
                    raise DataError(
                        f"'{self.ann_file}' line {index + 1} is not "
                        "'<caption>\\t<url>' (CC3M's TSV): found "
                        f'{len(fields)} tab-separated fields.')
                num_rows += 1
                caption = fields[0].strip()
                if not caption:
                    continue
                path = self._image_path(index)
                if self.check_exists and listing.size(path) is None:
                    self.num_missing += 1
                    continue
                data_list.append(
                    dict(
                        video_id=str(index),
                        video_path=path,
                        caption=caption,
                        text_id=len(data_list),
                        video_index=len(data_list),
                        is_image=True))
        if self.num_missing:
            example = self._image_path(0)
            if not data_list:
                raise DataError(
                    f'{type(self).__name__}: none of the {num_rows} images '
                    f"of '{self.ann_file}' exists (e.g. '{example}'). Check "
                    'data_root, video_dir and name_template.')
            MMLogger.get_current_instance().info(
                f'{type(self).__name__}: {self.num_missing} of {num_rows} '
                f"images of '{self.ann_file}' are missing (e.g. looked for "
                f"'{example}'); those rows are dropped.")
        return data_list
