# SNP with MSSM + GVTM on the embedded corpus: masks significant words
# (mined nouns, verbs, adjectives) instead of random ones.
_base_ = ['./snp_mlm-gvtm_embedded.py']

train_dataloader = dict(dataset=dict(pipeline={{_base_.mssm_pipeline}}))
