# Two-stream (dual encoder) baseline on WebVid-2M: BERT-base text encoder and
# ResNet-50 frames with the contrastive loss only, same recipe.
_base_ = ['./snp_mlm-gvtm_webvid.py']

model = dict(
    encoder=dict(type='TwoStreamEncoder'),
    heads=dict(
        _delete_=True,
        vtc=dict(type='VTCHead', hidden_size=None, temperature=0.05)))
train_dataloader = dict(dataset=dict(pipeline={{_base_.contrastive_pipeline}}))
