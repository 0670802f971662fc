# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Shared behaviour of every video-text dataset.

Real corpora contain files that cannot be read. One bad sample must not kill
an epoch, and must not go unnoticed either: it is logged once with its path
and the reason, replaced by another sample, and counted. A dataset that keeps
failing stops with an error instead of spinning.
"""
import multiprocessing as mp
import os.path as osp
from typing import Optional

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger

from snps3.datasets.video_io import VideoDecodeError
from snps3.utils.errors import DataError, MissingFileError


class SampleError(DataError):
    """A sample that cannot be used (e.g. an empty caption)."""


#: Exceptions that mean "this sample is bad", as opposed to a bug.
BAD_SAMPLE_ERRORS = (VideoDecodeError, SampleError, FileNotFoundError, OSError)


class BaseVideoTextDataset(BaseDataset):
    """Base of the video-text datasets.

    Args:
        ann_file (str): Annotation file, relative to ``data_root``.
        data_root (str): Root of the dataset.
        video_dir (str): Folder of the videos, relative to ``data_root``.
        max_consecutive_failures (int): Stop after this many bad samples in
            a row: the data is broken, not a file here and there.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).
    """

    def __init__(self,
                 ann_file: str,
                 data_root: str = '',
                 video_dir: str = 'videos',
                 max_consecutive_failures: int = 50,
                 **kwargs) -> None:
        self.video_dir = video_dir
        self.max_consecutive_failures = max_consecutive_failures
        # Shared with forked DataLoader workers, so the main process can
        # report how many samples the workers skipped.
        self._num_bad = mp.Value('i', 0)
        self._reported = set()
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    @property
    def num_bad_samples(self) -> int:
        return self._num_bad.value

    def _join_prefix(self) -> None:
        super()._join_prefix()
        self.video_dir = osp.join(self.data_root, self.video_dir) \
            if self.data_root else self.video_dir

    def full_init(self) -> None:
        if not self._fully_initialized and not osp.isfile(self.ann_file):
            raise MissingFileError(
                f"annotation file '{self.ann_file}' of "
                f'{type(self).__name__} does not exist. Check data_root and '
                'ann_file in the config; for the embedded corpus run '
                '`python tools/data/embedded/generate.py --out data/embedded`.'
            )
        super().full_init()
        if len(self) == 0:
            raise DataError(f"annotation file '{self.ann_file}' of "
                            f'{type(self).__name__} has no usable rows.')

    def _report_bad(self, idx: int, err: Exception) -> None:
        with self._num_bad.get_lock():
            self._num_bad.value += 1
        if idx not in self._reported:
            self._reported.add(idx)
            MMLogger.get_current_instance().warning(
                f'{type(self).__name__}: sample {idx} skipped: {err}')

    def __getitem__(self, idx: int) -> dict:
        if not self._fully_initialized:
            self.full_init()
        rng = np.random.default_rng()
        last_err: Optional[Exception] = None
        for _ in range(self.max_consecutive_failures):
            try:
                data = self.prepare_data(idx)
            except BAD_SAMPLE_ERRORS as err:
                if self.test_mode:
                    # A substitute would silently change the evaluation:
                    # the gallery must hold exactly the annotated videos.
                    raise DataError(
                        f'{type(self).__name__}: evaluation sample {idx} '
                        f'cannot be loaded: {err}. Fix or remove it from '
                        f"'{self.ann_file}'.") from err
                data, last_err = None, err
                self._report_bad(idx, err)
            if data is not None:
                return data
            # Replace the bad training sample by another one.
            idx = int(rng.integers(len(self)))
        raise DataError(
            f'{type(self).__name__}: {self.max_consecutive_failures} '
            f'samples in a row could not be loaded (last: {last_err}). '
            f"Check the videos under '{self.video_dir}'.")
