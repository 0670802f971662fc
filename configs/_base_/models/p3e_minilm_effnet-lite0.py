# P3E on a laptop budget: the MiniLM-L6 text BERT of
# snp_minilm_effnet-lite0.py plus a separate 3-layer fusion BERT with its own
# embeddings and pooler (initialised from MiniLM's embeddings and first 3
# layers), EfficientNet-Lite0 frames. Same heads as SNP.
_base_ = ['./snp_minilm_effnet-lite0.py']

model = dict(
    encoder=dict(
        type='SeparateFusionEncoder',
        fusion_layers=3,
        fusion_init='text_layers'))
