# SimVTP at the paper's scale: one unified ViT-B (12 layers, width 768) over
# visible 2x16x16 video tubes followed by caption tokens from
# bert-base-uncased's embedding layer; tube masking at 0.9; four objectives
# weighted 1: masked video reconstruction (VideoMAE's decoder, 4 layers,
# width 384), MLM, and VTC / VTM on clean inputs with masked mean pooling.
# Initialised from VideoMAE ViT-B (Kinetics-400, self-supervised, 1600
# epochs): put that checkpoint and bert-base-uncased under data/pretrained/
# (see the README's SimVTP section), or set the paths here.
model = dict(
    type='SimVTPPretrainer',
    data_preprocessor=dict(type='VideoTextDataPreprocessor'),
    encoder=dict(
        type='UnifiedVideoTextEncoder',
        vit=dict(
            type='VideoViT',
            arch='base',
            patch_size=16,
            tubelet_size=2,
            checkpoint='data/pretrained/videomae_vit-b_k400_pretrain.pth'),
        text_pretrained='data/pretrained/bert-base-uncased'),
    tube_masking=dict(type='TubeMasking', ratio=0.9),
    heads=dict(
        mvm=dict(
            type='MaskedVideoReconstructionHead',
            in_dims=None,
            patch_size=None,
            tubelet_size=None,
            decoder_dims=384,
            decoder_layers=4,
            decoder_heads=6),
        mlm=dict(type='MLMHead', hidden_size=None, vocab_size=None),
        vtc=dict(type='MeanPoolVTCHead', temperature=0.05),
        # The public code pairs each caption with one random other video;
        # VTMHead also pairs each video with one other caption.
        vtm=dict(type='VTMHead', hidden_size=None, negatives='random')),
    retrieval_head='vtc')
