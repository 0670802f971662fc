# SNP at the paper's scale with a ViT frame encoder: snp_bert-base_r50.py
# with ViT-B/16 frames (timm's `vit_base_patch16_224`; the [CLS] token is
# dropped and the 14 x 14 patch tokens are pooled to one token per frame).
# Put timm's ViT-B/16 weights under data/pretrained/ (see README), or set
# the path here.
_base_ = ['./snp_bert-base_r50.py']

model = dict(
    backbone=dict(
        model_name='vit_base_patch16_224',
        checkpoint='data/pretrained/vit_base_patch16_224.pth'))
