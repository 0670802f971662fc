# SNP pre-training on the embedded corpus (the README's main job):
# MiniLM-L6 shared between text and fusion modes + EfficientNet-Lite0 frames,
# MLM + VTC, 4 frames at 64 px, batch 16, 250 iterations on CPU. Evaluates
# zero-shot text-video retrieval on the held-out test split at the end.
_base_ = [
    '../_base_/models/snp_minilm_effnet-lite0.py',
    '../_base_/datasets/embedded_pretrain.py',
    '../_base_/schedules/embedded_pretrain.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(checkpoint=dict(interval=50))
