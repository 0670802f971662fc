# SNP-S3 pre-training on CC3M (image-text, images as 1-frame videos), the
# paper's first stage before WebVid: BERT-base shared between text and
# fusion modes, ResNet-50, MSSM + GVTM + LVWM, batch 128 (16 x 8 GPUs),
# 130k iterations, step at 110k.
#   bash tools/dist_train.sh configs/pretrain/snp_s3_cc3m.py 8
_base_ = [
    '../_base_/models/snp-gvtm_bert-base_r50.py',
    '../_base_/datasets/cc3m_pretrain.py',
    '../_base_/schedules/pretrain_cc3m_130k.py',
    '../_base_/default_runtime.py',
]

model = dict(
    heads=dict(
        lvwm=dict(type='LVWMHead', hidden_size=None, objective='mil_nce')))
# Trained by iterations: draw from an endless sampler (the WebVid base's
# DefaultSampler is for its epoch schedule).
train_dataloader = dict(sampler=dict(type='InfiniteSampler', shuffle=True))
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(interval=10_000))
