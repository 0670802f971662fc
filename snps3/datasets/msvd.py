# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import os.path as osp
from typing import Dict, List, Optional

from mmengine.logging import MMLogger

from snps3.registry import DATASETS
from snps3.utils.errors import MissingFileError

from .base import BaseVideoTextDataset


@DATASETS.register_module()
class MSVDRetrievalDataset(BaseVideoTextDataset):
    """MSVD (YouTube2Text) text-video retrieval.

    Reads the plain-text release of the captions, ``AllVideoDescriptions.txt``:
    lines starting with ``#`` are comments, every other line is
    ``<video_id> <caption words...>`` (e.g. ``-4wsuPCjDBc_5_15 a squirrel is
    eating a peanut``), about 40 lines per video. The split files
    (``train_list.txt``, ``val_list.txt``, ``test_list.txt``: 1200 / 100 / 670
    videos) hold one video id per line. Videos are expected at
    ``{data_root}/{video_dir}/{video_id}{video_ext}`` (``YouTubeClips/*.avi``
    in the common release).

    Each row is one caption, in training and in test mode alike: at test
    time all captions of a video are its ground truths, so several rows share
    one ``video_index`` (the gallery order: split-list order, or order of
    first appearance without a split list).

    Args:
        split_file (str, optional): List of the split's video ids, relative
            to ``data_root``. ``None`` takes every video of ``ann_file``.
        video_ext (str): Extension of the video files.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self,
                 split_file: Optional[str] = None,
                 video_ext: str = '.avi',
                 **kwargs) -> None:
        self.split_file = split_file
        self.video_ext = video_ext
        super().__init__(**kwargs)

    def _join_prefix(self) -> None:
        super()._join_prefix()
        if self.split_file and self.data_root:
            self.split_file = osp.join(self.data_root, self.split_file)

    def _read_captions(self) -> Dict[str, List[str]]:
        captions: Dict[str, List[str]] = {}
        with open(self.ann_file, encoding='utf-8') as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                video_id, _, caption = line.partition(' ')
                caption = caption.strip()
                if caption:
                    captions.setdefault(video_id, []).append(caption)
        return captions

    def _read_split(self) -> List[str]:
        if not osp.isfile(self.split_file):
            raise MissingFileError(
                f"split file '{self.split_file}' of {type(self).__name__} "
                'does not exist.')
        with open(self.split_file, encoding='utf-8') as f:
            return [line.strip() for line in f if line.strip()]

    def load_data_list(self) -> List[dict]:
        captions = self._read_captions()
        if self.split_file is None:
            video_ids = list(captions)
        else:
            video_ids = self._read_split()
            uncaptioned = [v for v in video_ids if v not in captions]
            if uncaptioned:
                # Such a video could never be retrieved by a caption, so it
                # is left out of the gallery rather than evaluated as a miss.
                MMLogger.get_current_instance().warning(
                    f'{type(self).__name__}: {len(uncaptioned)} videos of '
                    f"'{self.split_file}' have no caption in "
                    f"'{self.ann_file}' and are left out (first: "
                    f"'{uncaptioned[0]}').")
                video_ids = [v for v in video_ids if v in captions]

        data_list = []
        for index, video_id in enumerate(video_ids):
            path = osp.join(self.video_dir, video_id + self.video_ext)
            for caption in captions[video_id]:
                data_list.append(
                    dict(
                        video_id=video_id,
                        video_path=path,
                        caption=caption,
                        text_id=len(data_list),
                        video_index=index))
        return data_list
