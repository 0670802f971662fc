# S3 ablation on WebVid-2M: MLM + GVTM + LVWM (random masking, with LVWM).
_base_ = ['./snp_mlm-gvtm_webvid.py']

model = dict(
    heads=dict(
        lvwm=dict(type='LVWMHead', hidden_size=None, objective='mil_nce')))
train_dataloader = dict(dataset=dict(pipeline={{_base_.mlm_lvwm_pipeline}}))
