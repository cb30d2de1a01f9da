"""95% bootstrap intervals (resampling questions, 2000 draws) for the headline scores saved by evaluate.py."""
import sys, pickle, numpy as np
from sklearn.metrics import roc_auc_score
E = pickle.load(open("/tmp/xenc/data.pkl", "rb"))["evalset"]; y = np.array([e["label"] for e in E]); p = np.load(sys.argv[1])
rng = np.random.default_rng(0); A, R = [], []
pos, neg = np.where(y == 1)[0], np.where(y == 0)[0]
for _ in range(2000):
    i = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))]); yy, pp = y[i], p[i]
    A.append(roc_auc_score(yy, pp)); R.append(float((pp[yy == 0] < np.quantile(pp[yy == 1], 0.08)).mean()))
print(sys.argv[1], "AUC 95%% CI %.3f-%.3f; rejected@8%% 95%% CI %.3f-%.3f" % (*np.percentile(A, [2.5, 97.5]), *np.percentile(R, [2.5, 97.5])))
