# SNP at the paper's scale with its PVT backbone: snp_bert-base_r50.py with
# PVTv2-B2 frames (timm's `pvt_v2_b2`; its last stage, a 512-channel 7 x 7
# grid at 224 px, is pooled to one token per frame). Put timm's PVTv2-B2
# weights under data/pretrained/ (see README), or set the path here.
_base_ = ['./snp_bert-base_r50.py']

model = dict(
    backbone=dict(
        model_name='pvt_v2_b2', checkpoint='data/pretrained/pvt_v2_b2.pth'))
