"""`Router`: from a resident's own words to the directory services most likely to meet the need.

Method (chosen by measurement, see docs/benchmarks.md, "Method selection"):

1. Every service becomes a set of short training texts: its name, alternate name, description sentences and
   directory phrases, plus, for each LGSL code it carries, the LGSL label and the resident lexicon's phrases
   for that code. The lexicon is what lets any LGSL-tagged directory understand "rubbish dumped in the alley"
   without ever seeing that council's reports. A service the council left untagged learns the lexicon of a
   code guessed for it (`code_guess`), in a directory that looks like a council's.
2. Texts are normalised (`text_normalise`: spelling, misspellings, lemmas) and turned into word + character
   n-gram TF-IDF vectors (`features`).
3. A linear SVM (one class per service, one-vs-rest) learns which words point to which service, so that
   "flytip" outweighs "street" and "book" tells a bulky-waste collection from a dumped sofa.
4. The ranking score is the SVM margin plus a small prior for how often residents report that kind of
   problem nationally (`report_prior`: potholes and fly-tipping far more than fly-posting), which settles
   near-ties for any council; a message of several sentences weighs its first sentence in a little.
   Confidence (`calibration`) comes from the service's support: its best margin over the message and its
   first sentences, less how far an out-of-scope class (small talk,
   shopping, travel: `lexicon/out_of_scope.yml`) beats it, plus half an in-domain score from a second,
   binary SVM ("is this about anything in the directory?"), measured from the directory's own floor (the
   support of its weakest training texts, so that a threshold means the same among 800 services as among
   200), through a logistic curve whose two parameters and threshold were set on development measurements.
   A message about nothing in the directory has low support everywhere, so it falls below `unmet_threshold`.

Fitting takes a few seconds for a few hundred services; ranking takes a few milliseconds.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from difflib import get_close_matches
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.svm import LinearSVC

from bot.directory.snapshot import DirectoryEntry
from bot.routing.calibration import Calibration
from bot.routing.code_guess import guess_missing_codes, lgsl_reference_entries, needs_a_code
from bot.routing.features import TextFeatures, content_words
from bot.routing.lexicon import Lexicon, default_lexicon, not_evidence_words, out_of_scope_phrases
from bot.routing.place_names import without_place_names
from bot.routing.report_prior import prior_bonus
from bot.routing.text_normalise import normalise

FORMAT_VERSION = 5
MODEL_FILE = "router_weights.npz"
META_FILE = "router.json"
ARRAY_FILES = ("intercepts", "prior")
MAX_QUERY_CHARS = 1000
"""Only the first 1,000 characters of a message are routed: the point of a report comes first, and it
bounds the cost (routing the first 2,000 gave the same top-1 on the development set)."""

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
MAX_SENTENCES = 2
"""How many leading sentences of a long message are also scored on their own, for confidence."""
TITLE_WEIGHT = 0.2
"""A message of several sentences is ranked on its whole text and, with this weight, its first sentence:
residents state the problem first and add detail that can mislead ("Mattress. On the footbridge over the
river"). Chosen on the development reports (docs/benchmarks.md, row 32)."""
PRUNE_BELOW = 0.005
"""SVM weights smaller than this are dropped: 8% of them carry the ranking, and the model stays small."""
CLASS_CHUNK_BYTES = 192 * 2**20
"""How much dense weight liblinear may hold at once while the service SVM is fitted (`class_chunk`)."""
SVM_TOLERANCE = 0.1
"""liblinear's stopping tolerance (its own default; scikit-learn's is 1e-4): on a 1,712-service directory it
halves the fit and moves the weights by 0.5% (their norm), less than the pruning (docs/routing.md)."""
PARALLEL_WORK = 1e9
"""Classes x non-zero features above which the groups are fitted in several processes (the demo directory,
about 3e8, is fitted in one: starting the workers would cost more than it saves)."""
REST = -1
"""The label of the texts of classes outside the chunk being fitted (`Router._train`)."""
SUPPORT_BLOCK = 2048
"""Training texts scored at a time when the support floor is measured (`Router._top_support`)."""
DOMAIN_C = 1.0
"""Regularisation of the in-domain SVM (the service SVM uses `Router.c`)."""
FLOOR_QUANTILE = 0.02
"""Support is measured from the directory's own floor: the support that all but this share of its own
training texts reach. Margins run lower in a directory of 800 services than in one of 200, so a fixed
threshold that suits one misjudges the other; measured from the floor, one threshold suits both
(docs/benchmarks.md, row 33)."""


EVIDENCE_SPELLING = 0.8
"""How close (difflib ratio) a word of five letters or more must be to a directory word to count as a
misspelling of it ("recylcing", "mattres")."""


class RouterNotTrained(ValueError):
    """`rank` or `save` on a router that has not been fitted, or `load` from a folder with no router."""


@dataclass(frozen=True)
class Candidate:
    """One ranked service: `score` orders candidates, `confidence` (0-1) decides met or unmet."""

    service_id: str
    name: str
    lgsl_codes: tuple[int, ...]
    score: float
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["lgsl_codes"] = list(self.lgsl_codes)
        return data


def _labels() -> dict[int, str]:
    from bot.directory.lgsl import lgsl_catalogue

    return {code: service.label for code, service in lgsl_catalogue().items()}


def service_texts(entry: DirectoryEntry, lexicon: Lexicon, labels: dict[int, str]) -> list[str]:
    """The short texts that describe one service, before normalisation (its training examples)."""
    texts = [entry.name]
    if entry.alternate_name:
        texts.append(entry.alternate_name)
    texts.extend(s for s in _SENTENCE.split(entry.description or "") if len(s.split()) >= 2)
    texts.extend(entry.phrases)
    for code in entry.lgsl_codes:
        if code in labels:
            texts.append(labels[code])
        texts.extend(lexicon.get(code, ()))
    seen: set[str] = set()
    unique = []
    for text in texts:
        key = " ".join(text.lower().split())
        if key and key not in seen:
            seen.add(key)
            unique.append(text)
    return unique


class Router:
    """Ranks directory services for a message. `fit` on directory entries, then `rank`; `save`/`load`."""

    def __init__(self, c: float = 0.1, calibration: Calibration | None = None) -> None:
        self.c = c
        self.calibration = calibration or Calibration()
        self.features: TextFeatures | None = None
        self.services: list[tuple[str, str, tuple[int, ...]]] = []
        self.weights: sparse.csr_matrix | None = None
        """SVM weights, tiny ones pruned: one row per service, then the out-of-scope class, then the
        in-domain score."""
        self.intercepts: np.ndarray | None = None
        self.prior: np.ndarray = np.zeros(0, dtype=np.float64)
        """Per service, the national report-frequency bonus added to its ranking margin (empty unfitted)."""
        self.guessed_codes: dict[str, tuple[int, ...]] = {}
        """Service id → the LGSL code learnt for an untagged service (`code_guess`), for the record."""
        self.floor = 0.0
        """The support of the directory's weakest training texts (`FLOOR_QUANTILE`), subtracted from every
        support so that confidence means the same in any directory."""
        self._weights_by_feature: sparse.csr_matrix | None = None
        self._known_words: dict[str, list[str]] | None = None

    @property
    def unmet_threshold(self) -> float:
        """Below this top-candidate confidence the bot says it has no service for the message."""
        return self.calibration.threshold

    def fit(
        self,
        entries: Sequence[DirectoryEntry],
        lexicon: Lexicon | None = None,
        out_of_scope: Sequence[str] | None = None,
        guess_codes: bool = True,
        reference: Callable[[], Router] | None = None,
    ) -> Router:
        """Learn the services in `entries` (active ones; inactive are skipped) with the resident lexicon.

        `out_of_scope` (default: the shipped list) are messages about nothing in any directory; they are
        learnt as one extra class that is never a candidate but lowers confidence when it wins. With
        `guess_codes`, untagged services learn the lexicon of a guessed LGSL code (`code_guess`); the
        guesses are kept in `guessed_codes`, and candidates still carry only the directory's own codes.
        `reference` gives the router of every LGSL service with the shipped lexicon that guessing needs
        (default `default_reference_router`; training passes one kept between runs, `fit_cache`).
        """
        lexicon = default_lexicon() if lexicon is None else lexicon
        out_of_scope = out_of_scope_phrases() if out_of_scope is None else out_of_scope
        active = [entry for entry in entries if entry.active]
        if not active:
            raise ValueError("no active services to route to: the directory is empty")
        self.guessed_codes = {}
        self._learn(active, active, lexicon, out_of_scope)
        if guess_codes and any(needs_a_code(entry) for entry in active):
            if lexicon is default_lexicon() and out_of_scope is out_of_scope_phrases():
                reference_router = (reference or default_reference_router)()
            else:
                reference_router = Router(self.c, self.calibration).fit(
                    lgsl_reference_entries(), lexicon, out_of_scope, guess_codes=False
                )
            guessed = guess_missing_codes(active, as_is=self, reference=reference_router)
            if guessed:
                learnt = [
                    replace(entry, lgsl_codes=guessed[entry.service_id])
                    if entry.service_id in guessed
                    else entry
                    for entry in active
                ]
                self._learn(active, learnt, lexicon, out_of_scope)
                self.guessed_codes = guessed
        return self

    def _learn(
        self,
        active: Sequence[DirectoryEntry],
        learnt: Sequence[DirectoryEntry],
        lexicon: Lexicon,
        out_of_scope: Sequence[str],
    ) -> None:
        """Fit on `learnt` (the services with the codes they learn from), reporting `active`'s own codes.

        Each distinct training text is learnt once, as the text of every service that has it (services
        sharing an LGSL code share its lexicon: in a directory of several councils' services, 300,000 texts
        are 20,000 distinct ones), so a service's lexicon is never learnt as evidence against it because
        another service has it too. The TF-IDF weights, the in-domain score and the support floor still
        count each service's texts, as if every copy were there."""
        labels_by_code = _labels()
        texts: list[str] = []
        owners: list[list[int]] = []
        position: dict[str, int] = {}

        def learn(text: str, owner: int) -> None:
            """One distinct normalised text, with every class that has it."""
            normalised = normalise(text)
            if not normalised:
                return
            at = position.setdefault(normalised, len(texts))
            if at == len(texts):
                texts.append(normalised)
                owners.append([])
            if owner not in owners[at]:
                owners[at].append(owner)

        for index, entry in enumerate(learnt):
            for text in service_texts(entry, lexicon, labels_by_code):
                learn(text, index)
        copies = np.asarray([len(classes) for classes in owners], dtype=np.int64)
        outside = len(active)
        for phrase in out_of_scope:
            learn(phrase, outside)
        copies = np.append(copies, np.zeros(len(texts) - len(copies), dtype=np.int64))
        self.services = [(e.service_id, e.name, tuple(e.lgsl_codes)) for e in active]
        self.features = TextFeatures().fit(texts, copies=copies)
        matrix = self.features.transform(texts)
        weights, intercepts = self._train(matrix, owners, classes=len(active) + 1)
        in_domain = (copies > 0).astype(np.int32)
        domain, domain_bias = self._train_domain(matrix, in_domain, np.maximum(copies, 1))
        self.weights = sparse.vstack([weights, domain], format="csr")
        self.intercepts = np.append(intercepts, domain_bias)
        self.prior = prior_bonus([entry.lgsl_codes for entry in learnt])
        self._weights_by_feature = None
        self._known_words = None
        service_rows = np.flatnonzero(copies)
        support = np.repeat(self._top_support(matrix[service_rows]), copies[service_rows])
        self.floor = float(np.quantile(support, FLOOR_QUANTILE))

    def _top_support(self, vectors: sparse.csr_matrix) -> np.ndarray:
        """For each one-sentence text, the support of its top-ranked service as `evidence` computes it,
        before the floor is taken off (this is what the floor is measured on). In blocks of rows, so that
        no dense texts x services array is ever whole."""
        supports = []
        for start in range(0, vectors.shape[0], SUPPORT_BLOCK):
            services, supported, domain = self._split(self._margins(vectors[start : start + SUPPORT_BLOCK]))
            top = np.argmax(services + self.prior, axis=1)
            supports.append(self.calibration.support(supported[np.arange(len(top)), top], domain))
        return np.concatenate(supports) if supports else np.zeros(0)

    def _train_domain(
        self, matrix: sparse.csr_matrix, in_domain: np.ndarray, copies: np.ndarray
    ) -> tuple[sparse.csr_matrix, float]:
        """One more row: a binary SVM for "about something in this directory" against the out-of-scope
        texts, balanced so the few out-of-scope texts count as much as the many directory texts (each
        directory text as many times as services have it)."""
        if in_domain.min() == in_domain.max():
            return sparse.csr_matrix((1, matrix.shape[1]), dtype=np.float32), 0.0
        counts = np.bincount(in_domain, weights=copies, minlength=2)
        balance = copies * (copies.sum() / (2.0 * counts))[in_domain]
        model = LinearSVC(C=DOMAIN_C, tol=SVM_TOLERANCE, max_iter=2000, random_state=0)
        model.fit(matrix, in_domain, sample_weight=balance)
        row = model.coef_.astype(np.float32)
        row[np.abs(row) < PRUNE_BELOW] = 0.0
        return sparse.csr_matrix(row), float(model.intercept_[0])

    def _train(
        self, matrix: sparse.csr_matrix, owners: Sequence[Sequence[int]], classes: int
    ) -> tuple[sparse.csr_matrix, np.ndarray]:
        """One-vs-rest linear SVM weights, one row per class (a class with no texts never wins): each class
        learns its texts (row `i` of `matrix` belongs to the classes `owners[i]`) against every other text.

        Fitted a group of classes at a time (`class_groups`): liblinear keeps a dense float64 weight for
        every class and feature, which for 1,700 services and 200,000 features is gigabytes. A group holds
        classes that share no text, so each text is labelled with its one owner in the group, or `REST`
        (whose own weights are thrown away): each class's problem is the same whatever group it is in, and
        the memory is bounded by the group's size. Large problems fit their groups in `fit_workers()`
        processes at once (each group is seeded, so the result does not depend on where it ran)."""
        intercepts = np.full(classes, -10.0)
        groups = class_groups(owners, classes, class_chunk(matrix.shape[1]))
        matrix = sparse.csr_matrix(matrix, dtype=np.float64)  # liblinear's type: converted once, not per fit
        rows_of: list[list[int]] = [[] for _ in range(classes)]
        for row, members in enumerate(owners):
            for member in members:
                rows_of[member].append(row)
        group_labels = []
        for group in groups:
            labels = np.full(matrix.shape[0], REST, dtype=np.int64)
            for member in group:
                labels[rows_of[member]] = member
            group_labels.append(labels)
        workers = min(fit_workers(), len(groups)) if classes * matrix.nnz >= PARALLEL_WORK else 1
        if workers > 1:
            # joblib's loky processes: started fresh (no fork of a process that may run TensorFlow), without
            # running the caller's main script again, and sharing the matrix through memory-mapped arrays
            from joblib import Parallel, delayed

            fitted = Parallel(n_jobs=workers, backend="loky")(
                delayed(_fit_group)(matrix, labels, self.c) for labels in group_labels
            )
        else:
            fitted = [_fit_group(matrix, labels, self.c) for labels in group_labels]
        parts: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
        for results in fitted:
            for label, columns, values, offset in results:
                parts[0].append(np.full(len(columns), label, dtype=np.int64))
                parts[1].append(columns)
                parts[2].append(values)
                intercepts[label] = offset
        weights = sparse.csr_matrix(
            (np.concatenate(parts[2]), (np.concatenate(parts[0]), np.concatenate(parts[1]))),
            shape=(classes, matrix.shape[1]),
            dtype=np.float32,
        )
        return weights, intercepts.astype(np.float64)

    def _require_fitted(self) -> None:
        self._fitted()

    def _fitted(self) -> tuple[TextFeatures, sparse.csr_matrix, np.ndarray]:
        """The fitted parts (features, weights, intercepts), or RouterNotTrained."""
        if self.weights is None or self.features is None or self.intercepts is None:
            raise RouterNotTrained("the router has not been fitted: call fit(entries) or Router.load(folder)")
        return self.features, self.weights, self.intercepts

    def _margins(self, vectors: sparse.csr_matrix) -> np.ndarray:
        """Rows: texts; columns: services, then the out-of-scope class, then the in-domain score."""
        _, _, intercepts = self._fitted()
        return (vectors @ self._by_feature()).toarray() + intercepts

    def _split(self, margins: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row of margins: the service margins, the same less how far the out-of-scope class beats the
        best service, and the in-domain score."""
        count = len(self.services)
        services, outside, domain = margins[:, :count], margins[:, count], margins[:, count + 1]
        penalty = np.maximum(outside - services.max(axis=1), 0.0)
        return services, services - penalty[:, None], domain

    def _by_feature(self) -> sparse.csr_matrix:
        """The weights with one row per feature: what a message's sparse vector multiplies, fast."""
        if self._weights_by_feature is None:
            _, weights, _ = self._fitted()
            self._weights_by_feature = weights.T.tocsr()
        return self._weights_by_feature

    def evidence(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """`_scores` without whether the message has evidence (see there)."""
        ranking, support, _ = self._scores(text)
        return ranking, support

    def _scores(self, text: str) -> tuple[np.ndarray, np.ndarray, bool]:
        """Per service: the ranking score (the whole message's margin, blended with the first sentence's
        when there are several, plus the report prior) and the support used for confidence.

        The report prior only breaks ties between services the message's words point to (a positive
        contribution to the margin): with no evidence, no favourite (fly-tipping) wins by default.

        Support is the best margin over the whole message and its first sentences (long reports bury the
        point in detail), less how far the out-of-scope class beats the best service there, plus the
        weighted in-domain score: is this about anything in the directory at all?
        """
        features, _, intercepts = self._fitted()
        text = text[:MAX_QUERY_CHARS]
        segments = [normalise(text)]
        sentences = [s for s in _SENTENCE.split(text) if s.strip()]
        if len(sentences) > 1:
            segments.extend(normalise(s) for s in sentences[:MAX_SENTENCES])
        vectors = features.transform(segments)
        services, supported, domain = self._split(self._margins(vectors))
        support = supported.max(axis=0)
        ranking = services[0]
        if len(segments) > 1:
            ranking = (services[0] + TITLE_WEIGHT * services[1]) / (1.0 + TITLE_WEIGHT)
        # a street name says where, not what: "church road" alone is no evidence for any service
        has_evidence = self._has_evidence(normalise(without_place_names(text)))
        evidenced = (services[0] - intercepts[: len(self.services)] > 0.0) & has_evidence
        ranking = ranking + np.where(evidenced, self.prior, 0.0)
        return ranking, self.calibration.support(support, float(domain[0])) - self.floor, has_evidence

    def _evidence_words(self) -> dict[str, list[str]]:
        """The directory's own words that can point at a service, by first letter: the single words of the
        services' texts, less those that never do on their own (`lexicon/not_evidence.yml`)."""
        if self._known_words is None:
            generic = not_evidence_words()
            known: dict[str, list[str]] = {}
            word_counter, _ = self._fitted()[0]._counters()
            for word in word_counter.vocabulary_:
                if " " not in word and len(word) >= 2 and word not in generic:
                    known.setdefault(word[0], []).append(word)
            self._known_words = known
        return self._known_words

    def has_evidence(self, text: str) -> bool:
        """Does any word of `text` (or a near spelling of one) occur in what the directory's services say?

        No evidence, no answer: a message whose words the directory never uses ("reablement" in a directory
        that does not mention it, "what's the weather") is not forced onto the nearest service by shared
        letters; every candidate's confidence is then 0 and the message is unmet.
        """
        self._require_fitted()
        return self._has_evidence(normalise(without_place_names(text[:MAX_QUERY_CHARS])))

    def _has_evidence(self, normal: str) -> bool:
        """`has_evidence` for text already normalised (as `_scores` has it)."""
        known, generic = self._evidence_words(), not_evidence_words()
        words = [w for w in content_words(normal).split() if len(w) >= 2 and w not in generic]
        if any(word in known.get(word[0], ()) for word in words):
            return True
        return any(
            get_close_matches(word, known.get(word[0], ()), n=1, cutoff=EVIDENCE_SPELLING)
            for word in words
            if len(word) >= 5
        )

    def rank(self, text: str, k: int = 5) -> list[Candidate]:
        """The `k` most likely services for `text`, best first; empty text gives no candidates.

        Candidates of a message with no evidence (`has_evidence`) all have confidence 0."""
        self._require_fitted()
        if not (text or "").strip():
            return []
        margins, support, has_evidence = self._scores(text)
        if not has_evidence:
            support = np.full_like(support, -np.inf)
        order = np.argsort(-margins, kind="stable")[: max(k, 0)]
        return [
            Candidate(
                service_id=self.services[index][0],
                name=self.services[index][1],
                lgsl_codes=self.services[index][2],
                score=round(float(margins[index]), 6),
                confidence=(
                    round(self.calibration.confidence(float(support[index])), 6)
                    if np.isfinite(support[index])
                    else 0.0
                ),
            )
            for index in (int(i) for i in order)
        ]

    def save(self, folder: Path) -> None:
        """Write the fitted router to `folder` as arrays (`.npy`, `.npz`) and JSON: no pickle, so reading a
        model can run no stored code (the reason Rasa itself moved off pickle, CVE-2024-49375)."""
        features, weights, _ = self._fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        sparse.save_npz(folder / MODEL_FILE, weights.tocsr(), compressed=False)
        for name in ARRAY_FILES:
            np.save(folder / f"router_{name}.npy", np.asarray(getattr(self, name)), allow_pickle=False)
        features.to_files(folder)
        meta = {
            "version": FORMAT_VERSION,
            "c": self.c,
            "services": [[service_id, name, list(codes)] for service_id, name, codes in self.services],
            "calibration": self.calibration.as_dict(),
            "unmet_threshold": self.unmet_threshold,
            "support_floor": self.floor,
            "guessed_lgsl_codes": {sid: list(codes) for sid, codes in sorted(self.guessed_codes.items())},
        }
        (folder / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Router:
        """The router saved in `folder`; `RouterNotTrained` (a ValueError) when there is none."""
        folder = Path(folder)
        model_path, meta_path = folder / MODEL_FILE, folder / META_FILE
        if not model_path.is_file() or not meta_path.is_file():
            raise RouterNotTrained(f"{folder}: no saved router ({MODEL_FILE} and {META_FILE})")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("version") != FORMAT_VERSION:
            found = meta.get("version")
            raise RouterNotTrained(f"{folder}: router format {found}, expected {FORMAT_VERSION}: retrain")
        router = cls(c=meta["c"], calibration=Calibration.from_dict(meta["calibration"]))
        router.features = TextFeatures.from_files(folder)
        router.services = [(s, n, tuple(c)) for s, n, c in meta["services"]]
        router.weights = sparse.load_npz(model_path).tocsr()
        router.intercepts = np.load(folder / "router_intercepts.npy", allow_pickle=False)
        router.prior = np.load(folder / "router_prior.npy", allow_pickle=False)
        router.floor = float(meta["support_floor"])
        guessed = meta.get("guessed_lgsl_codes") or {}
        router.guessed_codes = {sid: tuple(codes) for sid, codes in guessed.items()}
        return router


GroupFit = list[tuple[int, np.ndarray, np.ndarray, float]]
"""Per class of a group: its label, the columns and float32 values of its pruned weights, its intercept."""


def _fit_group(matrix: sparse.csr_matrix, labels: np.ndarray, c: float) -> GroupFit:
    """One liblinear fit of a group of classes (`Router._train`); the `REST` class is left out."""
    present = np.unique(labels)
    if len(present) == 1:  # one class owns every text: it always wins
        return [(int(present[0]), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), 0.0)]
    model = LinearSVC(C=c, tol=SVM_TOLERANCE, max_iter=2000, random_state=0).fit(matrix, labels)
    rows, bias = model.coef_, model.intercept_
    if len(model.classes_) == 2:
        rows, bias = np.vstack([-rows[0], rows[0]]), np.array([-bias[0], bias[0]])
    fitted: GroupFit = []
    for label, row, offset in zip(model.classes_, rows, bias, strict=True):
        if label != REST:
            kept = np.flatnonzero(np.abs(row) >= PRUNE_BELOW)
            fitted.append((int(label), kept, row[kept].astype(np.float32), float(offset)))
    return fitted


def fit_workers() -> int:
    """How many processes fit a large router's groups at once: the machine's cores, at most four."""
    return max(1, min(os.cpu_count() or 1, 4))


def class_groups(owners: Sequence[Sequence[int]], classes: int, size: int) -> list[list[int]]:
    """The classes that have texts, in groups of at most `size` that share no text (`Router._train`):
    each class goes to the first group with room that holds none of the classes it shares a text with."""
    sharing: list[set[int]] = [set() for _ in range(classes)]
    has_texts = np.zeros(classes, dtype=bool)
    for members in {tuple(members) for members in owners}:
        has_texts[list(members)] = True
        if len(members) > 1:
            for member in members:
                sharing[member].update(members)
    groups: list[list[int]] = []
    group_of = np.full(classes, -1, dtype=np.int64)
    first_open = 0
    for label in np.flatnonzero(has_texts):
        taken = {int(group_of[other]) for other in sharing[label] if group_of[other] >= 0}
        while first_open < len(groups) and len(groups[first_open]) >= size:
            first_open += 1
        chosen = next(
            (g for g in range(first_open, len(groups)) if len(groups[g]) < size and g not in taken),
            len(groups),
        )
        if chosen == len(groups):
            groups.append([])
        groups[chosen].append(int(label))
        group_of[label] = chosen
    return groups


def class_chunk(features: int) -> int:
    """How many classes one liblinear fit takes: its dense float64 weights (held twice, by liblinear and by
    scikit-learn) for that many classes stay within `CLASS_CHUNK_BYTES`."""
    return max(1, CLASS_CHUNK_BYTES // (2 * 8 * max(features, 1)))


@lru_cache(maxsize=1)
def default_reference_router() -> Router:
    """A router of one service per LGSL code with the shipped lexicon (`code_guess`), fitted once a process:
    it depends only on files shipped with the code."""
    return Router().fit(lgsl_reference_entries(), guess_codes=False)
