# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json
import os.path as osp
from typing import Dict, List, Optional

from snps3.registry import DATASETS
from snps3.utils.errors import DataError

from .base import BaseVideoTextDataset


@DATASETS.register_module()
class DiDeMoRetrievalDataset(BaseVideoTextDataset):
    """DiDeMo paragraph-to-video retrieval.

    Reads the official annotation files of *Localizing Moments in Video with
    Natural Language* (``train_data.json``, ``val_data.json``,
    ``test_data.json``): a JSON list with one entry per moment description,

    .. code-block:: json

        {"video": "<flickr id>.mov", "description": "a man walks in",
         "times": [[0, 1], [0, 0], ...], "annotation_id": 123,
         "download_link": "...", "num_segments": 6}

    Only ``video`` and ``description`` are used. Following the standard
    retrieval protocol, the descriptions of one video are joined, in
    annotation order, into a single paragraph, and the whole video is the
    target: one row per video, so ``text_id`` and ``video_index`` coincide.
    ``times`` (5-second segment indices) are not used as a window, since the
    paragraph describes the whole clip.

    Args:
        video_ext (str, optional): Extension of the video files on disk. It
            replaces the annotated name's own extension (the raw files are
            ``.mov``/``.avi``/``.mp4``/..., and download scripts usually
            transcode them all to mp4) or is appended when there is none.
            ``None`` keeps the annotated names as they are.
        separator (str): Put between the descriptions of a paragraph.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self,
                 video_ext: Optional[str] = '.mp4',
                 separator: str = ' ',
                 **kwargs) -> None:
        self.video_ext = video_ext
        self.separator = separator
        super().__init__(**kwargs)

    def _file_name(self, video: str) -> str:
        if self.video_ext is None:
            return video
        return osp.splitext(video)[0] + self.video_ext

    def load_data_list(self) -> List[dict]:
        with open(self.ann_file, encoding='utf-8') as f:
            ann = json.load(f)
        if not isinstance(ann, list):
            raise DataError(
                f"'{self.ann_file}' is not a DiDeMo annotation file: "
                'expected a JSON list of {"video", "description", "times"} '
                f'objects, got a {type(ann).__name__}.')
        # Dicts keep insertion order, so videos come in order of first
        # appearance and descriptions in annotation order.
        paragraphs: Dict[str, List[str]] = {}
        for i, entry in enumerate(ann):
            try:
                video, description = entry['video'], entry['description']
            except (KeyError, TypeError) as err:
                raise DataError(
                    f"'{self.ann_file}' entry {i} has no 'video' or "
                    f"'description': {entry!r:.200}") from err
            sentences = paragraphs.setdefault(video, [])
            if description and description.strip():
                sentences.append(description.strip())

        data_list = []
        for video, sentences in paragraphs.items():
            if not sentences:  # nothing to retrieve it by
                continue
            data_list.append(
                dict(
                    video_id=osp.splitext(video)[0],
                    video_path=osp.join(self.video_dir,
                                        self._file_name(video)),
                    caption=self.separator.join(sentences),
                    text_id=len(data_list),
                    video_index=len(data_list)))
        return data_list
