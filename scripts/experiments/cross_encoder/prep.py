"""Reproduce token_alignment.py's evaluation set (odd articles) and mine training pairs (even articles).
Run with /work/main/.venv python, PYTHONPATH=/work/main, PYTHONDONTWRITEBYTECODE=1 (reads the repo only)."""
import json, random, sys, time, pickle
import numpy as np
from rag.index.embedder import _Runtime
from rag.text.sentences import split_sentences

rt = _Runtime.get(2); tok = rt.tokenizer
data = json.load(open("/work/shared/bench/squad2-dev/dev-v2.0.json"))["data"]
N_MAX = 1500

def run(enc_list):
    w = max(len(e.ids) for e in enc_list)
    ids = np.zeros((len(enc_list), w), np.int64); mask = np.zeros_like(ids)
    for r, e in enumerate(enc_list):
        ids[r, : len(e.ids)] = e.ids; mask[r, : len(e.ids)] = 1
    feeds = {"input_ids": ids, "attention_mask": mask}
    if "token_type_ids" in rt.inputs:
        feeds["token_type_ids"] = np.zeros_like(ids)
    h = rt.session.run(None, feeds)[0]
    return [h[r, : len(e.ids)] for r, e in enumerate(enc_list)]

def pooled(h):
    v = h.mean(0); return v / max(np.linalg.norm(v), 1e-12)

paras = {}  # (ai,pi) -> (sents, vecs)
def para(ai, pi):
    key = (ai, pi)
    if key not in paras:
        ctx = data[ai]["paragraphs"][pi]["context"]
        sents = [ctx[a:b] for a, b in split_sentences(ctx)] or [ctx]
        encs = tok.encode_batch(sents); hs = []
        for i in range(0, len(encs), 16):
            hs += run(encs[i : i + 16])
        paras[key] = (sents, np.stack([pooled(h) for h in hs]))
    return paras[key]

def qvec(q):
    return pooled(run([tok.encode(q)])[0])

def has_ans(sent, qa):
    return any(a["text"].strip().lower() in sent.lower() for a in qa["answers"])

T0 = time.time()
# ---- eval sample: exactly as token_alignment.py
items = []
for ai, art in enumerate(data):
    if ai % 2 == 0: continue
    for pi, p in enumerate(art["paragraphs"]):
        for qa in p["qas"]:
            items.append((ai, pi, qa))
random.Random(0).shuffle(items)
pos_q = [x for x in items if not x[2]["is_impossible"]][: N_MAX // 2]
neg_q = [x for x in items if x[2]["is_impossible"]][: N_MAX - min(N_MAX // 2, len(pos_q))]
evalset, dropped = [], 0
for ai, pi, qa in pos_q + neg_q:
    sents, vecs = para(ai, pi)
    q = qa["question"].strip()
    cos = vecs @ qvec(q); j = int(np.argmax(cos))
    if qa["is_impossible"]:
        lab = 0
    else:
        if not has_ans(sents[j], qa):
            dropped += 1; continue
        lab = 1
    evalset.append(dict(ai=ai, pi=pi, id=qa["id"], q=q, label=lab, j=j, cos=float(cos[j]),
                        ans_sents=[k for k, s in enumerate(sents) if (not qa["is_impossible"]) and has_ans(s, qa)]))
print("eval: pos", sum(e["label"] for e in evalset), "neg", sum(1 - e["label"] for e in evalset), "dropped", dropped, round(time.time() - T0), file=sys.stderr)

# ---- training pairs: even articles
train, n_ans_noloc = [], 0
for ai, art in enumerate(data):
    if ai % 2: continue
    for pi, p in enumerate(art["paragraphs"]):
        sents, vecs = para(ai, pi)
        for qa in p["qas"]:
            q = qa["question"].strip()
            if qa["is_impossible"]:
                cos = vecs @ qvec(q); order = np.argsort(-cos)
                for r, k in enumerate(order[:2]):
                    train.append(dict(ai=ai, pi=pi, q=q, s=sents[k], y=0, kind="unans_top%d" % (r + 1)))
            else:
                pos = [k for k, s in enumerate(sents) if has_ans(s, qa)]
                # positive = the sentence holding the first answer's start offset (fallback: string match)
                st = qa["answers"][0]["answer_start"]; ctx = p["context"]
                spans = split_sentences(ctx) or [(0, len(ctx))]
                kk = [k for k, (a, b) in enumerate(spans) if a <= st < b]
                if kk and has_ans(sents[kk[0]], qa): pos_k = kk[0]
                elif pos: pos_k = pos[0]
                else: n_ans_noloc += 1; continue
                train.append(dict(ai=ai, pi=pi, q=q, s=sents[pos_k], y=1, kind="pos"))
                for k, s in enumerate(sents):
                    if k != pos_k and k not in pos:
                        train.append(dict(ai=ai, pi=pi, q=q, s=s, y=0, kind="ans_other"))
print("train pairs", len(train), "pos", sum(t["y"] for t in train), "answerable w/o locatable sentence", n_ans_noloc, round(time.time() - T0), file=sys.stderr)
# paragraphs sentences for odd articles (product-like eval)
odd_paras = {k: v[0] for k, v in paras.items() if k[0] % 2}
pickle.dump(dict(evalset=evalset, train=train, odd_paras=odd_paras, dropped=dropped), open("/tmp/xenc/data.pkl", "wb"))
