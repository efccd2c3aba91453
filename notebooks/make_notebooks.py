"""Write the analyst notebooks in this folder (valid nbformat 4 JSON, outputs empty).

    .venv/bin/python notebooks/make_notebooks.py            # write the four .ipynb files
    .venv/bin/python notebooks/make_notebooks.py --execute  # and run them in place (needs data)

The notebooks use the package's public API only (``import gka_match``: ``gka_match.open`` and
``gka_match.table``) and open the data in ``GKA_DATA_DIR`` (default: the project's
``var/``), so the tests can point them at a temporary copy.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

# The project's data folder: GKA_DATA_DIR, else var/ in the project root.
ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "pyproject.toml").exists())
os.environ.setdefault("GKA_DATA_DIR", str(ROOT / "var"))
pd.set_option("display.max_colwidth", 120)
plt.rcParams.update({"figure.dpi": 100, "axes.spines.top": False, "axes.spines.right": False})
print("Data:", os.environ["GKA_DATA_DIR"])'''

OPEN_ENGINE = '''\
import gka_match

gka = gka_match.open()  # the store and the index of GKA_DATA_DIR (an empty store gets the bundled data)
print(f"{len(gka.engine.docs)} documenten in de index, dataversie {gka.engine.data_version}")'''


def nb(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    notebook = new_notebook(cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src)
                                   for kind, src in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


OVERZICHT = nb([
    ("md", """\
# Overzicht: catalogus en GKA-agenda's

Dit notebook geeft een eerste blik op de gegevens van gka-match:

