# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Mixing several datasets with given proportions, for pre-training.

:class:`WeightedConcatDataset` concatenates the datasets and records how
often each should be drawn; :class:`WeightedDatasetSampler` does the
drawing. The weights act only through that sampler: with MMEngine's
``DefaultSampler`` a concatenation is sampled in proportion to the sizes.

.. code-block:: python

    train_dataloader = dict(
        batch_size=16,
        sampler=dict(type='WeightedDatasetSampler', shuffle=True),
        dataset=dict(
            type='WeightedConcatDataset',
            datasets=[dict(type='CC3MDataset', ...),
                      dict(type='WebVidDataset', ...)],
            weights=[1, 3]))
"""
import math
from typing import Iterator, List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset, ConcatDataset
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from snps3.registry import DATA_SAMPLERS, DATASETS
from snps3.utils.errors import DataError


def _normalise(weights: Sequence[float], num: int) -> List[float]:
    """Check ``weights`` (one per dataset) and scale them to sum to 1."""
    if len(weights) != num:
        raise DataError(f'{len(weights)} dataset weights given for {num} '
                        f'datasets: give one weight per dataset.')
    w = np.asarray(weights, dtype=np.float64)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise DataError(f'dataset weights {list(weights)} must be finite, '
                        'non-negative and not all zero.')
    return (w / w.sum()).tolist()


@DATASETS.register_module()
class WeightedConcatDataset(ConcatDataset):
    """Concatenation of datasets, each with a sampling weight.

    Indices are those of :class:`mmengine.dataset.ConcatDataset`: the rows of
    the first dataset, then of the second, and so on.

    Args:
        datasets (Sequence[BaseDataset | dict]): The datasets or their
            configs (built from the ``snps3`` registry).
        weights (Sequence[float], optional): Relative probability of drawing
            from each dataset, e.g. ``[1, 3]``; normalised to sum to 1.
            ``None`` draws in proportion to the sizes, as plain
            concatenation does.
        lazy_init (bool): Postpone loading the annotations.
        ignore_keys (str | list[str], optional): Metainfo keys allowed to
            differ between the datasets.
    """

    def __init__(self,
                 datasets: Sequence[Union[BaseDataset, dict]],
                 weights: Optional[Sequence[float]] = None,
                 lazy_init: bool = False,
                 ignore_keys: Union[str, List[str], None] = None) -> None:
        if not datasets:
            raise DataError('WeightedConcatDataset needs at least one '
                            'dataset.')
        # Built here rather than by MMEngine's ConcatDataset, which builds
        # from its own root registry and would miss snps3's datasets when
        # no default scope is set.
        built = [
            DATASETS.build(d) if isinstance(d, dict) else d for d in datasets
        ]
        self.weights = (None if weights is None else _normalise(
            weights, len(built)))
        super().__init__(built, lazy_init=lazy_init, ignore_keys=ignore_keys)

    @property
    def sizes(self) -> List[int]:
        """Number of rows of each dataset."""
        self.full_init()
        return [len(d) for d in self.datasets]


@DATA_SAMPLERS.register_module()
class WeightedDatasetSampler(Sampler):
    """Draw indices so that each sub-dataset comes with a given probability.

    **Epoch.** One epoch is ``epoch_length`` draws in all (by default
    ``len(dataset)``, the total size of the sub-datasets), rounded up to a
    multiple of the world size; each rank gets ``len(sampler)`` of them.
    Within an epoch, sub-dataset ``i`` gets ``weights[i] * epoch_length``
    draws (the fractional remainders are handed out at random with
    ``shuffle``, to the largest fractions without): the proportions hold in
    every epoch, not only on average. A sub-dataset's rows are drawn without
    replacement, in a fresh permutation per pass, so an over-weighted small
    dataset repeats whole passes and an under-weighted large one shows a
    different part each epoch.

    **Ranks.** Every rank builds the same sequence of the epoch from
    ``seed`` and the epoch number, and takes every ``world_size``-th
    position starting at its rank: the shares are disjoint positions of one
    sequence (the same row appears on two ranks only where the weights make
    it repeat). Call :meth:`set_epoch` each epoch (MMEngine's loops do) for
    a new sequence.

    Args:
        dataset (Dataset): A :class:`WeightedConcatDataset`, any
            :class:`~mmengine.dataset.ConcatDataset`, or a single dataset.
        weights (Sequence[float], optional): One weight per sub-dataset.
            Defaults to the dataset's ``weights``, else to the sizes.
        shuffle (bool): Shuffle the rows and the order of the datasets.
            Without it each dataset's draws come in index order, dataset
            after dataset.
        seed (int, optional): Seed shared by all ranks; ``None`` draws one
            and broadcasts it.
        epoch_length (int, optional): Draws per epoch over all ranks.
    """

    def __init__(self,
                 dataset,
                 weights: Optional[Sequence[float]] = None,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 epoch_length: Optional[int] = None) -> None:
        self.dataset = dataset
        self.rank, self.world_size = get_dist_info()
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0

        total = len(dataset)  # also completes a lazy ConcatDataset
        if hasattr(dataset, 'cumulative_sizes'):
            ends = list(dataset.cumulative_sizes)
        else:
            ends = [total]
        self.offsets = [0] + ends[:-1]
        self.sizes = [e - o for e, o in zip(ends, self.offsets)]
        if weights is None:
            weights = getattr(dataset, 'weights', None) or self.sizes
        self.weights = _normalise(weights, len(self.sizes))
        empty = [
            i for i, (s, w) in enumerate(zip(self.sizes, self.weights))
            if s == 0 and w > 0
        ]
        if empty:
            raise DataError(f'sub-datasets {empty} are empty but have a '
                            'non-zero weight.')

        length = total if epoch_length is None else int(epoch_length)
        self.num_samples = math.ceil(length / self.world_size)
        self.total_size = self.num_samples * self.world_size

    def _quotas(self, rng: np.random.Generator) -> np.ndarray:
        """Draws per sub-dataset in one epoch; they sum to total_size."""
        # Rounded so that float noise (2.9999...) is not a fraction.
        exact = np.round(np.asarray(self.weights) * self.total_size, 9)
        counts = np.floor(exact).astype(np.int64)
        frac = exact - counts
        left = self.total_size - int(counts.sum())
        if left > 0:
            if self.shuffle:
                extra = rng.choice(
                    len(counts), size=left, replace=False, p=frac / frac.sum())
            else:
                extra = np.argsort(-frac, kind='stable')[:left]
            counts[extra] += 1
        return counts

    def _rows(self, rng: np.random.Generator, size: int,
              count: int) -> np.ndarray:
        """``count`` rows of a dataset of ``size``, whole passes first."""
        passes = math.ceil(count / size) if count else 0
        order = [
            rng.permutation(size) if self.shuffle else np.arange(size)
            for _ in range(passes)
        ]
        return np.concatenate(order)[:count] if order else np.zeros(0, int)

    def epoch_indices(self) -> np.ndarray:
        """The whole epoch's sequence, before it is split between ranks."""
        # The same seed and epoch give the same sequence on every rank.
        rng = np.random.default_rng([self.seed % 2**32, self.epoch])
        counts = self._quotas(rng)
        indices = np.concatenate([
            offset + self._rows(rng, size, int(count))
            for offset, size, count in zip(self.offsets, self.sizes, counts)
        ])
        if self.shuffle:
            rng.shuffle(indices)
        return indices

    def __iter__(self) -> Iterator[int]:
        indices = self.epoch_indices()
        return iter(indices[self.rank::self.world_size].tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the sequence of ``epoch`` from the next iteration on."""
        self.epoch = epoch
