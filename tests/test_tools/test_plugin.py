# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""A head from the user's own package, registered through custom_imports."""
import textwrap

from snps3_test_helpers import (
    TINY_CONFIG,
    data_root_options,
    derived_config,
    run_tool,
)

USER_PACKAGE = '''
import torch.nn as nn
import torch.nn.functional as F

from snps3.models.heads import BaseProxyHead
from snps3.registry import MODELS


@MODELS.register_module()
class CaptionLengthHead(BaseProxyHead):
    """Regress the caption length from the text [CLS] (a toy objective)."""

    requires = ('text', )

    def __init__(self, hidden_size, **kwargs):
        super().__init__(**kwargs)
        self.fc = nn.Linear(hidden_size, 1)

    def loss(self, ctx):
        target = ctx.inputs['attention_mask'].sum(1).float()
        pred = self.fc(ctx.text[1]).squeeze(1)
        return dict(loss_caption_len=F.mse_loss(pred, target)
                    * self.loss_weight)
'''


def test_custom_head_from_an_out_of_tree_package(tmp_path, tiny_corpus):
    package = tmp_path / 'my_heads'
    package.mkdir()
    (package / '__init__.py').write_text('from . import length  # noqa\n')
    (package / 'length.py').write_text(textwrap.dedent(USER_PACKAGE))
    config = derived_config(
        tmp_path,
        textwrap.dedent('''
        custom_imports = dict(imports=['my_heads'],
                              allow_failed_imports=False)
        model = dict(heads=dict(length=dict(type='CaptionLengthHead',
                                            hidden_size=None,
                                            loss_weight=0.01)))
        train_cfg = dict(max_iters=2, val_interval=2)
        '''))
    result = run_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'work',
        '--cfg-options', *data_root_options(tiny_corpus)
    ],
                      env=dict(PYTHONPATH=str(tmp_path)))
    assert 'loss_caption_len' in result.stdout + result.stderr


def test_config_mistakes_are_reported_without_a_traceback(
        tmp_path, tiny_corpus):
    typo_type = derived_config(
        tmp_path, "model = dict(heads=dict(vtc=dict(type='VTCHaed')))\n",
        'typo_type.py')
    result = run_tool([
        'tools/train.py', typo_type, '--work-dir', tmp_path / 'w1',
        '--cfg-options', *data_root_options(tiny_corpus)
    ],
                      check=False)
    assert result.returncode == 2
    assert "Did you mean 'VTCHead'" in result.stderr
    assert 'Traceback' not in result.stderr

    typo_key = derived_config(tmp_path, 'train_dataloder = dict()\n',
                              'typo_key.py')
    result = run_tool(['tools/train.py', typo_key], check=False)
    assert result.returncode == 2
    assert "did you mean 'train_dataloader'" in result.stderr

    result = run_tool([
        'tools/train.py', TINY_CONFIG, '--work-dir', tmp_path / 'w2',
        '--cfg-options', 'train_dataloader.dataset.data_root=/nonexistent'
    ],
                      check=False)
    assert result.returncode == 2
    assert "annotation file '/nonexistent/annotations/webvid_train.csv'" \
        in result.stderr