* de **catalogus** met bewezen en beschreven interventies (naam, thema's, doelgroepen, erkenning);
* de **GKA-agenda's** van gemeenten, met hun interventies en de provincie.

We lezen alles uit de store; er is geen zoekmodel nodig."""),
    ("code", SETUP),
    ("code", '''\
import gka_match
from gka_match.data.vocab import DOELGROEPEN, ERKENNINGSNIVEAUS, THEMAS

gka = gka_match.open()
catalogus, agendas = gka.records()
print(f"{len(catalogus)} interventies in de catalogus, {len(agendas)} agenda's")'''),
    ("code", '''\
cat = pd.DataFrame([{
    "id": c.id, "naam": c.naam, "erkenning": c.erkenningsniveau, "themas": c.themas,
    "doelgroep": c.doelgroep, "illustratief": c.illustratief,
} for c in catalogus])
items = pd.DataFrame([{
    "gemeente": a.gemeente, "provincie": a.provincie, "naam": i.naam, "catalogus_id": i.catalogus_id,
    "themas": i.themas, "doelgroep": i.doelgroep, "illustratief": i.illustratief,
} for a in agendas for i in a.interventies])
print(f"{items['illustratief'].sum()} van de {len(items)} agenda-interventies zijn illustratief (verzonnen "
      "demonstratiegegevens); de rest komt uit openbare bronnen.")
cat.head()'''),
    ("md", """\
## Thema's

Hoe vaak komt elk thema voor in de catalogus en in de interventies van de agenda's? Een
interventie kan meerdere thema's hebben."""),
    ("code", '''\
def tel(series, volgorde):
    counts = series.explode().value_counts()
    return counts.reindex(volgorde, fill_value=0)

themas = pd.DataFrame({"catalogus": tel(cat["themas"], THEMAS), "agenda's": tel(items["themas"], THEMAS)})
ax = themas.sort_values("catalogus").plot.barh(figsize=(8, 6))
ax.set_xlabel("aantal interventies")
ax.set_title("Thema's in catalogus en agenda's")
plt.tight_layout()
plt.show()
themas.sort_values("agenda's", ascending=False)'''),
    ("md", "## Doelgroepen"),
    ("code", '''\
doelgroepen = pd.DataFrame({"catalogus": tel(cat["doelgroep"], DOELGROEPEN),
                            "agenda's": tel(items["doelgroep"], DOELGROEPEN)})
ax = doelgroepen.plot.bar(figsize=(8, 4), rot=20)
ax.set_ylabel("aantal interventies")
ax.set_title("Doelgroepen")
plt.tight_layout()
plt.show()'''),
    ("md", """\
## Erkenning

Het erkenningsniveau komt uit de databanken (NJi, Loket Gezond Leven). `onbekend` betekent: niet
beoordeeld of niet gevonden in een databank — niet dat de interventie niet werkt."""),
    ("code", '''\
erkenning = cat["erkenning"].value_counts().reindex(ERKENNINGSNIVEAUS, fill_value=0)
ax = erkenning.plot.barh(figsize=(8, 3.5), color="tab:green")
ax.set_xlabel("aantal interventies in de catalogus")
ax.set_title("Erkenningsniveau (zwak → sterk)")
plt.tight_layout()
plt.show()
erkenning'''),
    ("md", """\
## Agenda's per provincie

En hoeveel interventies van de agenda's passen een programma uit de catalogus toe?"""),
    ("code", '''\
per_provincie = pd.Series([a.provincie for a in agendas]).value_counts().sort_values()
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
per_provincie.plot.barh(ax=ax1, color="tab:blue")
ax1.set_title("Agenda's per provincie")
ax1.set_xlabel("aantal agenda's")
gekoppeld = items["catalogus_id"].notna().map({True: "past programma toe", False: "lokale aanpak"}).value_counts()
gekoppeld.plot.pie(ax=ax2, autopct="%1.0f%%", ylabel="")
ax2.set_title("Interventies in agenda's")
plt.tight_layout()
plt.show()'''),
    ("code", '''\
gemarkeerd = items.assign(gemeente=items["gemeente"] + items["illustratief"].map({True: " (illustratief)", False: ""}))
populair = (gemarkeerd.dropna(subset=["catalogus_id"]).groupby("catalogus_id")["gemeente"]
            .agg(["count", lambda g: ", ".join(sorted(g))]).rename(columns={"<lambda_0>": "gemeenten"})
            .sort_values("count", ascending=False))
populair.head(10)'''),
    ("md", "## Samenvatting"),
    ("code", '''\
top_cat = ", ".join(themas["catalogus"].sort_values(ascending=False).index[:3])
top_ag = ", ".join(themas["agenda's"].sort_values(ascending=False).index[:3])
print(f"Meest voorkomende thema's in de catalogus: {top_cat}.")
print(f"Meest voorkomende thema's in de agenda's: {top_ag}.")
print(f"{erkenning['onbekend'] / len(cat):.0%} van de catalogus heeft erkenning 'onbekend'; "
      f"{erkenning.iloc[4:].sum()} interventies zijn effectief volgens eerste, goede of sterke aanwijzingen.")
print(f"{items['catalogus_id'].notna().mean():.0%} van de interventies in agenda's past een programma uit de "
      "catalogus toe; de rest is een lokale aanpak.")'''),
    ("md", """\
Op de meegeleverde gegevens: de catalogus is het rijkst aan *taal en lezen*, *sociaal-emotioneel
en gedrag* en *gezondheid en bewegen*; de agenda's leggen de nadruk op taal, ouderbetrokkenheid en
armoede. Het merendeel van de catalogus is (nog) niet beoordeeld door een databank; zo'n zes op de
tien interventies in agenda's passen een programma uit de catalogus toe."""),
])

