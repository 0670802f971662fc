# SNP with MLM + GVTM on the embedded corpus: the S3 ablation's baseline row.
# GVTM = VTC (in-batch contrastive, MIL over frames) + cross matching (the
# fusion pass scores each caption with its video and its hardest other
# video, MIL-NCE). MiniLM-L6 shared between text and fusion modes,
# EfficientNet-Lite0 frames, 4 frames at 64 px, batch 16, 250 iterations.
_base_ = [
    '../_base_/models/snp_minilm_effnet-lite0.py',
    '../_base_/datasets/embedded_pretrain.py',
    '../_base_/schedules/embedded_pretrain.py',
    '../_base_/default_runtime.py',
]

model = dict(
    heads=dict(
        xm=dict(
            type='CrossMatchingHead',
            hidden_size=None,
            negatives='hard',
            # One hard negative per row and column keeps a CPU step near
            # 1.5 s; the paper scores all b x b pairs on GPUs.
            num_hard=1)))

default_hooks = dict(checkpoint=dict(interval=50))
