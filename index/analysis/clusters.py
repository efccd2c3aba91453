"""Clusters of agendas, their labels, a 2-D map and the similarity matrix."""

from __future__ import annotations

import copy
import re
from collections import Counter
from typing import Any

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.decomposition import PCA
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.metrics.pairwise import cosine_similarity

from gka_match.data.vocab import THEMAS

from ..text import STOPWORDS, fold
from .records import Cluster, ClusterReport
from .space import AgendaSpace, agenda_space


# Words frequent in challenge texts that say nothing about the kind of challenge.
_GENERIC_TERMS = {"gemeente", "relatief", "deel", "aantal", "vaak", "andere", "elders", "groot", "grote",
                  "willen", "daarom", "blijven", "komen", "zitten", "hoger", "lager", "lagere", "stad", "soms"}


def _tfidf_stopwords(space: AgendaSpace) -> list[str]:
    extra = set(_GENERIC_TERMS)
    for p in space.profiles:  # municipality names say where, not what
        extra |= set(re.findall(r"[0-9a-zà-ÿ]+", fold(p.gemeente)))
    return sorted(set(STOPWORDS) | extra)


def clusters(engine, n_clusters: int | None = None, max_clusters: int = 10) -> ClusterReport:
    """Agglomerative clustering (cosine, average linkage) of the agenda vectors.

    Without ``n_clusters`` the number with the best silhouette score between 2 and
    ``max_clusters`` is taken. Each cluster is labelled by the top TF-IDF terms of its members'
    challenge texts (terms in at least two agendas) and its most frequent themes.
    """
    space = agenda_space(engine)
    n = len(space.profiles)
    if n == 0:
        return ClusterReport(0, None, [], [])
    if n_clusters is not None and not 1 <= n_clusters <= n:
        raise ValueError(f"het aantal clusters moet tussen 1 en {n} liggen")
    key = ("clusters", n_clusters, max_clusters)
    if key not in space.memo:
        space.memo[key] = _clusters(space, n_clusters, max_clusters)
    return copy.deepcopy(space.memo[key])


def _clusters(space: AgendaSpace, n_clusters: int | None, max_clusters: int) -> ClusterReport:
    n = len(space.profiles)
    silhouette = None
    if n < 3:
        labels = np.zeros(n, dtype=int)
    elif n_clusters is None:
        best = None
        for c in range(2, min(max_clusters, n - 1) + 1):
            lab = AgglomerativeClustering(n_clusters=c, metric="cosine", linkage="average").fit_predict(space.matrix)
            s = float(silhouette_score(space.matrix, lab, metric="cosine"))
            if best is None or s > best[0] + 1e-9:
                best = (s, lab)
        silhouette, labels = round(best[0], 4), best[1]
    elif n_clusters == 1:
        labels = np.zeros(n, dtype=int)
    else:
        labels = AgglomerativeClustering(n_clusters=n_clusters, metric="cosine", linkage="average").fit_predict(space.matrix)
        if 1 < n_clusters < n:
            silhouette = round(float(silhouette_score(space.matrix, labels, metric="cosine")), 4)
    # renumber clusters by size (largest first), then by first member, for stable output
    order = sorted(set(labels.tolist()), key=lambda c: (-int((labels == c).sum()), int(np.argmax(labels == c))))
    relabel = {c: i for i, c in enumerate(order)}
    labels = np.array([relabel[c] for c in labels.tolist()])
    texts = [p.challenge for p in space.profiles]
    vectorizer = TfidfVectorizer(
        stop_words=_tfidf_stopwords(space), token_pattern=r"(?u)\b[^\W\d_]{3,}\b", sublinear_tf=True,
        min_df=2 if n >= 4 else 1, max_df=0.5 if n >= 4 else 1.0, preprocessor=fold,
    )
    try:
        tfidf = vectorizer.fit_transform(texts)
        vocab = vectorizer.get_feature_names_out()
    except ValueError:  # no terms left
        tfidf, vocab = None, np.array([])
    out = []
    for c in range(len(order)):
        members = [i for i in range(n) if labels[i] == c]
        terms: list[str] = []
        if tfidf is not None and len(vocab):
            weights = np.asarray(tfidf[members].mean(axis=0)).ravel()
            terms = [str(vocab[t]) for t in np.argsort(-weights, kind="stable")[:5] if weights[t] > 0]
        counts = Counter(t for i in members for it in space.profiles[i].items for t in it.themas)
        themas = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], THEMAS.index(kv[0])))[:3]]
        out.append(Cluster(
            cluster=c, label=", ".join(terms[:3]) + (f" · {themas[0]}" if themas else ""), size=len(members),
            gemeenten=[space.profiles[i].gemeente for i in members],
            agenda_ids=[space.profiles[i].id for i in members], terms=terms, themas=themas,
        ))
    assignments = [{"agenda_id": p.id, "gemeente": p.gemeente, "provincie": p.provincie, "cluster": int(labels[i])}
                   for i, p in enumerate(space.profiles)]
    return ClusterReport(len(order), silhouette, out, assignments)


def projection_2d(engine) -> list[dict[str, Any]]:
    """x, y per agenda: PCA of the agenda vectors onto two components (deterministic)."""
    space = agenda_space(engine)
    n = len(space.profiles)
    if n == 0:
        return []
    if n < 3:
        xy = np.zeros((n, 2))
        if n == 2:
            xy[:, 0] = [-0.5, 0.5]
    else:
        xy = PCA(n_components=2, svd_solver="full").fit_transform(space.matrix)
    return [{"agenda_id": p.id, "gemeente": p.gemeente, "provincie": p.provincie,
             "x": round(float(xy[i, 0]), 5), "y": round(float(xy[i, 1]), 5)}
            for i, p in enumerate(space.profiles)]


def similarity_matrix(engine):
    """Agenda-by-agenda similarity (cosine of the agenda vectors) as a pandas DataFrame."""
    import pandas as pd

    space = agenda_space(engine)
    names = [p.gemeente for p in space.profiles]
    return pd.DataFrame(cosine_similarity(space.matrix), index=names, columns=names)
