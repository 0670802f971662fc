# P3E with MLM + GVTM on the embedded corpus: the separate-encoder baseline
# (MiniLM-L6 text BERT + its own 3-layer fusion BERT), same data, heads and
# schedule as snp_mlm-gvtm_embedded.py.
_base_ = ['./snp_mlm-gvtm_embedded.py']

model = dict(
    encoder=dict(
        type='SeparateFusionEncoder',
        fusion_layers=3,
        fusion_init='text_layers'))
