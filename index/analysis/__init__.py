"""Analyses over agendas: similar municipalities, comparisons, gaps, clusters and a 2-D map.

Pure functions over an :class:`~gka_match.index.engine.Engine` and the store's records; the
maths is scikit-learn's (cosine similarity, nearest neighbours, clustering, PCA, TF-IDF) and
pandas is only used for tabular output (``*_frame`` functions, CSV/XLSX exports).

Agenda representation
---------------------
Every agenda becomes one vector, the concatenation of four unit-length blocks, each scaled by
the square root of its weight (``WEIGHTS``):

============== ====== =====================================================================
block          weight what
============== ====== =====================================================================
``uitdaging``  0.40   embedding of *Aanleiding en uitdagingen* (the engine's embedder, with
                      the document/passage prompt)
``interventies`` 0.30 mean of the stored vectors of the agenda's interventions
``themas``     0.20   multi-hot of the THEMAS its interventions carry
``doelgroepen`` 0.10  multi-hot of the DOELGROEPEN its interventions carry
============== ====== =====================================================================

Because each block has unit length, the cosine of two agenda vectors is exactly the weighted
sum of the four block cosines, so a score can be explained block by block (``components``).
The two embedding blocks are first mean-centred over all agendas: e5 embeddings of any two
Dutch education texts have a cosine of about 0.85, and centring removes that shared direction
so the blocks separate a health agenda from a language agenda (measured on the bundled data:
without centring, Sittard-Geleen's nearest agendas are Veendam and Heerlen with Maastricht
fifth; with it, Heerlen, Maastricht and Kerkrade). Scores therefore lie in [-1, 1]; 0 is an
average pair.

Equivalent interventions
------------------------
An agenda intervention without ``catalogus_id`` whose name (with or without the municipality's
name) equals a catalogue programme's name or alias is treated as applying that programme
(``catalogus_via_naam``). Two agenda interventions are then related as

* ``zelfde programma``: they apply the same catalogue programme;
* ``zelfde programma (lokale naam)``: one's name mentions the name or an alias of the programme
  the other applies (a local name for a known programme, "Taalcafé voor ouders" ~ Taalhuis);
* ``zelfde naam``: the same name apart from the municipality, and a cosine of at least
  ``NAMED_COSINE`` ("Thuiszitterstafel Apeldoorn" ~ "Thuiszitterstafel Enschede");
* ``vergelijkbaar``: their stored vectors have a cosine of at least ``EQUIVALENT_COSINE``
  (0.95), or of at least ``NAMED_COSINE`` (0.92) with names that look alike (character n-gram
  TF-IDF cosine at least ``NAME_SIMILARITY``);

never when both apply two *different* programmes. Tuned on the bundled data, where items
applying the same programme have a median cosine of 0.94 and unrelated pairs 0.85, but two
different VVE programmes still reach 0.94, hence the high bar and the name evidence. Pairs are
made one-to-one by maximum total strength (scipy's assignment solver).

Challenge texts and their sentences are embedded once per text and model
(``<index dir>/analysis-embeddings.sqlite``); the agenda space is rebuilt when the engine's data
version changes, re-embedding only texts that changed.
"""


from .clusters import clusters, projection_2d, similarity_matrix
from .records import (
    EQUIVALENT_COSINE,
    WEIGHTS,
    AgendaProfile,
    Cluster,
    ClusterReport,
    Comparison,
    Gap,
    GapReport,
    SimilarAgenda,
    UnknownAgenda,
)
from .similarity import compare_agendas, gaps, similar_agendas
from .space import CACHE_FILENAME, AgendaSpace, agenda_space, resolve_agenda, split_sentences
from .tables import clusters_frame, comparison_frame, gaps_frame, similar_frame, write_table

__all__ = [
    "WEIGHTS", "EQUIVALENT_COSINE", "CACHE_FILENAME", "UnknownAgenda", "AgendaProfile", "AgendaSpace", "Cluster", "ClusterReport",
    "Comparison", "Gap", "GapReport", "SimilarAgenda", "agenda_space", "resolve_agenda",
    "similar_agendas", "compare_agendas", "gaps", "clusters", "projection_2d", "similarity_matrix",
    "similar_frame", "comparison_frame", "gaps_frame", "clusters_frame", "write_table", "split_sentences",
]
