# SNP-S3 on the embedded corpus with the paper's full objective: MSSM + GVTM
# + LVWM (the main job, snp_mssm-vtc-lvwm_embedded.py, leaves out GVTM's
# cross matching, which doubles the CPU step). MiniLM-L6 shared between
# text and fusion modes, EfficientNet-Lite0 frames, 4 frames at 64 px,
# batch 16, 250 iterations on CPU. Evaluates zero-shot text-video
# retrieval on the held-out test split at the end.
_base_ = ['./snp_mlm-gvtm_embedded.py']

model = dict(
    heads=dict(
        lvwm=dict(type='LVWMHead', hidden_size=None, objective='mil_nce')))
train_dataloader = dict(dataset=dict(pipeline={{_base_.mssm_lvwm_pipeline}}))
