# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Multiple-choice video QA: MSRVTT-MC.

Each question is a video and five candidate captions, one of them right. The
model scores every ``[option ; video]`` pair and picks the best, so the
options are tokenised together (:class:`TokenizeOptions`) and the right one
is never the sample's ``caption``: a pipeline that would feed it to the
model by mistake fails instead (no ``caption`` to tokenise).
"""
import json
import os.path as osp
from typing import Dict, List

import numpy as np
from mmcv.transforms import BaseTransform

from snps3.registry import DATASETS, TRANSFORMS
from snps3.utils.errors import DataError

from .base import BaseVideoTextDataset
from .transforms import text


def _read_json_or_lines(path: str) -> list:
    """A JSON list, or JSON lines (ClipBERT's ``msrvtt_mc_test.jsonl``)."""
    with open(path, encoding='utf-8') as f:
        content = f.read()
    try:
        if content.lstrip().startswith('['):
            return json.loads(content)
        return [
            json.loads(line) for line in content.splitlines() if line.strip()
        ]
    except json.JSONDecodeError as err:
        raise DataError(f"'{path}' is neither a JSON list nor JSON lines: "
                        f'{err}') from err


@DATASETS.register_module()
class MSRVTTMCDataset(BaseVideoTextDataset):
    """MSRVTT multiple-choice test (2,990 questions, 5 options each).

    Format assumed: the JSFusion-derived release distributed by ClipBERT /
    ALPRO, a JSON list (or JSON lines) of::

        {"clip_name": "video7010", "options": [5 captions], "answer": 0}

    where ``answer`` is the index of the right option. The video is
    ``<video_dir>/<clip_name><video_ext>``.

    Each row holds ``video_id`` (the clip name), ``video_path``, ``options``
    (list of str), ``answer`` (int), ``text_id`` (question number) and
    ``video_index`` (distinct videos in order of first appearance). There is
    no ``caption``; tokenise the options with :class:`TokenizeOptions`.

    Args:
        num_options (int): Options per question; rows with another number
            are an error. Default 5.
        video_ext (str): Extension of the video files.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self,
                 num_options: int = 5,
                 video_ext: str = '.mp4',
                 **kwargs) -> None:
        self.num_options = num_options
        self.video_ext = video_ext
        super().__init__(**kwargs)

    def _check_row(self, i: int, row) -> None:
        if not isinstance(row, dict) or not {'clip_name', 'options', 'answer'
                                             } <= row.keys():
            raise DataError(f"'{self.ann_file}': question {i} lacks one of "
                            'clip_name, options, answer.')
        options = row['options']
        if not isinstance(options, list) or \
                len(options) != self.num_options or \
                not all(isinstance(o, str) and o.strip() for o in options):
            raise DataError(
                f"'{self.ann_file}': question {i} must have "
                f'{self.num_options} non-empty options, got {options!r}.')
        answer = row['answer']
        if isinstance(answer, bool) or not isinstance(answer, int) or \
                not 0 <= answer < self.num_options:
            raise DataError(
                f"'{self.ann_file}': question {i} answer {answer!r} is not "
                f'an option index in [0, {self.num_options}).')

    def load_data_list(self) -> List[dict]:
        rows = _read_json_or_lines(self.ann_file)
        if not isinstance(rows, list):
            raise DataError(f"'{self.ann_file}' is not an MSRVTT-MC file: "
                            'expected a list of questions.')
        video_index: Dict[str, int] = {}
        data_list = []
        for i, row in enumerate(rows):
            self._check_row(i, row)
            name = str(row['clip_name'])
            data_list.append(
                dict(
                    video_id=name,
                    video_path=osp.join(self.video_dir, name + self.video_ext),
                    options=list(row['options']),
                    answer=row['answer'],
                    text_id=i,
                    video_index=video_index.setdefault(name,
                                                       len(video_index))))
        return data_list


@TRANSFORMS.register_module()
class TokenizeOptions(BaseTransform):
    """Tokenise every option of a multiple-choice question.

    Each option is ``[CLS] option [SEP]`` padded to ``max_length``, exactly
    as :class:`~snps3.datasets.transforms.TokenizeCaption` does a caption
    (it does the work), so the options look like the captions the model
    was trained on.

    Adds ``option_ids`` and ``option_mask``, int64 (num_options,
    max_length).

    Args:
        tokenizer (str): Folder of a BERT tokenizer (``pkg://`` allowed).
        max_length (int): Length including the special tokens. Default 30.
        random_window (bool): Random truncation window of long options;
            off by default since multiple choice is evaluation only.
    """

    def __init__(self,
                 tokenizer: str = text.DEFAULT_TOKENIZER,
                 max_length: int = 30,
                 random_window: bool = False) -> None:
        self._tokenize = text.TokenizeCaption(
            tokenizer=tokenizer,
            max_length=max_length,
            random_window=random_window)

    def transform(self, results: dict) -> dict:
        ids, masks = [], []
        for option in results['options']:
            out = self._tokenize.transform(
                dict(
                    caption=option, video_path=results.get('video_path', '?')))
            ids.append(out['input_ids'])
            masks.append(out['attention_mask'])
        results['option_ids'] = np.stack(ids)
        results['option_mask'] = np.stack(masks)
        return results
