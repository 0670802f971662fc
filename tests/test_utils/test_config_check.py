# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
from mmengine.config import Config

from snps3.utils.config import check_config


def test_misspelt_runner_key_is_refused():
    cfg = Config(dict(model=dict(), train_dataloder=dict(), data_root='x'))
    with pytest.raises(KeyError, match="did you mean 'train_dataloader'"):
        check_config(cfg)


def test_helper_variables_are_fine():
    check_config(
        Config(
            dict(
                model=dict(),
                data_root='x',
                num_frames=4,
                train_pipeline=[],
                tokenizer='t')))


def _loaders(train_sampler, test_sampler='DefaultSampler'):
    return dict(
        train_dataloader=dict(sampler=dict(type=train_sampler)),
        test_dataloader=dict(sampler=dict(type=test_sampler)))


def test_infinite_sampler_is_for_iteration_based_training():
    check_config(
        Config(
            dict(
                train_cfg=dict(type='IterBasedTrainLoop', max_iters=5),
                **_loaders('InfiniteSampler'))))
    for train_cfg in (dict(type='EpochBasedTrainLoop',
                           max_epochs=1), dict(by_epoch=True, max_epochs=1)):
        with pytest.raises(
                KeyError,
                match='train_dataloader.sampler is an '
                'InfiniteSampler: the epoch-based train loop'):
            check_config(
                Config(
                    dict(train_cfg=train_cfg, **_loaders('InfiniteSampler'))))


def test_infinite_sampler_never_finishes_evaluation():
    with pytest.raises(
            KeyError,
            match='test_dataloader.sampler is an '
            'InfiniteSampler: evaluation would never finish'):
        check_config(
            Config(
                dict(
                    train_cfg=dict(type='IterBasedTrainLoop', max_iters=5),
                    **_loaders('InfiniteSampler', 'InfiniteSampler'))))
