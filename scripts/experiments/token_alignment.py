"""SQuAD2 (odd articles): does MiniLM token alignment separate answerable vs unanswerable better than lexical coverage?

An experiment, not part of the product: `python scripts/experiments/token_alignment.py` (about 3 minutes,
needs scikit-learn) prints the tables quoted in docs/eval.md ("Tried and not shipped: token alignment").
"""
import json, math, random, re, sys, time
from collections import Counter
import numpy as np
from rag.index.embedder import _Runtime
from rag.text.sentences import split_sentences
from sklearn.metrics import roc_auc_score
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
from sklearn.model_selection import GroupKFold

N_MAX = 1500
rt = _Runtime.get(2)
tok = rt.tokenizer
STOP = set("""a an the of in on at to for from by with about as into onto over under and or but nor not no
is are was were be been being am do does did done has have had having what which who whom whose when where why how
that this these those there here it its they them their he she his her him we our you your i me my
can could would should will shall may might must than then also too very just only such some any all each
other more most many much one ones if so s t did does name named called""".split())
WORD = re.compile(r"\w+")

def content(words):
    return [w for w in words if w not in STOP and (len(w) >= 3 or w.isdigit())]

data = json.load(open(str(__import__("pathlib").Path(__file__).resolve().parents[3] / "shared/bench/squad2-dev/dev-v2.0.json")))["data"]
# idf over all paragraphs of the dev set
df, npar = Counter(), 0
for art in data:
    for p in art["paragraphs"]:
        npar += 1
        df.update(set(WORD.findall(p["context"].lower())))
def idf(w):
    return math.log((npar + 1) / (df.get(w, 0) + 1)) + 1.0

items = []
for ai, art in enumerate(data):
    if ai % 2 == 0:
        continue
    for pi, p in enumerate(art["paragraphs"]):
        for qa in p["qas"]:
            items.append((ai, pi, qa))
