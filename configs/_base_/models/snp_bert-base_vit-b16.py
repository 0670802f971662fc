# SNP at the paper's scale with a ViT frame encoder: BERT-base
# (bert-base-uncased) shared between the text and fusion modes, ViT-B/16
# frames (timm's `vit_base_patch16_224`; the [CLS] token is dropped and the
# 14 x 14 patch tokens are pooled to one token per frame).
# Put the HuggingFace bert-base-uncased folder and timm's ViT-B/16 weights
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
        model_name='vit_base_patch16_224',
        checkpoint='data/pretrained/vit_base_patch16_224.pth'),
    encoder=dict(
        type='SharedBertEncoder',
        pretrained='data/pretrained/bert-base-uncased',
        config=bert_base),
    heads=dict(
        mlm=dict(type='MLMHead', hidden_size=None, vocab_size=None),
        vtc=dict(type='VTCHead', hidden_size=None, temperature=0.05)),
    retrieval_head='vtc')