VERGELIJKBAAR = nb([
    ("md", """\
# Vergelijkbare agenda's: Sittard-Geleen, groepen en een kaart

Welke gemeenten hebben een agenda die lijkt op die van **Sittard-Geleen**? Elke agenda wordt
één vector: de uitdaging (*Aanleiding en uitdagingen*, ingebed met het zoekmodel), het gemiddelde
van de vectoren van haar interventies, en het profiel van thema's en doelgroepen. De gewichten staan
in `gka.weights`; de score is de gewogen som van de vier cosinussen."""),
    ("code", SETUP),
    ("code", OPEN_ENGINE),
    ("code", '''\
gka.weights'''),
    ("code", '''\
vergelijkbaar = gka.similar("Sittard-Geleen", k=8)
gka_match.table(vergelijkbaar)[["rank", "gemeente", "provincie", "score", "gedeelde_themas", "gedeelde_interventies",
                                "illustratief", "illustratieve_interventies"]]'''),
    ("md", """\
## Waar komt de score vandaan?

Per vergelijkbare agenda de bijdrage van elk onderdeel (gewicht × cosinus)."""),
    ("code", '''\
bijdrage = pd.DataFrame(
    {blok: [gka.weights[blok] * r.components[blok] for r in vergelijkbaar] for blok in gka.weights},
    index=[r.gemeente + (" *" if r.illustratieve_interventies else "") for r in vergelijkbaar],
)
ax = bijdrage.iloc[::-1].plot.barh(stacked=True, figsize=(8, 4.5))
ax.set_xlabel("bijdrage aan de score")
ax.set_title("Agenda's die lijken op Sittard-Geleen (* = met illustratieve interventies)")
plt.tight_layout()
plt.show()'''),
    ("md", "De zinnen uit de uitdagingen die het meest op elkaar lijken, voor de drie meest vergelijkbare agenda's:"),
    ("code", '''\
for r in vergelijkbaar[:3]:
    print(f"— {r.gemeente} (score {r.score:.2f}): {r.reason}")
    for paar in r.similar_sentences[:2]:
        print(f"    Sittard-Geleen: {paar.a}\\n    {r.gemeente}: {paar.b}  (cos {paar.similarity:.2f})")
    print()'''),
    ("md", """\
## Groepen agenda's

Hiërarchisch clusteren (cosinus, gemiddelde koppeling); het aantal groepen met de beste
silhouetscore wordt gekozen. Elke groep krijgt als label de meest kenmerkende woorden (TF-IDF) uit de
uitdagingen en het meest voorkomende thema."""),
    ("code", '''\
groepen = gka.clusters()
print(f"{groepen.n_clusters} groepen, silhouetscore {groepen.silhouette}")
pd.DataFrame([{"groep": c.cluster, "label": c.label, "aantal": c.size, "gemeenten": ", ".join(c.gemeenten)}
              for c in groepen.clusters])'''),
    ("md", """\
## Kaart van de agenda's

De agenda-vectoren teruggebracht tot twee dimensies met PCA (deterministisch). Dichtbij
betekent: vergelijkbare uitdaging, interventies en thema's — niet: dichtbij op de landkaart."""),
    ("code", '''\
kaart = gka_match.table(groepen, gka.projection())
fig, ax = plt.subplots(figsize=(10, 7.5))
cmap = plt.get_cmap("tab10")
for c in groepen.clusters:
    deel = kaart[kaart["cluster"] == c.cluster]
    ax.scatter(deel["x"], deel["y"], s=60, color=cmap(c.cluster % 10), label=f"{c.cluster}: {c.label}")
for _, rij in kaart.iterrows():
    vet = rij["gemeente"] in {"Sittard-Geleen", *[r.gemeente for r in vergelijkbaar[:3]]}
    ax.annotate(rij["gemeente"], (rij["x"], rij["y"]), fontsize=8, xytext=(3, 3), textcoords="offset points",
                fontweight="bold" if vet else "normal")
ax.set_xlabel("PCA 1")
ax.set_ylabel("PCA 2")
ax.set_title("Agenda's op een kaart (PCA van de agenda-vectoren)")
ax.legend(fontsize=7, loc="best")
plt.tight_layout()
plt.show()'''),
    ("md", "## Gelijkenis tussen alle agenda's, geordend per groep"),
    ("code", '''\
volgorde = kaart.sort_values(["cluster", "gemeente"])["gemeente"].tolist()
matrix = gka.similarity_matrix().loc[volgorde, volgorde]
fig, ax = plt.subplots(figsize=(10, 9))
im = ax.imshow(matrix.values, cmap="viridis", vmin=-0.2, vmax=0.6)
ax.set_xticks(range(len(volgorde)), volgorde, rotation=90, fontsize=7)
ax.set_yticks(range(len(volgorde)), volgorde, fontsize=7)
fig.colorbar(im, ax=ax, shrink=0.7, label="gelijkenis")
plt.tight_layout()
plt.show()'''),
    ("md", "**Wat we zien** (uit de gegevens hierboven, niet vooraf geschreven):"),
    ("code", '''\
eerste = vergelijkbaar[0]
programmas = sorted({s.programma for s in eerste.shared_interventions if s.programma})
print(f"Sittard-Geleen lijkt het meest op {eerste.gemeente} (score {eerste.score:.2f})"
      + (f"; samen passen ze {', '.join(programmas)} toe." if programmas else "."))
groep = next(c for c in groepen.clusters if "Sittard-Geleen" in c.gemeenten)
print(f"In de kaart valt Sittard-Geleen in groep {groep.cluster} ({groep.label}) met {groep.size - 1} andere agenda's.")'''),
])

