# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""A head from the user's own package, registered through custom_imports."""
import textwrap

from conftest import data_root_options, derived_config, run_tool

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
