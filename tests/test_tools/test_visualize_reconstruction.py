# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import importlib.util

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image
from snps3_test_helpers import REPO, run_tool

from snps3.models.heads.video_reconstruction import normalise_per_tube
from snps3.registry import MODELS

TOOL = REPO / 'tools' / 'analysis_tools' / 'visualize_reconstruction.py'
CONFIG = REPO / 'configs' / 'pretrain' / 'simvtp_vit-tiny_embedded.py'
TINY = {
    'model.encoder.vit.arch.embed_dims': 32,
    'model.encoder.vit.arch.num_layers': 1,
    'model.encoder.vit.arch.num_heads': 4,
    'model.encoder.text_pretrained': None,
    'model.encoder.text_config.vocab_size': 30522,
    'model.encoder.text_config.max_position_embeddings': 64,
    'model.heads.mvm.decoder_dims': 16,
    'model.heads.mvm.decoder_layers': 1,
    'model.heads.mvm.decoder_heads': 2,
}


def load_tool():
    spec = importlib.util.spec_from_file_location('visualize', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_denormalise_restores_a_perfect_prediction():
    tool = load_tool()
    tubes = torch.rand(6, 8, 3) * 50 + 10
    mask = torch.tensor([True, False, True, True, False, False])
    pred = normalise_per_tube(tubes[None])[0]
    out = tool.denormalise(pred, tubes, mask, 'original')
    assert torch.allclose(out, tubes, atol=1e-3)
    wrong = pred + 5.0
    out = tool.denormalise(wrong, tubes, mask, 'visible')
    assert torch.equal(out[~mask], tubes[~mask])  # visible: original
    assert not torch.allclose(out[mask], tubes[mask])


def test_writes_one_picture_and_text_per_clip(tiny_corpus, tmp_path):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(TINY)
    init_default_scope('snps3')
    model = MODELS.build(cfg.model)
    ckpt = tmp_path / 'simvtp.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    options = [f'{k}={v}' for k, v in TINY.items()]
    options.append(f'train_dataloader.dataset.data_root={tiny_corpus}')
    out = tmp_path / 'vis'
    run_tool([
        TOOL, CONFIG, ckpt, '--out', out, '--num-clips', 2, '--scale', 2,
        '--cfg-options', *options
    ])
    for i in range(2):
        image = Image.open(out / f'clip_{i}.png')
        image.verify()
        image = Image.open(out / f'clip_{i}.png')
        # 4 frames of 64 px at scale 2 with 2 px gaps; 3 rows and text.
        assert image.size[0] == 4 * (128 + 2) + 2
        assert image.size[1] > 3 * (128 + 2)
        text = (out / f'clip_{i}.txt').read_text()
        assert '[MASK]' in text and 'words:' in text
        assert 'tube mask (24 of 32 tubes hidden)' in text