GATEN = nb([
    ("md", """\
# Gaten-analyse: wat doen vergelijkbare gemeenten wat Heerlen (nog) niet doet?

We zoeken de vijf agenda's die het meest lijken op die van **Heerlen** en zetten op een rij welke
interventies zij gebruiken en Heerlen niet. Interventies die hetzelfde programma uit de catalogus
toepassen, tellen als één; de score is het gewogen aandeel van de vergelijkbare gemeenten dat de
interventie gebruikt (gewogen naar hoe sterk ze op Heerlen lijken)."""),
    ("code", SETUP),
    ("code", OPEN_ENGINE),
    ("code", '''\
GEMEENTE = "Heerlen"
rapport = gka.gaps(GEMEENTE, k=None, peers=5)
pd.DataFrame(rapport.peers)'''),
    ("code", '''\
tabel = gka_match.table(rapport)
tabel.head(12)'''),
    ("md", "## De belangrijkste gaten, gekleurd naar erkenningsniveau"),
    ("code", '''\
from gka_match.data.vocab import ERKENNINGSNIVEAUS

kleuren = dict(zip(ERKENNINGSNIVEAUS, ["lightgrey", "grey", "wheat", "tab:olive", "tab:cyan", "tab:blue", "tab:green"]))
top = tabel.head(10).iloc[::-1].assign(naam=lambda t: t["naam"] + t["illustratief"].map({True: " (illustratief)", False: ""}))
fig, ax = plt.subplots(figsize=(9, 5))
ax.barh(top["naam"], top["score"], color=[kleuren[e] for e in top["erkenningsniveau"]])
for y, (score, n) in enumerate(zip(top["score"], top["n_peers"])):
    ax.text(score + 0.005, y, f"{n} gemeente(n)", va="center", fontsize=8)
handles = [plt.Rectangle((0, 0), 1, 1, color=kleuren[e]) for e in ERKENNINGSNIVEAUS if e in set(top["erkenningsniveau"])]
ax.legend(handles, [e for e in ERKENNINGSNIVEAUS if e in set(top["erkenningsniveau"])], fontsize=8, loc="lower right")
ax.set_xlabel("gewogen aandeel vergelijkbare gemeenten")
ax.set_title(f"Wat vergelijkbare gemeenten doen en {GEMEENTE} niet")
plt.tight_layout()
plt.show()'''),
    ("md", "## Wie doet wat? Per gat de gemeenten die het gebruiken"),
    ("code", '''\
gebruik = pd.DataFrame(
    [{"gat": g.naam + (" (illustratief)" if g.illustratief else ""), "gemeente": p.gemeente, "gebruikt": 1}
     for g in rapport.gaps[:10] for p in g.peers]
).pivot_table(index="gat", columns="gemeente", values="gebruikt", fill_value=0)
gebruik = gebruik.reindex(columns=[p["gemeente"] for p in rapport.peers if p["gemeente"] in gebruik.columns])
fig, ax = plt.subplots(figsize=(7, 5))
ax.imshow(gebruik.values, cmap="Blues", vmin=0, vmax=1.3)
ax.set_xticks(range(gebruik.shape[1]), gebruik.columns, rotation=30)
ax.set_yticks(range(gebruik.shape[0]), gebruik.index)
ax.set_title("Gaten × vergelijkbare gemeenten")
plt.tight_layout()
plt.show()'''),
    ("md", """\
## Vergelijking met de meest vergelijkbare gemeente

Wat hebben Heerlen en de meest vergelijkbare agenda gemeen, en waarin verschillen ze?"""),
    ("code", '''\
buur = rapport.peers[0]["gemeente"]
vergelijking = gka.compare(GEMEENTE, buur)
print(f"{GEMEENTE} en {buur}: gelijkenis {vergelijking.score:.2f}; thema's Jaccard {vergelijking.themas.jaccard:.2f}")
gka_match.table(vergelijking)'''),
    ("md", "**Wat we zien** (uit de gegevens hierboven, niet vooraf geschreven):"),
    ("code", '''\
echt = [g for g in rapport.gaps if not g.illustratief][:3]
print(f"{GEMEENTE} lijkt het meest op " + ", ".join(p["gemeente"] for p in rapport.peers[:3]) + ".")
print("Echte (niet-illustratieve) kandidaten om te bespreken: "
      + ("; ".join(f"{g.naam} ({g.erkenningsniveau}, bij {g.n_peers} gemeente(n))" for g in echt) or "geen") + ".")'''),
])

