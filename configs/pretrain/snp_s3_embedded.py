# SNP-S3 on the embedded corpus (the README's main job): MSSM + GVTM + LVWM
# with MiniLM-L6 shared between text and fusion modes and EfficientNet-Lite0
# frames, 4 frames at 64 px, batch 16, 250 iterations on CPU. Evaluates
# zero-shot text-video retrieval on the held-out test split at the end.
_base_ = ['./snp_mlm-gvtm_embedded.py']

model = dict(
    heads=dict(
        lvwm=dict(type='LVWMHead', hidden_size=None, objective='mil_nce')))
train_dataloader = dict(dataset=dict(pipeline={{_base_.mssm_lvwm_pipeline}}))
