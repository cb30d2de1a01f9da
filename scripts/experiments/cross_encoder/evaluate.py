"""Evaluate on odd articles. usage: evaluate.py CKPT.pt [--onnx MODEL.onnx]  (ONNX path: score with onnxruntime instead of torch)"""
import sys, json, math, random, re, pickle, time
from collections import Counter
import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
from sklearn.model_selection import GroupKFold

D = pickle.load(open("/tmp/xenc/data.pkl", "rb"))
E, paras = D["evalset"], D["odd_paras"]
assert all(e["ai"] % 2 == 1 for e in E)
data = json.load(open("/work/shared/bench/squad2-dev/dev-v2.0.json"))["data"]

if "--onnx" in sys.argv:
    import onnxruntime as ort
    from xmodel import tokenizer, batch
    o = ort.SessionOptions(); o.intra_op_num_threads = 2; o.inter_op_num_threads = 1
    sess = ort.InferenceSession(sys.argv[sys.argv.index("--onnx") + 1], o, providers=["CPUExecutionProvider"])
    tok = tokenizer()
    def score_pairs(pairs, bs=32):
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        out = np.zeros(len(pairs), np.float32)
        for i in range(0, len(order), bs):
            idx = order[i:i + bs]
            ids, mask, tt = batch(tok, [pairs[k] for k in idx])
            lg = sess.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": tt.numpy()})[0]
            out[idx] = 1 / (1 + np.exp(-lg.reshape(-1)))
        return out
    tag = "onnx:" + sys.argv[sys.argv.index("--onnx") + 1]
else:
    import torch
    from xmodel import CrossEncoder, tokenizer, score
    torch.set_num_threads(2)
    model = CrossEncoder(); model.load_state_dict(torch.load(sys.argv[1])); model.eval(); tok = tokenizer()
    score_pairs = lambda pairs: score(model, tok, pairs)
    tag = "torch:" + sys.argv[1]

def has_ans(sent, qa):
    return any(a["text"].strip().lower() in sent.lower() for a in qa["answers"])
def reject_at(y, p, keep=0.92):
    thr = np.quantile(p[y == 1], 1 - keep)
    return float((p[y == 0] < thr).mean())

# full sample as in token_alignment.py (incl. the 127 answerable whose dense-picked sentence lacks the answer)
items = []
for ai, art in enumerate(data):
    if ai % 2 == 0: continue
    for pi, p in enumerate(art["paragraphs"]):
        for qa in p["qas"]:
            items.append((ai, pi, qa))
random.Random(0).shuffle(items)
full = [x for x in items if not x[2]["is_impossible"]][:750] + [x for x in items if x[2]["is_impossible"]][:750]

T0 = time.time()
# all (question, sentence) pairs of the questions' paragraphs
pairs, index = [], {}
for ai, pi, qa in full:
    for k, s in enumerate(paras[(ai, pi)]):
        index[(qa["id"], k)] = len(pairs); pairs.append((qa["question"].strip(), s))
P = score_pairs(pairs)
print(f"[{tag}] scored {len(pairs)} pairs in {time.time()-T0:.0f}s", file=sys.stderr)

y = np.array([e["label"] for e in E]); groups = np.array([e["ai"] for e in E])
p_pick = np.array([P[index[(e["id"], e["j"])]] for e in E])
rows = [f"## {tag}", f"eval set: {int(y.sum())} answerable (dense-picked sentence holds the answer), {int((1-y).sum())} unanswerable, odd articles", "",
        "| scoring | AUC | unanswerable rejected @ <=8% answerable rejected |", "|---|---|---|"]
rows.append(f"| xenc p(q, dense-picked sentence) | {roc_auc_score(y, p_pick):.3f} | {reject_at(y, p_pick):.3f} |")
# product-like: max over the paragraph's sentences
pmax, argok = {}, {}
for ai, pi, qa in full:
    sc = [P[index[(qa["id"], k)]] for k in range(len(paras[(ai, pi)]))]
    pmax[qa["id"]] = max(sc)
    if not qa["is_impossible"]:
        argok[qa["id"]] = has_ans(paras[(ai, pi)][int(np.argmax(sc))], qa)
p_max = np.array([pmax[e["id"]] for e in E])
rows.append(f"| xenc max over paragraph sentences (same 623/750 set) | {roc_auc_score(y, p_max):.3f} | {reject_at(y, p_max):.3f} |")
yf = np.array([0 if qa["is_impossible"] else 1 for _, _, qa in full]); pf = np.array([pmax[qa["id"]] for _, _, qa in full])
rows.append(f"| xenc max over paragraph sentences (all 750 answerable / 750) | {roc_auc_score(yf, pf):.3f} | {reject_at(yf, pf):.3f} |")
acc_all = np.mean([argok[qa["id"]] for _, _, qa in full if not qa["is_impossible"]])
acc_623 = np.mean([argok[e["id"]] for e in E if e["label"] == 1])
argline = (f"argmax sentence holds the answer: {acc_all:.3f} of all 750 answerable; {acc_623:.3f} of the 623 (dense top-1 holds it: 623/750 = {623/750:.3f})")

# lexical+dense features re-derived as in token_alignment.py, to test whether xenc adds to them (LR, 5-fold GroupKFold on odd articles)
STOP = set("""a an the of in on at to for from by with about as into onto over under and or but nor not no
is are was were be been being am do does did done has have had having what which who whom whose when where why how
that this these those there here it its they them their he she his her him we our you your i me my
can could would should will shall may might must than then also too very just only such some any all each
other more most many much one ones if so s t did does name named called""".split())
WORD = re.compile(r"\w+")
content = lambda ws: [w for w in ws if w not in STOP and (len(w) >= 3 or w.isdigit())]
df, npar = Counter(), 0
for art in data:
    for p in art["paragraphs"]:
        npar += 1; df.update(set(WORD.findall(p["context"].lower())))
idf = lambda w: math.log((npar + 1) / (df.get(w, 0) + 1)) + 1.0
X = []
for e in E:
    sent = paras[(e["ai"], e["pi"])][e["j"]]; qw = content(WORD.findall(e["q"].lower())); sw = set(WORD.findall(sent.lower()))
    lex, lexi = (sum(w in sw for w in qw) / len(qw), sum(idf(w) for w in qw if w in sw) / sum(idf(w) for w in qw)) if qw else (1.0, 1.0)
    X.append([lex, lexi, e["cos"], math.log(p_pick[len(X)] + 1e-6) - math.log(1 - p_pick[len(X)] + 1e-6), math.log(p_max[len(X)] + 1e-6) - math.log(1 - p_max[len(X)] + 1e-6)])
X = np.array(X)
def cv(cols):
    p = np.zeros(len(y))
    for tr, te in GroupKFold(5).split(X, y, groups):
        m = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)); m.fit(X[tr][:, cols], y[tr]); p[te] = m.predict_proba(X[te][:, cols])[:, 1]
    return p
for name, cols in [("LR lexical+dense (re-derived, reference)", [0, 1, 2]), ("LR lexical+dense+xenc(picked)", [0, 1, 2, 3]), ("LR lexical+dense+xenc(picked,max)", [0, 1, 2, 3, 4])]:
    p = cv(cols); rows.append(f"| {name} | {roc_auc_score(y, p):.3f} | {reject_at(y, p):.3f} |")
print("\n".join(rows) + "\n\n" + argline)
np.save(tag.split(":")[0] + "_scores.npy", p_pick)
