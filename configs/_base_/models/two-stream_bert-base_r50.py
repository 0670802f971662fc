# Two-stream (dual encoder) baseline at SNP's scale: the text BERT-base of
# snp_bert-base_r50.py alone, ResNet-50 frames, and only the contrastive
# head: a dual encoder has no fusion pass, so MLM/MSSM, VTM and cross
# matching cannot train it (LVWM could be added: it reads the text pass).
_base_ = ['./snp_bert-base_r50.py']

model = dict(
    encoder=dict(type='TwoStreamEncoder'),
    heads=dict(
        _delete_=True,
        vtc=dict(type='VTCHead', hidden_size=None, temperature=0.05)))
