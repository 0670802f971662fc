# SNP with S3 on a CPU budget (the README's main job): MSSM + VTC + LVWM,
# without the cross-matching part of GVTM, whose extra fusion passes would
# double the step time on 2 CPU cores (snp_s3_embedded.py has it).
# MiniLM-L6 shared between text and fusion modes, EfficientNet-Lite0 frames,
# 4 frames at 64 px, batch 16, 250 iterations. Evaluates zero-shot
# text-video retrieval on the held-out test split at the end.
_base_ = [
    '../_base_/models/snp_minilm_effnet-lite0.py',
    '../_base_/datasets/embedded_pretrain.py',
    '../_base_/schedules/embedded_pretrain.py',
    '../_base_/default_runtime.py',
]

model = dict(
    heads=dict(
        lvwm=dict(type='LVWMHead', hidden_size=None, objective='mil_nce')))
train_dataloader = dict(dataset=dict(pipeline={{_base_.mssm_lvwm_pipeline}}))

default_hooks = dict(checkpoint=dict(interval=50))
