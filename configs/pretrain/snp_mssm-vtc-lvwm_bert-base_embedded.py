# The main job's recipe (MSSM + VTC + LVWM on the embedded corpus) at the
# paper's model scale: BERT-base shared between text and fusion, ResNet-50
# frames, batch 8. Randomly initialised (nothing to download), for
# measuring the step at scale:
#   python tools/analysis_tools/benchmark.py \
#       configs/pretrain/snp_mssm-vtc-lvwm_bert-base_embedded.py
# (4 frames at 64 px as the embedded configs; the paper trains at 224 px.)
_base_ = ['./snp_mssm-vtc-lvwm_embedded.py']

bert_base = dict(
    vocab_size=30522,
    hidden_size=768,
    num_hidden_layers=12,
    num_attention_heads=12,
    intermediate_size=3072)
model = dict(
    backbone=dict(
        _delete_=True, type='TimmFrameEncoder', model_name='resnet50'),
    encoder=dict(_delete_=True, type='SharedBertEncoder', config=bert_base))
train_dataloader = dict(batch_size=8)
