# SNP with MLM + GVTM + LVWM on the embedded corpus: three significant words
# per caption are matched with every frame (local vision-word matching).
_base_ = ['./snp_mlm-gvtm_embedded.py']

model = dict(
    heads=dict(
        lvwm=dict(type='LVWMHead', hidden_size=None, objective='mil_nce')))
train_dataloader = dict(dataset=dict(pipeline={{_base_.mlm_lvwm_pipeline}}))
