# Zero-shot text-video retrieval on the embedded corpus's held-out test split
# (the README's main job evaluates with this after pre-training):
#   python tools/test.py configs/retrieval/snp_s3_zeroshot_embedded.py \
#       work_dirs/snp_mssm-vtc-lvwm_embedded/iter_250.pth
_base_ = [
    '../_base_/models/snp_minilm_effnet-lite0.py',
    '../_base_/datasets/embedded_pretrain.py',
    '../_base_/default_runtime.py',
]
train_dataloader = None
val_dataloader = None
val_evaluator = None
val_cfg = None
