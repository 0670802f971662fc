# SNP-S3 pre-training on WebVid-2M, the paper's full method: the recipe of
# snp_mlm-gvtm_webvid.py with S3 added, i.e. MSSM instead of MLM (mask the
# mined significant words) and LVWM (match three significant words per
# caption with every frame).
#   bash tools/dist_train.sh configs/pretrain/snp_s3_webvid.py 8
_base_ = ['./snp_mlm-gvtm_webvid.py']

model = dict(
    heads=dict(
        lvwm=dict(type='LVWMHead', hidden_size=None, objective='mil_nce')))
train_dataloader = dict(dataset=dict(pipeline={{_base_.mssm_lvwm_pipeline}}))
