# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Open-ended VideoQA: MSRVTT-QA and MSVD-QA.

Open-ended VideoQA is classification over the ``top_k`` most frequent
answers of the training split (1500 for MSRVTT-QA, 1000 for MSVD-QA, as in
the paper). :class:`AnswerVocabulary` holds that answer set;
:class:`VideoQADataset` reads the common release format of both datasets.
"""
import json
import os
import os.path as osp
from collections import Counter
from typing import Dict, Iterable, List, Optional, Union

from mmengine.logging import MMLogger

from snps3.registry import DATASETS
from snps3.utils.errors import DataError, MissingFileError

from .base import BaseVideoTextDataset

#: Label of an answer outside the vocabulary: never predicted, so wrong.
UNKNOWN_LABEL = -1


def normalize_answer(answer: str) -> str:
    """The form answers are counted and looked up in.

    The releases are already lower-case single words; stripping and
    lower-casing only guards against stray variants splitting one answer
    into two classes.
    """
    return answer.strip().lower()


class AnswerVocabulary:
    """The answer classes of open-ended VideoQA.

    Built from the training split's answers: the ``top_k`` most frequent,
    label 0 being the most frequent. Answers with the same count are ordered
    by their first appearance in the training annotations, so the labels
    depend only on the file, not on hashing or dictionary order.

    Args:
        answer_to_label (dict): Answer -> label, labels ``0 .. n-1``.
    """

    def __init__(self, answer_to_label: Dict[str, int]) -> None:
        # Normalised like the look-ups; answers that merge show up as a
        # missing label below.
        self.answer_to_label = {
            normalize_answer(a): int(label)
            for a, label in answer_to_label.items()
        }
        labels = sorted(self.answer_to_label.values())
        if labels != list(range(len(answer_to_label))):
            raise DataError('answer vocabulary labels must be 0 .. n-1, '
                            'each once, on distinct answers')
        self.answers = [''] * len(labels)
        for answer, label in self.answer_to_label.items():
            self.answers[label] = answer

    @classmethod
    def from_answers(cls, answers: Iterable[str],
                     top_k: int) -> 'AnswerVocabulary':
        """The ``top_k`` most frequent answers, ties by first appearance.

        Args:
            answers (Iterable[str]): Answers of the training questions, in
                file order.
            top_k (int): Number of classes kept (fewer if there are fewer
                distinct answers).
        """
        if top_k < 1:
            raise ValueError(f'top_k must be >= 1, got {top_k}')
        # Counter keeps insertion (first appearance) order and sorted() is
        # stable, so equal counts stay in order of first appearance.
        counts = Counter(normalize_answer(a) for a in answers)
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top_k]
        return cls({answer: i for i, (answer, _) in enumerate(ranked)})

    @classmethod
    def load(cls, path: str) -> 'AnswerVocabulary':
        """Load from JSON: ``{"answer_to_label": {...}}`` or the bare map."""
        if not osp.isfile(path):
            raise MissingFileError(
                f"answer vocabulary file '{path}' does not exist.")
        with open(path, encoding='utf-8') as f:
            content = json.load(f)
        mapping = content.get('answer_to_label', content) \
            if isinstance(content, dict) else None
        if not isinstance(mapping, dict):
            raise DataError(f"'{path}' is not an answer vocabulary: expected "
                            '{"answer_to_label": {answer: label}}.')
        return cls({str(k): v for k, v in mapping.items()})

    def save(self, path: str) -> None:
        """Save as JSON ``{"answer_to_label": {...}}``, labels in order."""
        if osp.dirname(path):
            os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(
                dict(answer_to_label={
                    a: i
                    for i, a in enumerate(self.answers)
                }),
                f,
                indent=1,
                ensure_ascii=False)

    def label(self, answer: str) -> int:
        """The answer's label, :data:`UNKNOWN_LABEL` (-1) if not a class."""
        return self.answer_to_label.get(
            normalize_answer(answer), UNKNOWN_LABEL)

    def __len__(self) -> int:
        return len(self.answers)

    def __contains__(self, answer: str) -> bool:
        return normalize_answer(answer) in self.answer_to_label


