# P3E, the paper's separate-fusion baseline, at SNP's scale: the text
# BERT-base of snp_bert-base_r50.py plus a separate 3-layer fusion BERT with
# its own embeddings and pooler (initialised from the text BERT's embeddings
# and first 3 layers), ResNet-50 frames, one token per frame. Same heads as
# SNP, so the two differ in the encoder only (+45.1M parameters).
_base_ = ['./snp_bert-base_r50.py']

model = dict(
    encoder=dict(
        type='SeparateFusionEncoder',
        fusion_layers=3,
        fusion_init='text_layers'))
