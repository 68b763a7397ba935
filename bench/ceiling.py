"""How well the development labels can be learnt at all: a supervised reference, never a product method.

The development reports are labelled with the category each resident chose, and those choices overlap
(half the "Fly-Posting" reports describe fly-tipping). To tell how much of the router's shortfall is the
router and how much is the labels, this trains a text classifier on the reports themselves, with k-fold
cross-validation (each report is scored by a model that never saw it), and scores it exactly as the router is
scored: a report is right when the predicted category's acceptable LGSL codes include one of its own.

This is what a model fitted to one council's own labelled reports achieves on that same council: an upper
reference for a router that, by design, learns only from the directory and the council-generic lexicon.
Nothing here is saved or shipped; the router never sees these reports (docs/benchmarks.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from bot.routing.evaluate import QueryRow

FOLDS = 5
MIN_GROUP_FOR_FOLDS = FOLDS
"""Groups with fewer reports than folds cannot be stratified; they are still scored (and usually missed)."""


def _vectorisers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """The same kind of features as the router (word 1-2 grams, character 3-5 grams)."""
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, lowercase=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2)
    return words, chars


def _fold_labels(groups: np.ndarray) -> np.ndarray:
    """Stratification labels: tiny groups are pooled so that every stratum has at least FOLDS members."""
    names, counts = np.unique(groups, return_counts=True)
    small = set(names[counts < MIN_GROUP_FOR_FOLDS])
    pooled = "(small groups)"
    if counts[counts < MIN_GROUP_FOR_FOLDS].sum() < MIN_GROUP_FOR_FOLDS:
        pooled = str(names[np.argmax(counts)])  # too few even together: they ride with the largest group
    return np.array([pooled if g in small else g for g in groups])


def supervised_reference(
    rows: Sequence[QueryRow], *, balanced: bool = False, c: float = 1.0, seed: int = 0
) -> dict[str, Any]:
    """Cross-validated top-1, top-3 and macro top-1 of a linear SVM trained on `rows`' own groups.

    Only rows with expected codes and text take part. `balanced` weights every group equally in training,
    which trades plain accuracy for the per-group average.
    """
    labelled = [row for row in rows if row.expected and row.text.strip()]
    if len({row.group for row in labelled}) < 2:
        raise ValueError("the supervised reference needs labelled rows in at least two groups")
    groups = np.array([row.group for row in labelled])
    names = sorted(set(groups))
    index = {name: i for i, name in enumerate(names)}
    codes_of_group: dict[str, frozenset[int]] = {}
    for row in labelled:
        codes_of_group[row.group] = codes_of_group.get(row.group, frozenset()) | row.expected
    y = np.array([index[g] for g in groups])
    texts = [row.text for row in labelled]
    scores = np.full((len(labelled), len(names)), -np.inf)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    for train, test in folds.split(texts, _fold_labels(groups)):
        words, chars = _vectorisers()
        train_texts = [texts[i] for i in train]
        test_texts = [texts[i] for i in test]
        x_train = sparse.hstack([words.fit_transform(train_texts), chars.fit_transform(train_texts)]).tocsr()
        x_test = sparse.hstack([words.transform(test_texts), chars.transform(test_texts)]).tocsr()
        model = LinearSVC(C=c, class_weight="balanced" if balanced else None, max_iter=3000)
        model.fit(x_train, y[train])
        decision = model.decision_function(x_test)
        if decision.ndim == 1:  # two classes present in this fold
            decision = np.column_stack([-decision, decision])
        scores[np.ix_(test, model.classes_)] = decision
    top1_hits = top3_hits = 0
    per_group: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(labelled):
        ranked = [names[j] for j in np.argsort(-scores[i])[:3]]
        first = bool(row.expected & codes_of_group[ranked[0]])
        top1_hits += first
        top3_hits += any(row.expected & codes_of_group[name] for name in ranked)
        per_group[row.group].append(int(first))
    return {
        "n": len(labelled),
        "top1": round(top1_hits / len(labelled), 4),
        "top3": round(top3_hits / len(labelled), 4),
        "macro_top1": round(float(np.mean([np.mean(hits) for hits in per_group.values()])), 4),
        "groups": {group: round(float(np.mean(hits)), 3) for group, hits in sorted(per_group.items())},
        "balanced": balanced,
        "folds": FOLDS,
    }