def _read_qa_list(path: str) -> List[dict]:
    if not osp.isfile(path):
        raise MissingFileError(f"QA annotation file '{path}' does not exist.")
    with open(path, encoding='utf-8') as f:
        rows = json.load(f)
    if not isinstance(rows, list):
        raise DataError(f"'{path}' is not a VideoQA annotation file: "
                        'expected a JSON list of questions.')
    for i, row in enumerate(rows):
        missing = [
            k for k in ('video_id', 'question', 'answer')
            if not isinstance(row, dict) or k not in row
        ]
        if missing:
            raise DataError(f"'{path}': question {i} lacks {missing}.")
    return rows


@DATASETS.register_module()
class VideoQADataset(BaseVideoTextDataset):
    """Open-ended VideoQA in the MSRVTT-QA / MSVD-QA release format.

    The annotation file (``train_qa.json``, ``val_qa.json``,
    ``test_qa.json``) is a JSON list of questions::

        [{"video_id": 7010, "question": "what is a man doing?",
          "answer": "cook", "id": 0, "answer_type": "what"}, ...]

    ``answer_type`` is optional; without it the question type is the
    question's first word (MSRVTT-QA's types are what / who / how / when /
    where). ``video_id`` is an int, named ``video_name_format.format(id)``
    (``video7010``), or a string used as the name; with ``mapping_file``
    (MSVD-QA's ``youtube_mapping.txt``, lines ``<clip_name> vid<N>``) the
    name is looked up there first. The video is
    ``<video_dir>/<name><video_ext>``.

    Each row holds ``video_id`` (the name), ``video_path``, ``question``,
    ``caption`` (the question again, for the text transforms), ``answer``,
    ``answer_label`` (-1 outside the vocabulary), ``question_type``,
    ``question_id`` (the release's ``id``, else the position),
    ``text_id`` (row number) and ``video_index`` (distinct videos in order of
    first appearance).

    The answer vocabulary is loaded from ``answer_vocab_file`` if given,
    else built from ``train_ann_file`` whichever split this dataset reads
    (the classes must not depend on the evaluation answers). In training,
    questions whose answer is not a class are dropped, the standard
    practice: they cannot be learnt. In test mode they are kept with label
    -1, so they count as wrong instead of inflating the accuracy.

    Args:
        ann_file (str): The split's QA file, relative to ``data_root``.
        train_ann_file (str, optional): The training QA file, relative to
            ``data_root``, the vocabulary's source. Defaults to ``ann_file``
            in training; required in test mode unless ``answer_vocab_file``.
        answer_vocab_file (str, optional): A saved
            :class:`AnswerVocabulary`, relative to ``data_root``.
        top_k (int): Number of answer classes. Default 1500 (MSRVTT-QA).
        mapping_file (str, optional): ``<clip_name> <key>`` lines mapping a
            video name to its file name, relative to ``data_root``.
        video_name_format (str): Name of an int ``video_id``.
        video_ext (str): Extension of the video files.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 train_ann_file: Optional[str] = None,
                 answer_vocab_file: Optional[str] = None,
                 top_k: int = 1500,
                 mapping_file: Optional[str] = None,
                 video_name_format: str = 'video{}',
                 video_ext: str = '.mp4',
                 **kwargs) -> None:
        self.train_ann_file = train_ann_file
        self.answer_vocab_file = answer_vocab_file
        self.top_k = top_k
        self.mapping_file = mapping_file
        self.video_name_format = video_name_format
        self.video_ext = video_ext
        self.answer_vocab: Optional[AnswerVocabulary] = None
        super().__init__(ann_file=ann_file, **kwargs)

    @property
    def num_answers(self) -> int:
        """Number of answer classes (the classifier's output size)."""
        if self.answer_vocab is None:
            self.full_init()
        return len(self.answer_vocab)

    def _join_prefix(self) -> None:
        super()._join_prefix()
        if self.data_root:
            for attr in ('train_ann_file', 'answer_vocab_file',
                         'mapping_file'):
                value = getattr(self, attr)
                if value:
                    setattr(self, attr, osp.join(self.data_root, value))

    def _load_vocabulary(self, rows: List[dict]) -> AnswerVocabulary:
        if self.answer_vocab_file:
            return AnswerVocabulary.load(self.answer_vocab_file)
        if self.train_ann_file:
            train_rows = rows if osp.abspath(self.train_ann_file) == \
                osp.abspath(self.ann_file) else \
                _read_qa_list(self.train_ann_file)
        elif not self.test_mode:
            train_rows = rows  # this file is the training split
        else:
            raise DataError(
                f'{type(self).__name__} in test mode needs train_ann_file '
                'or answer_vocab_file: the answer classes come from the '
                'training split, not from the answers being evaluated.')
        return AnswerVocabulary.from_answers(
            (str(r['answer']) for r in train_rows), self.top_k)

    def _load_mapping(self) -> Optional[Dict[str, str]]:
        if not self.mapping_file:
            return None
        if not osp.isfile(self.mapping_file):
            raise MissingFileError(
                f"video mapping file '{self.mapping_file}' does not exist.")
        mapping = {}
        with open(self.mapping_file, encoding='utf-8') as f:
            for line_no, line in enumerate(f, 1):
                fields = line.split()
                if not fields:
                    continue
                if len(fields) != 2:
                    raise DataError(
                        f"'{self.mapping_file}' line {line_no}: expected "
                        f'`<clip_name> <key>`, got {line.strip()!r}.')
                clip_name, key = fields
                mapping[key] = clip_name
        return mapping

    def _video_name(self, video_id: Union[int, str],
                    mapping: Optional[Dict[str, str]]) -> str:
        name = self.video_name_format.format(video_id) \
            if isinstance(video_id, int) else str(video_id)
        if mapping is None:
            return name
        if name in mapping:
            return mapping[name]
        if isinstance(video_id, int):
            # An int id is only an index: without its entry there is no file.
            raise DataError(
                f"video id {video_id} ('{name}') of '{self.ann_file}' is "
                f"not in the mapping file '{self.mapping_file}'.")
        return name  # already a clip name

    def load_data_list(self) -> List[dict]:
        rows = _read_qa_list(self.ann_file)
        self.answer_vocab = self._load_vocabulary(rows)
        mapping = self._load_mapping()
        video_index: Dict[str, int] = {}
        data_list = []
        num_dropped = 0
        for i, row in enumerate(rows):
            answer = normalize_answer(str(row['answer']))
            label = self.answer_vocab.label(answer)
            if label == UNKNOWN_LABEL and not self.test_mode:
                num_dropped += 1
                continue
            question = str(row['question']).strip()
            words = question.split()
            question_type = row.get('answer_type') or \
                (words[0].lower() if words else '')
            name = self._video_name(row['video_id'], mapping)
            data_list.append(
                dict(
                    video_id=name,
                    video_path=osp.join(self.video_dir, name + self.video_ext),
                    question=question,
                    caption=question,
                    answer=answer,
                    answer_label=label,
                    question_type=question_type,
                    question_id=row.get('id', i),
                    text_id=len(data_list),
                    video_index=video_index.setdefault(name,
                                                       len(video_index))))
        if num_dropped:
            MMLogger.get_current_instance().info(
                f'{type(self).__name__}: {num_dropped} of {len(rows)} '
                f"questions of '{self.ann_file}' dropped: answer outside the "
                f'{len(self.answer_vocab)} classes.')
        return data_list


@DATASETS.register_module()
class MSRVTTQADataset(VideoQADataset):
    """MSRVTT-QA: 1500 answer classes, ``video_id`` 7010 ->
    ``video7010.mp4``. See :class:`VideoQADataset`."""

    def __init__(self, top_k: int = 1500, **kwargs) -> None:
        super().__init__(top_k=top_k, **kwargs)


@DATASETS.register_module()
class MSVDQADataset(VideoQADataset):
    """MSVD-QA: 1000 answer classes, YouTube clips (``.avi``).

    ``video_id`` N is ``vid<N>``, looked up in ``mapping_file``
    (``youtube_mapping.txt``: ``-4wsuPCjDBc_5_15 vid1``) to name the clip.
    Without a mapping file the videos must be named ``vid<N>.avi``.
    See :class:`VideoQADataset`.
    """

    def __init__(self,
                 top_k: int = 1000,
                 video_name_format: str = 'vid{}',
                 video_ext: str = '.avi',
                 **kwargs) -> None:
        super().__init__(
            top_k=top_k,
            video_name_format=video_name_format,
            video_ext=video_ext,
            **kwargs)