MATCHKWALITEIT = nb([
    ("md", """\
# Matchkwaliteit per zoekmodus en per thema

Hoe goed vindt gka-match de juiste interventies bij een uitdaging? We meten dat op de dev-set
(`data/eval/dev.jsonl`): per vraag staan de relevante en zeer relevante interventies vast. Maten:
**nDCG@10** (volgorde van de top 10), **Recall@10**, **MRR** en **hit@5**, voor de drie zoekmodi
*hybrid*, *dense* (alleen het taalmodel) en *lexical* (alleen BM25)."""),
    ("code", SETUP),
    ("code", OPEN_ENGINE),
    ("code", '''\
rapport = gka.evaluate()
print(f"{rapport['n_queries']} vragen uit de dev-set, {rapport['n_offtopic']} vragen buiten het onderwerp")'''),
    ("code", '''\
overall = pd.DataFrame({mode: {k: v for k, v in res["overall"].items() if k in ("ndcg@10", "recall@10", "mrr", "hit@5")}
                        for mode, res in rapport["modes"].items()}).T
ax = overall.plot.bar(figsize=(8, 4), rot=0)
ax.set_ylim(0, 1)
ax.set_ylabel("score")
ax.set_title("Matchkwaliteit per zoekmodus")
ax.legend(loc="lower right", fontsize=8)
plt.tight_layout()
plt.show()
overall'''),
    ("md", "## nDCG@10 per thema"),
    ("code", '''\
per_thema = pd.DataFrame({mode: {t: m["ndcg@10"] for t, m in res["per_thema"].items()}
                          for mode, res in rapport["modes"].items()})
per_thema = per_thema.sort_values("hybrid")
ax = per_thema.plot.barh(figsize=(8, 7))
ax.set_xlim(0, 1)
ax.set_xlabel("nDCG@10")
ax.set_title("Matchkwaliteit per thema")
plt.tight_layout()
plt.show()'''),
    ("md", "## Waar gaat het mis? De vragen met de laagste nDCG@10 in hybride modus"),
    ("code", '''\
per_vraag = pd.DataFrame(rapport["modes"]["hybrid"]["queries"])
per_vraag.sort_values("ndcg@10")[["id", "thema", "ndcg@10", "recall@10"]].head(8)'''),
    ("code", '''\
verschil = pd.DataFrame({mode: pd.DataFrame(res["queries"]).set_index("id")["ndcg@10"]
                         for mode, res in rapport["modes"].items()})
fig, ax = plt.subplots(figsize=(5.5, 5))
ax.scatter(verschil["lexical"], verschil["dense"], alpha=0.6)
ax.plot([0, 1], [0, 1], color="grey", lw=0.8)
ax.set_xlabel("nDCG@10 lexical")
ax.set_ylabel("nDCG@10 dense")
ax.set_title("Per vraag: taalmodel tegen trefwoorden")
plt.tight_layout()
plt.show()
print(f"dense beter: {(verschil['dense'] > verschil['lexical']).sum()}, "
      f"lexical beter: {(verschil['lexical'] > verschil['dense']).sum()}, gelijk: {(verschil['dense'] == verschil['lexical']).sum()}")'''),
    ("md", """\
**Lezen van de cijfers:** de hybride modus combineert de sterke kanten van het taalmodel (vragen in
eigen woorden) en van trefwoorden (namen van programma's, afkortingen). De thema's met de laagste
score zijn de eerste kandidaten voor betere beschrijvingen in de catalogus of extra vragen in de
dev-set."""),
])

NOTEBOOKS = {
    "01_overzicht.ipynb": OVERZICHT,
    "02_vergelijkbare_agendas.ipynb": VERGELIJKBAAR,
    "03_gaten_analyse.ipynb": GATEN,
    "04_matchkwaliteit.ipynb": MATCHKWALITEIT,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execute", action="store_true", help="run each notebook and store its outputs")
    args = parser.parse_args()
    for name, notebook in NOTEBOOKS.items():
        nbformat.validate(notebook)
        path = HERE / name
        if args.execute:
            from nbclient import NotebookClient

            NotebookClient(notebook, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(HERE)}}).execute()
        nbformat.write(notebook, path)
        print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
