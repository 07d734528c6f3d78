"""Cooperation tools deck (seed 003): five tools, clean lists, derived scale, introduction."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cae_data.errors import InvalidInput
from cae_data.fiches import read_cooperation_intro, read_cooperation_tools
from cae_data.fiches.cooperation import derive_echelle, split_glued, split_list, strip_title_quotes

SEED = Path(__file__).resolve().parents[1] / "seeds" / "003_3d671e0255b9610c.txt"
LIST_FIELDS = ("elements_declencheurs", "enjeux", "ambitions", "objet", "acteurs")


@pytest.fixture(scope="module")
def tools():
    return read_cooperation_tools(SEED.read_bytes(), SEED.name)


@pytest.fixture(scope="module")
def by_id(tools):
    return {tool.outil_id: tool for tool in tools}


def test_five_tools_titles_and_ids(tools):
    assert [t.titre for t in tools] == [
        "Plans de coopération sur le PNR des Monts d'Ardèche",
        "Entente interterritoriale TRIDAN",
        "Convention territoires partenaires",  # « » of the source removed
        "Convention d'articulation",
        "Convention de mutualisation PNR / Pays",
    ]
    assert [t.outil_id for t in tools] == [
        "plans-cooperation-pnr-monts-ardeche",
        "entente-interterritoriale-tridan",
        "convention-territoires-partenaires",
        "convention-articulation",
        "convention-mutualisation-pnr-pays",
    ]
    assert [t.source_line for t in tools] == [19, 30, 41, 52, 63]


# Counted by hand from the deck: ✓ / • bullets and <p> paragraphs; « ... » is not an item;
# marker-less cells glued by the PDF extraction are cut (TRIDAN has none of those).
COUNTS = {
    "plans-cooperation-pnr-monts-ardeche": (2, 2, 1, 1, 1),
    "entente-interterritoriale-tridan": (3, 2, 3, 4, 4),
    "convention-territoires-partenaires": (2, 2, 2, 2, 6),
    "convention-articulation": (1, 2, 1, 4, 3),
    "convention-mutualisation-pnr-pays": (2, 1, 1, 1, 3),
}


@pytest.mark.parametrize("outil_id, counts", COUNTS.items())
def test_list_lengths(by_id, outil_id, counts):
    tool = by_id[outil_id]
    assert tuple(len(getattr(tool, name)) for name in LIST_FIELDS) == counts


def test_items_pnr_ardeche(by_id):
    tool = by_id["plans-cooperation-pnr-monts-ardeche"]
    assert tool.elements_declencheurs == [
        "Constat de relations à étayer entre le PNR et les CC du territoire",
        "Une expérimentation conduite par un PNR de la région Centre",
    ]
    # A paragraph of two sentences stays one item (the second starts after a full stop).
    assert tool.objet[0].endswith("une CC. Il s'appuie sur les 9 thématiques identifiées dans la charte du PNR "
                                  "et le projet du chaque CC")


def test_items_tridan(by_id):
    tool = by_id["entente-interterritoriale-tridan"]
    assert tool.ambitions == [
        "Approfondir les complémentarités et les convergences",
        "Etablir une charte d'équilibre et de répartition équitable des fonctions",
        "Conduire de façon concertée des projets et actions d'utilité intercommunale",
    ]
    assert tool.objet[0] == "3 axes prioritaires :"
    assert tool.objet[3] == "Equipements structurants du territoire"
    assert tool.acteurs[1] == "Animation / coordination : chef de projet de l'entente"
    assert tool.elements_declencheurs[0] == "Les travaux conduits par le Scot"


def test_items_territoires_partenaires(by_id):
    tool = by_id["convention-territoires-partenaires"]
    assert tool.acteurs[0] == "Réponse appel à projet porté par une des communes rurales"
    assert tool.acteurs[5] == "Nomination d'un chargé de mission interne (doctorante convention CIFRE)"
    assert tool.enjeux == [
        "Anticiper les impacts d'une nouvelle portion d'autoroute",
        "Organiser les solidarités entre pôles urbains et ruraux",
    ]
    assert tool.elements_declencheurs == [
        "Appel à projet DRAAF 2009 sur les relations ville-campagne",
        "La mise en place du pôle métropolitain lyonnais (G4)",
    ]


def test_items_articulation(by_id):
    tool = by_id["convention-articulation"]
    # Capitals after « du », « de », « des » are proper nouns: one item.
    assert tool.elements_declencheurs == [
        "Elaboration du Schéma d'Aménagement et de Gestion des Eaux (SAGE) de l'Ardèche"]
    assert tool.acteurs[1] == "Création d'un comité technique « Eau et Aménagement du Territoire »"
    assert tool.objet[2] == "Mobilisation conjointe de financements"


def test_items_mutualisation(by_id):
    tool = by_id["convention-mutualisation-pnr-pays"]
    assert tool.elements_declencheurs == [
        "Réponse commune à un appel à projets « Contrat d'objectifs Energie Climat » lancé par l'ADEME",
        "Préexistence d'une convention d'articulation entre les 2 partenaires",
    ]
    assert tool.acteurs == [
        "Le pays prescripteur de l'ingénierie technique",
        "Le PNR porteur de cette ingénierie",
        "Mise en place et suivi de la mission par un comité de pilotage co-présidé par les présidents "
        "des 2 structures",
    ]
    assert tool.ambitions == ["Professionnaliser l'animation territoriale « Climat Energie »"]


def test_partenaires_and_echelle(tools):
    assert [(t.partenaires_echelle, t.echelle) for t in tools] == [
        ("Le PNR et les communautés de communes du territoire.", "PNR / communautés de communes"),
        ("5 Communautés de communes sur 3 départements, 3 SCoT, 4 CDDRA",
         "communautés de communes / départements / SCoT / CDDRA"),
        ("2 communes rurales/périurbaines + 1 communauté agglomération + 1 communauté urbaine",
         "communes / communauté d'agglomération / communauté urbaine"),
        ("2 Syndicats mixtes > l'un compétent sur les question de l'Eau, l'autre porteur politiques territoriales",
         "syndicats mixtes"),
        ("Un PNR et un Pays", "PNR / Pays"),
    ]


def test_no_markup_left(tools):
    for tool in tools:
        for item in dataclasses.fields(tool):
            value = getattr(tool, item.name)
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str):
                    assert "<" not in text and "✓" not in text and "•" not in text, text
                    assert text == text.strip() and "  " not in text, text


def test_intro_markdown():
    intro = read_cooperation_intro(SEED.read_bytes(), SEED.name)
    blocks = intro.split("\n\n")
    assert blocks[0] == "# Quels outils pour formaliser des coopérations ?"
    assert blocks[1] == "Journée d'exploration de pratiques — Jeudi 5 mars 2015 — Pélussin (42)"
    assert blocks[2] == ("## Coopération en faveur du développement local et/ou territorial : "
                         "de quoi parlons-nous ?")
    assert len(blocks) == 6
    assert blocks[3].startswith("La coopération est entendue comme **l'instauration** volontaire")
    assert blocks[5].endswith("des **ressources, potentiels, services ... communs ou complémentaires.**")
    assert "→" not in intro and "Plans de coopération" not in intro


def test_split_helpers():
    assert split_list('<ul style="x"> ✓ A b ✓ ... ✓ C d') == ["A b", "C d"]
    assert split_list("<p>Un</p> <p>Deux</p>") == ["Un", "Deux"]
    assert split_glued("Le pays porte Le PNR agit") == ["Le pays porte", "Le PNR agit"]
    assert split_glued("la région Centre") == ["la région Centre"]  # last word: never cut
    assert split_glued("un « Club Climat » est créé") == ["un « Club Climat » est créé"]
    assert strip_title_quotes("« A » et « B »") == "« A » et « B »"
    assert strip_title_quotes(" « A » ") == "A"
    assert derive_echelle("Deux métropoles et un syndicat mixte") == "métropole / syndicats mixtes"
    assert derive_echelle("Des acteurs") == ""


def test_problems_reported_with_lines():
    text = (
        "Deck\n"
        "→ Outil A\n"
        "Enjeux\t✓ Un\n"
        "Budget\t3\n"
        "Enjeux\t✓ Deux\n"
        "texte libre\n"
    )
    with pytest.raises(InvalidInput) as excinfo:
        read_cooperation_tools(text, "deck.txt")
    assert [str(p) for p in excinfo.value.problems] == [
        "deck.txt:4:1: rubrique inconnue « Budget » ; rubriques reconnues : Éléments déclencheurs, "
        "Partenaires / échelle, Enjeux, Ambitions, Objet, Acteurs",
        "deck.txt:5:1: rubrique « Enjeux » en double dans l'outil « Outil A » (déjà ligne 3)",
        "deck.txt:6:1: ligne non reconnue dans l'outil « Outil A » : une rubrique, une tabulation puis sa valeur sont attendues",
    ]


def test_no_tool():
    with pytest.raises(InvalidInput) as excinfo:
        read_cooperation_tools("Titre\n\nTexte\n", "vide.txt")
    assert [str(p) for p in excinfo.value.problems] == [
        "vide.txt:1:1: aucun outil de coopération : une ligne « → Titre de l'outil » est attendue"]
