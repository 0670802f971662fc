# SNP with the paper's MLM + GVTM heads at BERT-base + ResNet-50: MLM, VTC
# and cross matching over all b x b pairs of the per-GPU batch (the public
# code's protocol).
_base_ = ['./snp_bert-base_r50.py']

model = dict(
    heads=dict(
        xm=dict(type='CrossMatchingHead', hidden_size=None, negatives='all')))
