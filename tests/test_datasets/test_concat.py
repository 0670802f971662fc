# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json
from collections import Counter

import pytest
from mmengine.registry import init_default_scope

import snps3.datasets.concat as concat
from snps3.registry import DATA_SAMPLERS, DATASETS
from snps3.utils.errors import DataError


def _jsonl(tmp_path, name, num):
    lines = [
        json.dumps(dict(caption=f'{name} {i}', clip_name=f'{name}{i}'))
        for i in range(num)
    ]
    (tmp_path / f'{name}.jsonl').write_text('\n'.join(lines) + '\n')
    return dict(
        type='VideoTextJsonlDataset',
        data_root=str(tmp_path),
        ann_file=f'{name}.jsonl',
        pipeline=[])


def _concat(tmp_path, weights, sizes=(10, 30)):
    init_default_scope('snps3')
    return DATASETS.build(
        dict(
            type='WeightedConcatDataset',
            datasets=[
                _jsonl(tmp_path, name, n) for name, n in zip('ab', sizes)
            ],
            weights=weights))


def _sampler(dataset, **kwargs):
    return DATA_SAMPLERS.build(
        dict(type='WeightedDatasetSampler', seed=0, **kwargs),
        default_args=dict(dataset=dataset))


def test_concat_rows_and_weights(tmp_path):
    ds = _concat(tmp_path, [3, 1])
    assert len(ds) == 40 and ds.sizes == [10, 30]
    assert ds.weights == [0.75, 0.25]
    assert ds.get_data_info(10)['caption'] == 'b 0'
    with pytest.raises(DataError, match='one weight per dataset'):
        _concat(tmp_path, [1])
    with pytest.raises(DataError, match='non-negative'):
        _concat(tmp_path, [1, -1])


def test_sampler_draws_datasets_in_the_given_proportions(tmp_path):
    ds = _concat(tmp_path, [3, 1])
    sampler = _sampler(ds)  # takes the dataset's weights
    assert len(sampler) == 40
    first = Counter()
    for epoch in range(50):
        sampler.set_epoch(epoch)
        indices = list(sampler)
        assert len(indices) == 40 and all(0 <= i < 40 for i in indices)
        first.update(i < 10 for i in indices)
    share = first[True] / 2000
    assert 0.70 < share < 0.80
    # The small, over-weighted dataset repeats whole passes: every row of
    # it is drawn 3 times per epoch.
    sampler.set_epoch(0)
    counts = Counter(i for i in sampler if i < 10)
    assert set(counts.values()) == {3}


def test_explicit_weights_and_epochs_reshuffle(tmp_path):
    ds = _concat(tmp_path, None)
    sampler = _sampler(ds, weights=[0, 1])
    assert all(i >= 10 for i in sampler)
    sampler.set_epoch(1)
    one = list(sampler)
    sampler.set_epoch(2)
    assert list(sampler) != one
    sampler.set_epoch(1)
    assert list(sampler) == one  # same seed and epoch, same order
    # shuffle=False: index order, dataset after dataset.
    ordered = _sampler(ds, shuffle=False)
    assert list(ordered) == list(range(40))


def test_two_ranks_get_disjoint_shares(tmp_path, monkeypatch):
    ds = _concat(tmp_path, None, sizes=(7, 14))  # 21 rows: rounded up
    shares = []
    for rank in range(2):
        monkeypatch.setattr(concat, 'get_dist_info', lambda r=rank: (r, 2))
        sampler = _sampler(ds)
        sampler.set_epoch(3)
        shares.append(list(sampler))
        assert len(sampler) == 11
    # Weights follow the sizes here, so an epoch is every row once, plus
    # one repeat to make the 22 positions split evenly.
    assert len(shares[0]) == len(shares[1]) == 11
    assert len(set(shares[0]) & set(shares[1])) <= 1
    assert set(shares[0]) | set(shares[1]) == set(range(21))
    whole = sampler.epoch_indices().tolist()
    assert shares[0] == whole[0::2] and shares[1] == whole[1::2]


def test_weighted_ranks_share_the_epoch_sequence(tmp_path, monkeypatch):
    ds = _concat(tmp_path, [1, 1])
    whole, shares = None, []
    for rank in range(2):
        monkeypatch.setattr(concat, 'get_dist_info', lambda r=rank: (r, 2))
        sampler = _sampler(ds)
        shares.append(list(sampler))
        whole = sampler.epoch_indices().tolist()
    assert sorted(shares[0] + shares[1]) == sorted(whole)
    assert sum(i < 10 for i in whole) == 20  # half of the 40 draws