random.Random(0).shuffle(items)
pos_q = [x for x in items if not x[2]["is_impossible"]][: N_MAX // 2]
neg_q = [x for x in items if x[2]["is_impossible"]][: N_MAX - min(N_MAX // 2, len(pos_q))]
sample = pos_q + neg_q
print("sampled", len(pos_q), "answerable", len(neg_q), "unanswerable", file=sys.stderr)

def run(enc_list):
    """Padded batch run -> list of (hidden[n, 384]) per encoding."""
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

def l2(m):
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)

def q_words(enc, text, hidden, seq=0):
    """Content words of sequence `seq`: (word, averaged normalised piece vector)."""
    groups = {}
    for t, (wid, sid) in enumerate(zip(enc.word_ids, enc.sequence_ids)):
        if wid is None or sid != seq:
            continue
        groups.setdefault(wid, []).append(t)
    out = []
    for wid, toks in groups.items():
        s, e = enc.offsets[toks[0]][0], enc.offsets[toks[-1]][1]
        w = text[s:e].lower()
        if not WORD.fullmatch(w) or not content([w]):
            continue
        v = hidden[toks].mean(0)
        out.append((w, v / max(np.linalg.norm(v), 1e-12)))
    return out

def align_feats(words, S):
    """words: [(w, vec)], S: normalised sentence token matrix."""
    if not words:
        return [1.0, 1.0, 1.0, 1.0, 0, 0, 0]
    ms = np.array([float((S @ v).max()) for _, v in words])
    wts = np.array([idf(w) for w, _ in words])
    srt = np.sort(ms)
    return [srt[0], ms.mean(), float((ms * wts).sum() / wts.sum()), srt[1] if len(srt) > 1 else srt[0],
            int((ms < 0.5).sum()), int((ms < 0.6).sum()), int((ms < 0.7).sum())]

para_cache = {}
rows, labels, groups = [], [], []
t_sent = t_q = t_joint = 0.0
n_sent_enc = 0
dropped = 0
T0 = time.time()
for k, (ai, pi, qa) in enumerate(sample):
    ctx = data[ai]["paragraphs"][pi]["context"]
    key = (ai, pi)
    if key not in para_cache:
        t = time.perf_counter()
        sents = [ctx[a:b] for a, b in split_sentences(ctx)] or [ctx]
        encs = tok.encode_batch(sents)
        hs = []
        for i in range(0, len(encs), 16):
            hs += run(encs[i : i + 16])
        para_cache[key] = (sents, encs, [pooled(h) for h in hs], [l2(h[1:-1]) for h in hs])
        t_sent += time.perf_counter() - t; n_sent_enc += len(sents)
    sents, sencs, svecs, stoks = para_cache[key]
    q = qa["question"].strip()
    t = time.perf_counter()
    qenc = tok.encode(q); qh = run([qenc])[0]
    t_q += time.perf_counter() - t
    qv = pooled(qh)
    cos = [float(qv @ v) for v in svecs]
    j = int(np.argmax(cos)); sent = sents[j]
    if qa["is_impossible"]:
        lab = 0
    else:
        if not any(a["text"].strip().lower() in sent.lower() for a in qa["answers"]):
            dropped += 1
            continue
        lab = 1
    # lexical
    qw = content(WORD.findall(q.lower()))
    sw = set(WORD.findall(sent.lower()))
    if qw:
        lex = sum(w in sw for w in qw) / len(qw)
        lexi = sum(idf(w) for w in qw if w in sw) / sum(idf(w) for w in qw)
    else:
        lex = lexi = 1.0
    # alignment, separate encodings
    a3 = align_feats(q_words(qenc, q, qh), stoks[j])
    # alignment, joint encoding
    t = time.perf_counter()
    jenc = tok.encode(q, sent); jh = run([jenc])[0]
    t_joint += time.perf_counter() - t
    sidx = [t_ for t_, s_ in enumerate(jenc.sequence_ids) if s_ == 1]
    a4 = align_feats(q_words(jenc, q, jh, 0), l2(jh[sidx]))
    rows.append([lex, lexi, cos[j]] + a3 + a4); labels.append(lab); groups.append(ai)
    if k % 300 == 0:
        print(k, round(time.time() - T0), file=sys.stderr)

X = np.array(rows, float); y = np.array(labels); g = np.array(groups)
AN = ["min", "mean", "idf_mean", "2nd_min", "n<0.5", "n<0.6", "n<0.7"]
names = ["lex_cov", "lex_idf_cov", "dense_cos"] + ["sep_" + a for a in AN] + ["joint_" + a for a in AN]
npos, nneg = int(y.sum()), int((1 - y).sum())
out = [f"# SQuAD2 dev, odd articles: answerable-with-answer-in-picked-sentence vs unanswerable",
       f"positives {npos}, negatives {nneg}, answerable dropped (picked sentence lacks answer) {dropped}", ""]
out += ["| feature | AUC (higher=answerable; count features negated) |", "|---|---|"]
for i, n in enumerate(names):
    s = -X[:, i] if n.split("_", 1)[-1].startswith("n<") else X[:, i]
    out.append(f"| {n} | {roc_auc_score(y, s):.3f} |")

def cv(cols):
    p = np.zeros(len(y))
    for tr, te in GroupKFold(5).split(X, y, g):
        m = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
        m.fit(X[tr][:, cols], y[tr]); p[te] = m.predict_proba(X[te][:, cols])[:, 1]
    return p

def reject_at(p, keep=0.92):
    thr = np.quantile(p[y == 1], 1 - keep)
    return float((p[y == 0] < thr).mean())

sets = {"lexical (2)": [0, 1], "lexical+dense": [0, 1, 2], "lexical+dense+align(sep)": list(range(10)),
        "lexical+dense+align(joint)": [0, 1, 2] + list(range(10, 17)), "all": list(range(17)),
        "dense+align(sep)": list(range(2, 10)), "align(sep) only": list(range(3, 10)),
        "align(joint) only": list(range(10, 17))}
out += ["", "| logistic regression, 5-fold GroupKFold by article | AUC | unanswerable rejected @ 92% positives kept |", "|---|---|---|"]
for n, cols in sets.items():
    p = cv(cols)
    out.append(f"| {n} | {roc_auc_score(y, p):.3f} | {reject_at(p):.3f} |")
for i in (1, 2):
    out.append(f"| single {names[i]} (raw threshold) | {roc_auc_score(y, X[:, i]):.3f} | {reject_at(X[:, i]):.3f} |")
nq = len(sample)
out += ["", f"timing (2 threads, int8 ONNX): question alone {1000*t_q/nq:.1f} ms/q; joint q+sentence {1000*t_joint/len(y):.1f} ms/q; "
        f"paragraph sentences {1000*t_sent/n_sent_enc:.1f} ms/sentence ({n_sent_enc} sentences, {1000*t_sent/nq:.1f} ms/q amortised over {len(para_cache)} paragraphs)",
        "align(sep) reuses the question and sentence token states of the retrieval encodings: no extra model run."]
print("\n".join(out))
