# P3E with MLM + GVTM on WebVid-2M: the separate-encoder baseline the paper
# compares SNP with (text BERT-base + a separate 3-layer fusion BERT with its
# own embeddings), same data, heads and recipe as snp_mlm-gvtm_webvid.py.
_base_ = ['./snp_mlm-gvtm_webvid.py']

model = dict(
    encoder=dict(
        type='SeparateFusionEncoder',
        fusion_layers=3,
        fusion_init='text_layers'))
