import numpy as np, torch
from tokenizers import Tokenizer
from convert import load_bert, TOK

def tokenizer():
    t = Tokenizer.from_file(TOK); t.no_padding(); t.enable_truncation(max_length=128)
    return t

def batch(tok, pairs):
    encs = tok.encode_batch(pairs); w = max(len(e.ids) for e in encs)
    ids = np.zeros((len(encs), w), np.int64); mask = np.zeros_like(ids); tt = np.zeros_like(ids)
    for r, e in enumerate(encs):
        n = len(e.ids); ids[r, :n] = e.ids; mask[r, :n] = 1; tt[r, :n] = e.type_ids
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(tt)

class CrossEncoder(torch.nn.Module):
    """MiniLM-L6 (from the ONNX weights) over "[CLS] q [SEP] s [SEP]", mean pooling -> linear -> logit."""
    def __init__(self, init_bert=True):
        super().__init__()
        self.bert, _ = load_bert()
        self.drop = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(384, 1)
    def forward(self, ids, mask, tt):
        h = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=tt).last_hidden_state
        m = mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1)
        return self.head(self.drop(pooled)).squeeze(-1)

@torch.no_grad()
def score(model, tok, pairs, bs=32):
    """probabilities for (q, s) pairs; length-sorted batches."""
    model.eval()
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    out = np.zeros(len(pairs), np.float32)
    for i in range(0, len(order), bs):
        idx = order[i:i + bs]
        out[idx] = torch.sigmoid(model(*batch(tok, [pairs[k] for k in idx]))).numpy()
    return out
