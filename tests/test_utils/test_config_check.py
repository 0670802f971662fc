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
