"""The analyses as pandas tables (for notebooks and CSV/XLSX exports); pandas is used only here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .records import WEIGHTS, ClusterReport, Comparison, GapReport, SimilarAgenda


def similar_frame(results: list[SimilarAgenda]):
    import pandas as pd

    return pd.DataFrame([{
        "rank": r.rank, "gemeente": r.gemeente, "agenda_id": r.agenda_id, "provincie": r.provincie,
        "score": r.score, **{f"score_{k}": v for k, v in r.components.items()},
        "gedeelde_themas": "; ".join(r.shared_themas),
        "gedeelde_interventies": "; ".join(
            f"{s.a.naam} = {s.b.naam} ({s.relatie})" for s in r.shared_interventions),
        "reden": r.reason, "illustratief": r.illustratief, "illustratieve_interventies": r.illustratieve_interventies,
    } for r in results], columns=["rank", "gemeente", "agenda_id", "provincie", "score",
                                  *[f"score_{k}" for k in WEIGHTS], "gedeelde_themas",
                                  "gedeelde_interventies", "reden", "illustratief", "illustratieve_interventies"])


def comparison_frame(cmp: Comparison):
    import pandas as pd

    ga, gb = cmp.a["gemeente"], cmp.b["gemeente"]
    rows = []
    for s in cmp.shared:
        rows.append({"onderdeel": "interventie", "status": "gedeeld", "naam_a": s.a.naam, "naam_b": s.b.naam,
                     "relatie": s.relatie, "catalogus_id": s.catalogus_id, "programma": s.programma,
                     "similarity": s.similarity, "illustratief": s.a.illustratief or s.b.illustratief})
    for ref, status, col in [*[(r, f"alleen {ga}", "naam_a") for r in cmp.only_in_a],
                             *[(r, f"alleen {gb}", "naam_b") for r in cmp.only_in_b]]:
        rows.append({"onderdeel": "interventie", "status": status, col: ref.naam, "catalogus_id": ref.catalogus_id,
                     "programma": ref.programma, "illustratief": ref.illustratief})
    for label, overlap in (("thema", cmp.themas), ("doelgroep", cmp.doelgroepen)):
        for t in overlap.shared:
            rows.append({"onderdeel": label, "status": "gedeeld", "naam_a": t, "naam_b": t})
        for t in overlap.only_a:
            rows.append({"onderdeel": label, "status": f"alleen {ga}", "naam_a": t})
        for t in overlap.only_b:
            rows.append({"onderdeel": label, "status": f"alleen {gb}", "naam_b": t})
    frame = pd.DataFrame(rows, columns=["onderdeel", "status", "naam_a", "naam_b", "relatie", "catalogus_id",
                                        "programma", "similarity", "illustratief"])
    frame["illustratief"] = frame["illustratief"].fillna(False).astype(bool)
    return frame


def gaps_frame(report: GapReport):
    import pandas as pd

    return pd.DataFrame([{
        "rank": g.rank, "naam": g.naam, "catalogus_id": g.catalogus_id, "erkenningsniveau": g.erkenningsniveau,
        "score": g.score, "n_peers": g.n_peers, "themas": "; ".join(g.themas),
        "gemeenten": "; ".join(f"{p.gemeente} ({p.naam}{', illustratief' if p.illustratief else ''})" for p in g.peers),
        "illustratief": g.illustratief,
    } for g in report.gaps], columns=["rank", "naam", "catalogus_id", "erkenningsniveau", "score", "n_peers",
                                      "themas", "gemeenten", "illustratief"])


def clusters_frame(report: ClusterReport, projection: list[dict[str, Any]] | None = None):
    import pandas as pd

    by_cluster = {c.cluster: c for c in report.clusters}
    xy = {p["agenda_id"]: p for p in projection or []}
    rows = []
    for a in report.assignments:
        c = by_cluster[a["cluster"]]
        row = {**a, "label": c.label, "termen": "; ".join(c.terms), "themas": "; ".join(c.themas)}
        if xy:
            row.update(x=xy[a["agenda_id"]]["x"], y=xy[a["agenda_id"]]["y"])
        rows.append(row)
    return pd.DataFrame(rows)


def write_table(frame, path: Path | str, fmt: str | None = None) -> Path:
    """Write a DataFrame as CSV (UTF-8) or XLSX (openpyxl); the format follows ``fmt`` or the suffix."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "csv").lower()
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "xlsx":
        frame.to_excel(path, index=False, engine="openpyxl")
    else:
        raise ValueError(f"onbekend tabelformaat '{fmt}'; kies csv of xlsx")
    return path
