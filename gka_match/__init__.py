"""gka-match: match a local challenge to proven interventions and GKA-agenda's.

The Python API for analysts and notebooks::

    import gka_match

    gka = gka_match.open()                      # the store and index of $GKA_DATA_DIR (default ./var)
    answer = gka.search("Veel peuters spreken thuis weinig Nederlands", k=5)
    for r in answer.results:
        print(r.rank, r.lead.name, r.strength, r.reason.points)
    gka.similar("Sittard-Geleen", k=3)
    gka.compare("Heerlen", "Maastricht")
    gka.gaps("Heerlen", k=10)
    gka.clusters()

Everything the CLI, the web page and the API show comes from these same calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["GkaMatch", "open", "table"]


@dataclass
class GkaMatch:
    """An opened store and index, with the search core and the analyses over it."""

    engine: Any  # gka_match.index.engine.Engine
    searcher: Any  # gka_match.index.search.Searcher

    def search(self, q: str, k: int = 10, mode: str = "hybrid", group: bool = True, floor: float | None = None,
               **filters: Any):
        """A :class:`~gka_match.index.search.SearchAnswer`: grouped options with their strength
        and reasons. ``filters``: thema, doelgroep, setting, min_erkenning, kind, gemeente, provincie."""
        from gka_match.index.search import SearchRequest

        return self.searcher.search(SearchRequest(q=q, k=k, mode=mode, group=group, floor=floor, **filters))

    def similar(self, gemeente: str, k: int = 5, with_sentences: bool = True):
        """The ``k`` agendas most like this municipality's, with what they share."""
        from gka_match.index.analysis import similar_agendas

        return similar_agendas(self.engine, gemeente, k=k, with_sentences=with_sentences)

    def compare(self, a: str, b: str):
        """Shared and own interventions, themes and target groups of two agendas."""
        from gka_match.index.analysis import compare_agendas

        return compare_agendas(self.engine, a, b)

    def gaps(self, gemeente: str, k: int | None = 10, peers: int = 5):
        """What the most similar agendas do and this one does not."""
        from gka_match.index.analysis import gaps

        return gaps(self.engine, gemeente, k_peers=peers, k=k)

    def clusters(self, n: int | None = None):
        """Groups of similar agendas (k-means on the agenda vectors; k by silhouette unless ``n``)."""
        from gka_match.index.analysis import clusters

        return clusters(self.engine, n_clusters=n)

    def projection(self) -> list[dict[str, Any]]:
        """Every agenda's position in the first two principal components (for a map)."""
        from gka_match.index.analysis import projection_2d

        return projection_2d(self.engine)

    @property
    def weights(self) -> dict[str, float]:
        """How much each part (challenge, interventions, themes, target groups) weighs in agenda similarity."""
        from gka_match.index.analysis import WEIGHTS

        return dict(WEIGHTS)

    def similarity_matrix(self):
        """Agenda × agenda similarity (a pandas DataFrame, gemeente names as index and columns)."""
        from gka_match.index.analysis import similarity_matrix

        return similarity_matrix(self.engine)

    def records(self) -> tuple[list, list]:
        """(catalogue interventions, agendas) as stored."""
        return self.engine.store.list_interventions(), self.engine.store.list_agendas()

    def evaluate(self, queries_file: Path | None = None, modes: tuple[str, ...] = ("hybrid", "dense", "lexical")) -> dict:
        """Match quality on a labelled query file (default: the dev set), as ``gka-match eval``."""
        from gka_match.index.evaluation import OFFTOPIC_SET, evaluate, load_queries

        return evaluate(self.searcher, load_queries(queries_file), load_queries(OFFTOPIC_SET), modes)


def open(data_dir: Path | str | None = None) -> GkaMatch:  # noqa: A001 - the natural name for the entry point
    """Open the store and index of ``data_dir`` (default ``$GKA_DATA_DIR``); an empty store gets
    the bundled data, a missing or outdated index is built."""
    import os

    from gka_match.config import load_settings
    from gka_match.runtime import open_engine, open_searcher

    if data_dir is not None:
        os.environ["GKA_DATA_DIR"] = str(data_dir)
    settings = load_settings()
    engine = open_engine(settings)
    return GkaMatch(engine, open_searcher(engine, settings))


def table(result: Any, projection: list[dict[str, Any]] | None = None):
    """A pandas DataFrame of an analysis result (similar, compare, gaps, clusters), with an
    ``illustratief`` column wherever invented data can show up."""
    from gka_match.index import analysis

    if isinstance(result, list):
        return analysis.similar_frame(result)
    if isinstance(result, analysis.Comparison):
        return analysis.comparison_frame(result)
    if isinstance(result, analysis.GapReport):
        return analysis.gaps_frame(result)
    if isinstance(result, analysis.ClusterReport):
        return analysis.clusters_frame(result, projection)
    raise TypeError(f"no table for {type(result).__name__}")
