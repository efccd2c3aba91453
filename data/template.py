"""The labels of the GKA-agenda template as the DOCX import reads them and the DOCX export
writes them: one place, so an exported agenda always imports back unchanged."""

from __future__ import annotations

SECTION_TITLES = {
    "aanleiding_en_uitdagingen": "Aanleiding en uitdagingen",
    "inzet_gemeente": "Inzet gemeente",
    "inzet_npo": "Inzet vanuit het Nationaal Programma Onderwijs",
    "samenwerking_gka": "Samenwerking met de Gelijke Kansen Alliantie",
    "kennis": "Kennis",
}

TOP_LABELS = {"gemeente": "Gemeente", "provincie": "Provincie", "periode": "Periode", "bron": "Bron",
               "illustratief": "Illustratief", "id": "Agenda-id", "begroting_ocw_euro": "Begroting OCW",
               "begroting_toelichting": "Begroting toelichting", "afspraken": "Afspraken",
               "ondertekend": "Ondertekend", "gka_themas": "GKA-thema's"}

ITEM_LABELS = {
    "naam": "Naam/titel interventie", "betrokken_partijen": "Betrokken partijen", "doel": "Doel interventie",
    "doelgroep": "Doelgroep labels", "doelgroep_omschrijving": "Doelgroep", "leeftijd_van": "Leeftijd",
    "leeftijd_tot": "Leeftijd", "locatie": "Locatie (wijk, school)",
    "omschrijving_activiteiten": "Omschrijving activiteiten", "monitoring_en_evaluatie": "Monitoring en evaluatie",
    "financiering": "Financiering", "website": "Meer informatie: Website",
    "contactpersoon": "Meer informatie: Contactpersoon", "themas": "Thema's", "setting": "Setting",
    "bron": "Bron", "illustratief": "Illustratief", "catalogus_id": "Catalogus-id", "id": "Id",
}

COMMUNITY_LABELS = {"naam": "Naam Community", "betrokken_partijen": "Betrokken partijen",
                     "doel": "Doel Community", "doelgroep": "Doelgroep", "activiteiten": "Activiteiten",
                     "bron": "Bron", "illustratief": "Illustratief"}

