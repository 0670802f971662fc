# Two-stream (dual encoder) baseline on the embedded corpus: MiniLM-L6 text
# encoder and EfficientNet-Lite0 frames with the contrastive loss only (no
# fusion pass, so no MLM or matching heads).
_base_ = ['./snp_mlm-gvtm_embedded.py']

model = dict(
    encoder=dict(type='TwoStreamEncoder'),
    heads=dict(
        _delete_=True,
        vtc=dict(type='VTCHead', hidden_size=None, temperature=0.05)))
train_dataloader = dict(dataset=dict(pipeline={{_base_.contrastive_pipeline}}))
