# SNP at the paper's scale with its PVT backbone: BERT-base
# (bert-base-uncased) shared between the text and fusion modes, PVTv2-B2
# frames (timm's `pvt_v2_b2`; its last stage, a 512-channel 7 x 7 grid at
# 224 px, is pooled to one token per frame).
# Put the HuggingFace bert-base-uncased folder and timm's PVTv2-B2 weights
# under data/pretrained/ (see README), or set the paths here.
bert_base = dict(
    vocab_size=30522,
    hidden_size=768,
    num_hidden_layers=12,
    num_attention_heads=12,
    intermediate_size=3072)
model = dict(
    type='VideoTextPretrainer',
    data_preprocessor=dict(type='VideoTextDataPreprocessor'),
    backbone=dict(
        type='TimmFrameEncoder',
        model_name='pvt_v2_b2',
        checkpoint='data/pretrained/pvt_v2_b2.pth'),
    encoder=dict(
        type='SharedBertEncoder',
        pretrained='data/pretrained/bert-base-uncased',
        config=bert_base),
    heads=dict(
        mlm=dict(type='MLMHead', hidden_size=None, vocab_size=None),
        vtc=dict(type='VTCHead', hidden_size=None, temperature=0.05)),
    retrieval_head='vtc')
