# S3 ablation on WebVid-2M: MSSM + GVTM (no LVWM).
_base_ = ['./snp_mlm-gvtm_webvid.py']

train_dataloader = dict(dataset=dict(pipeline={{_base_.mssm_pipeline}}))
