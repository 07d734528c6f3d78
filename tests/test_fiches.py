"""Fiches-actions: the CAPSO seed (PDF text), the hand-written YAML format, suggested measures."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cae_data.errors import InvalidInput
from cae_data.fiches import (
    ETATS,
    FicheAction,
    SousAction,
    derive_etat,
    detect_themes,
    fiche_to_yaml,
    read_fiche_seed_text,
    read_fiche_yaml,
    suggest_mesures,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "002_a4b08a4dda5f0604.txt"
FIXTURE = ROOT / "tests" / "fixtures" / "fiches" / "capso-instance-climat-energie.yaml"
from support.shared import shared_path


@pytest.fixture(scope="module")
def fiche() -> FicheAction:
    return read_fiche_seed_text(SEED.read_bytes(), SEED.name)


def all_strings(value):
    """Every str inside a dataclass tree (for the no-HTML-left checks)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            yield from all_strings(getattr(value, item.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from all_strings(key)
            yield from all_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from all_strings(item)


def problems_of(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


# --- seed PDF text ---------------------------------------------------------------------------

def test_seed_title_and_header(fiche):
    # « and » are U+00AB / U+00BB with ordinary spaces inside, apostrophe is ASCII.
    assert fiche.titre == "Animation d'une instance territoriale \u00ab Climat-Energie \u00bb"
    assert fiche.fiche_id == "capso-animation-instance-territoriale-climat-energie"
    assert fiche.collectivite == "CAPSO"
    assert fiche.axe == ("Partageons une vision, des expériences, des savoirs, nos responsabilités, "
                         "pour mieux faire ensemble")
    assert fiche.orientation == "Impliquer pour amplifier l'impact de nos efforts"
    assert fiche.source_file == SEED.name
    assert fiche.source_line == 14


def test_seed_legend_is_dropped(fiche):
    for text in all_strings(fiche):
        assert "Patrimoine :" not in text
        assert "Territoire : Actions" not in text


def test_seed_enjeux_objectifs(fiche):
    assert fiche.enjeux.startswith("Les objectifs territoriaux définis sur le plan climat")
    assert fiche.enjeux.endswith("de planifier des temps d'évaluation partagée.")
    assert "mises en œuvre pour adapter" in fiche.enjeux
    assert fiche.objectifs == ("Maintenir une dynamique tout au long du PCAET. Suivre et enrichir le programme "
                               "d'actions pour maintenir son ambition. Faciliter l'échange et l'apport "
                               "d'expérience entre acteurs.")


def test_seed_impacts_six_unchecked(fiche):
    assert [i.libelle for i in fiche.impacts] == [
        "Atténuation", "Adaptation", "GES", "Énergie", "Qualité de l'air", "Stockage carbone"]
    assert fiche.impacts_coches == []


def test_seed_sous_actions(fiche):
    assert len(fiche.sous_actions) == 2
    first, second = fiche.sous_actions
    assert first.numero == 1 and second.numero == 2
    assert first.descriptif.startswith("Mettre en place et animer un « comité partenarial » territorial")
    assert first.descriptif.endswith("dans la dynamique territoriale mise en place par la collectivité.")
    # The trailing comma of the source (« élus, ») is dropped.
    assert first.public_cible == "Acteurs territoriaux, agents, partenaires, élus"
    assert second.public_cible == "Acteurs territoriaux, agents, partenaires, élus, citoyens, etc."
    assert second.descriptif.startswith("Mettre en place un « Club climat » ouvert à tous")
    for sous_action in fiche.sous_actions:
        assert sous_action.etat == "À développer"  # source: « A développer »
        assert (sous_action.annee_debut, sous_action.annee_fin) == (2020, 2026)
    assert [sa.source_line for sa in fiche.sous_actions] == [19, 23]


def test_seed_fiche_state_and_period_derived(fiche):
    assert fiche.etat == "À développer"
    assert (fiche.annee_debut, fiche.annee_fin) == (2020, 2026)


def test_seed_pilotage_moyens(fiche):
    assert fiche.pilotage.maitre_ouvrage == "CAPSO"
    assert fiche.pilotage.partenaires == "Acteurs territoriaux"
    assert fiche.moyens.partenaires_financiers == ""


def test_seed_indicateurs(fiche):
    assert [i.nom for i in fiche.indicateurs] == [
        "Nombre de partenaires signataires de la charte",
        "Nombre d'acteurs et de partenaires engagés au sein du club climat",
        "Nombre d'actions collectives portées",
    ]
    assert [i.indicateur_id for i in fiche.indicateurs] == [
        "nombre-partenaires-signataires-charte",
        "nombre-acteurs-partenaires-engages-sein-club-climat",
        "nombre-actions-collectives-portees",
    ]
    for indicateur in fiche.indicateurs:
        assert indicateur.unite == "nombre"
        assert indicateur.sens == "hausse"
        assert indicateur.cibles == {}
        assert indicateur.source_line == 33


def test_seed_no_html_left(fiche):
    strings = list(all_strings(fiche))
    assert len(strings) > 20
    for text in strings:
        assert "<" not in text and ">" not in text and "**" not in text, text


def test_seed_has_no_mesures_unless_given():
    assert read_fiche_seed_text(SEED.read_bytes(), SEED.name).mesures == []
    given_fiche = read_fiche_seed_text(SEED.read_bytes(), SEED.name, mesures=["6.1.1"], collectivite="Pays X")
    assert given_fiche.mesures == ["6.1.1"]
    assert given_fiche.collectivite == "Pays X"
    assert given_fiche.fiche_id == "pays-x-animation-instance-territoriale-climat-energie"


def test_seed_cp1252_bytes_read_the_same(fiche):
    data = SEED.read_text(encoding="utf-8").encode("cp1252")
    assert read_fiche_seed_text(data, "fiche.txt") == fiche
    with_bom = "\ufeff" + SEED.read_text(encoding="utf-8").replace("\n", "\r\n")
    assert read_fiche_seed_text(with_bom, "fiche.txt") == fiche


def test_seed_checked_boxes_and_glyphs():
    text = (
        "**Fiche**\n"
        "<b>Impact de l'action</b>\t<input type=\"checkbox\" checked/> Energie "
        "<input type=\"checkbox\"/> GES ☒ qualité de l'AIR\t\n"
        "<b>Sous-action 1</b>\tDescriptif\tFaire\n"
    )
    fiche = read_fiche_seed_text(text, "f.txt")
    assert fiche.impacts_coches == ["Énergie", "Qualité de l'air"]
    assert fiche.sous_actions[0].etat is None
    assert fiche.etat is None


def test_seed_missing_title_and_sous_action():
    text = "<b>Objectifs</b>\tFaire.\n<b>Budget</b>\t1000\n"
    with pytest.raises(InvalidInput) as excinfo:
        read_fiche_seed_text(text, "f.txt")
    assert problems_of(excinfo) == [
        "f.txt:1:1: titre de la fiche introuvable : une ligne « **Titre** » est attendue avant la première rubrique",
        "f.txt:2:1: rubrique inconnue « Budget » ; rubriques reconnues : Enjeux et contexte, Objectifs, "
        "Impact de l'action, Sous-action N, PILOTAGE, Maître d'ouvrage, Partenaires, MOYENS, "
        "Partenaires et dispositif financier, EVALUATION, Indicateurs de suivi et d'évaluation",
        "f.txt:2:1: aucune sous-action : au moins une rubrique « Sous-action 1 » est attendue",
    ]


def test_seed_sous_action_problems_all_at_once():
    text = (
        "**Fiche B**\n"
        "<b>Sous-action 1</b>\tDescriptif\tFaire X\n"
        "\tEtat\tFini\n"
        "\tCalendrier\t2026 - 2020\n"
        "<b>Sous-action 2</b>\tPublic-cible\tÉlus\n"
        "\tCalendrier\tbientôt\n"
        "\tBudget\t3\n"
    )
    with pytest.raises(InvalidInput) as excinfo:
        read_fiche_seed_text(text, "b.txt")
    assert problems_of(excinfo) == [
        "b.txt:3:7: sous-action 1 : état « Fini » inconnu ; états possibles : "
        "À développer, En cours, Réalisé, Reporté, Abandonné",
        "b.txt:4:13: sous-action 1 : calendrier incohérent, fin 2020 avant début 2026",
        "b.txt:5:1: sous-action 2 sans descriptif",
        "b.txt:6:13: sous-action 2 : calendrier « bientôt » illisible ; attendu « 2020 - 2026 » ou une seule année",
        "b.txt:7:2: sous-action 2 : champ inconnu « Budget » ; champs reconnus : Descriptif, Public-cible, "
        "Etat, Calendrier",
    ]


# --- derived state -----------------------------------------------------------------------------

@pytest.mark.parametrize("etats, expected", [
    ([], None),
    ([None, None], None),
    (["Réalisé", "Réalisé"], "Réalisé"),
    (["Réalisé", "Abandonné"], "Réalisé"),
    (["Abandonné", "Abandonné"], "Abandonné"),
    (["Réalisé", "À développer"], "En cours"),
    (["À développer", "En cours"], "En cours"),
    (["À développer", "Reporté"], "À développer"),
    (["Reporté", "Abandonné"], "Reporté"),
])
def test_derive_etat(etats, expected):
    assert derive_etat([SousAction(n, "x", etat=e) for n, e in enumerate(etats, 1)]) == expected


# --- YAML ---------------------------------------------------------------------------------------

def test_yaml_round_trip_of_seed(fiche):
    text = fiche_to_yaml(fiche)
    assert read_fiche_yaml(text, "capso.yaml") == fiche


def test_yaml_round_trip_with_targets_states_and_period(fiche):
    changed = dataclasses.replace(
        fiche,
        mesures=["6.1.1", "6.10"],
        etat="Reporté",
        annee_fin=2030,
        indicateurs=[dataclasses.replace(fiche.indicateurs[0], cibles={2023: 12.5, 2026: 30.0}, sens="baisse",
                                         source="Registre des signataires", description="Cumul\nannuel")],
        sous_actions=[dataclasses.replace(fiche.sous_actions[0], annee_fin=None, numero=4, etat=None)],
    )
    text = fiche_to_yaml(changed)
    assert "etat: Reporté" in text
    assert "periode: {debut: 2020, fin: 2030}" in text
    assert "cibles: {2023: 12.5, 2026: 30}" in text
    assert "calendrier: {debut: 2020}" in text
    assert read_fiche_yaml(text, "x.yaml") == changed


def test_yaml_writer_omits_derived_state_and_period(fiche):
    text = fiche_to_yaml(fiche)
    assert not re.search(r"^etat:", text, re.MULTILINE)
    assert not re.search(r"^periode:", text, re.MULTILINE)
    assert "mesures: []" in text


def test_fixture_is_the_seed_with_reviewed_mesures(fiche):
    expected = dataclasses.replace(fiche, mesures=["6.1.1", "6.1.2", "6.5.1"])
    read = read_fiche_yaml(FIXTURE.read_bytes(), FIXTURE.name)
    assert read == expected
    assert read.source_file == FIXTURE.name


def test_yaml_mesure_ids_stay_strings():
    fiche = read_fiche_yaml("titre: T\nmesures: [6.10, 6.1.1, 1.1.1alter]\n", "m.yaml")
    assert fiche.mesures == ["6.10", "6.1.1", "1.1.1alter"]
    single = read_fiche_yaml("titre: T\nmesures: 6.5.1\n", "m.yaml")
    assert single.mesures == ["6.5.1"]


def test_yaml_minimal_file_defaults():
    fiche = read_fiche_yaml("titre: Vélo en ville\ncollectivite: Ville de Test\n", "v.yaml")
    assert fiche.fiche_id == "ville-test-velo-ville"
    assert fiche.sous_actions == [] and fiche.indicateurs == [] and fiche.mesures == []
    assert fiche.etat is None and fiche.annee_debut is None
    assert len(fiche.impacts) == 6 and fiche.impacts_coches == []


def test_yaml_friendly_spellings():
    text = (
        "Titre: Fiche\n"
        "Sous-actions:\n"
        "  - descriptif: Faire\n"
        "    état: a developper\n"
        "    calendrier: 2021 - 2024\n"
        "  - descriptif: Finir\n"
        "    etat: RÉALISÉE\n"
        "    calendrier: {début: 2022, fin: 2022}\n"
        "pilotage:\n"
        "  maître_ouvrage: CAPSO\n"
        "impacts: [Energie, ges]\n"
        "indicateurs:\n"
        "  - nom: Part des trajets à vélo\n"
        "    sens: Baisse\n"
        "    cibles: {2026: '12,5'}\n"
    )
    fiche = read_fiche_yaml(text, "f.yaml")
    assert [sa.etat for sa in fiche.sous_actions] == ["À développer", "Réalisé"]
    assert [(sa.annee_debut, sa.annee_fin) for sa in fiche.sous_actions] == [(2021, 2024), (2022, 2022)]
    assert fiche.etat == "En cours"
    assert (fiche.annee_debut, fiche.annee_fin) == (2021, 2024)
    assert fiche.pilotage.maitre_ouvrage == "CAPSO"
    assert fiche.impacts_coches == ["GES", "Énergie"]
    indicateur = fiche.indicateurs[0]
    assert indicateur.indicateur_id == "part-trajets-velo"
    assert indicateur.sens == "baisse"
    assert indicateur.cibles == {2026: 12.5}


def test_yaml_all_problems_at_once():
    text = (
        "titre: Fiche test\n"                                  # 1
        "colectivite: CAPSO\n"                                 # 2
        "etat: Terminé\n"                                      # 3
        "sous_actions:\n"                                      # 4
        "  - descriptif: Première\n"                           # 5
        "    etat: en cour\n"                                  # 6
        "    calendrier: {debut: 2026, fin: 2020}\n"           # 7
        "  - public_cible: Élus\n"                             # 8
        "    calendrier: {debut: deux mille, fin: 2030}\n"     # 9
        "indicateurs:\n"                                       # 10
        "  - id: ind-1\n"                                      # 11
        "    nom: Premier\n"                                   # 12
        "    sens: monte\n"                                    # 13
        "    cibles: {2026: beaucoup, 20X6: 3}\n"              # 14
        "  - id: ind-1\n"                                      # 15
        "    nom: Second\n"                                    # 16
        "mesures: [6.1.1, six]\n"                              # 17
    )
    with pytest.raises(InvalidInput) as excinfo:
        read_fiche_yaml(text, "t.yaml")
    etats = "À développer, En cours, Réalisé, Reporté, Abandonné"
    assert problems_of(excinfo) == [
        "t.yaml:2:1: clé inconnue « colectivite » dans la fiche ; clés possibles : id, titre, collectivite, "
        "axe, orientation, etat, periode, enjeux, objectifs, impacts, sous_actions, pilotage, moyens, "
        "indicateurs, mesures",
        f"t.yaml:3:7: fiche : état « Terminé » inconnu ; états possibles : {etats}",
        f"t.yaml:6:11: sous-action 1 : état « en cour » inconnu ; états possibles : {etats}",
        "t.yaml:7:17: calendrier de la sous-action 1 : fin 2020 avant début 2026",
        "t.yaml:8:5: sous-action 2 : « descriptif » manquant",
        "t.yaml:9:25: calendrier de la sous-action 2 : année « deux mille » invalide, une année sur 4 chiffres "
        "est attendue (ex. 2026)",
        "t.yaml:13:11: indicateur 1 : sens « monte » inconnu ; « hausse » (plus c'est haut, mieux c'est) "
        "ou « baisse » (plus c'est bas, mieux c'est) attendu",
        "t.yaml:14:20: indicateur 1 : valeur cible « beaucoup » invalide, un nombre est attendu (ex. 30 ou 12,5)",
        "t.yaml:14:30: indicateur 1 : année cible « 20X6 » invalide, une année sur 4 chiffres est attendue",
        "t.yaml:15:9: indicateur 2 : identifiant « ind-1 » déjà utilisé (ligne 11)",
        "t.yaml:17:18: mesure « six » invalide : un identifiant de mesure du référentiel est attendu (ex. 6.1.1)",
    ]


def test_yaml_missing_title_duplicates_and_types():
    text = (
        "collectivite: CAPSO\n"            # 1
        "pilotage: Acteurs\n"              # 2
        "enjeux: [a, b]\n"                 # 3
        "impacts:\n"                       # 4
        "  Adaptation: peut-être\n"        # 5
        "  Climat: oui\n"                  # 6
        "mesures: [6.1.1, 6.1.1]\n"        # 7
        "collectivite: CAPSO bis\n"        # 8
    )
    with pytest.raises(InvalidInput) as excinfo:
        read_fiche_yaml(text, "d.yaml")
    assert problems_of(excinfo) == [
        "d.yaml:1:1: clé « titre » manquante : le titre de la fiche est obligatoire",
        "d.yaml:2:11: « pilotage » doit être un dictionnaire (lignes « clé: valeur »)",
        "d.yaml:3:9: « enjeux » doit être un texte, pas une liste",
        "d.yaml:5:15: impact « Adaptation » : « peut-être » invalide, « oui » ou « non » attendu",
        "d.yaml:6:3: impact « Climat » inconnu ; impacts possibles : Atténuation, Adaptation, GES, Énergie, "
        "Qualité de l'air, Stockage carbone",
        "d.yaml:7:18: mesure « 6.1.1 » en double",
        "d.yaml:8:1: clé « collectivite » en double dans la fiche (déjà ligne 1)",
    ]


@pytest.mark.parametrize("text, expected", [
    ("titre: a: b\n", "s.yaml:1:9: « : » inattendu ; une valeur qui contient « : » doit être entre guillemets"),
    ("titre: T\n\tcollectivite: X\n", "s.yaml:2:1: tabulation interdite : indenter avec des espaces"),
    ("", "s.yaml:1:1: fichier vide : une fiche-action commence par « titre: … »"),
    ("- titre: T\n", "s.yaml:1:1: la fiche doit être un dictionnaire (lignes « clé: valeur »)"),
])
def test_yaml_syntax_errors(text, expected):
    with pytest.raises(InvalidInput) as excinfo:
        read_fiche_yaml(text, "s.yaml")
    assert problems_of(excinfo) == [expected]


def test_yaml_etats_are_the_documented_list():
    assert ETATS == ("À développer", "En cours", "Réalisé", "Reporté", "Abandonné")


TEXT = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N", "P", "S", "Zs"), whitelist_characters="\n"),
    max_size=200,
).map(str.strip)


@settings(max_examples=150, deadline=None)
@given(titre=TEXT.filter(bool), enjeux=TEXT, partenaires=TEXT)
def test_yaml_round_trip_any_text(titre, enjeux, partenaires):
    fiche = FicheAction(fiche_id="f-1", titre=titre, enjeux=enjeux,
                        sous_actions=[SousAction(1, titre, public_cible=partenaires)])
    fiche.pilotage.partenaires = partenaires
    assert read_fiche_yaml(fiche_to_yaml(fiche), "h.yaml") == fiche


# --- suggested measures -------------------------------------------------------------------------

def test_detect_themes_of_seed(fiche):
    # « entreprise » alone (1 keyword) does not make the fiche « dev_eco ».
    assert detect_themes(fiche) == ["parten_coop"]


def test_suggest_mesures_from_nodes(fiche):
    nodes = pd.DataFrame({
        "action_id": ["6", "6.1", "6.1.2", "6.1.1", "6.5.1", "4.1.1", "6.1.1.1"],
        "niveau": ["axe", "sous-axe", "mesure", "mesure", "mesure", "mesure", "sous-action"],
        "climat_pratic_id": [None, None, "parten_coop", "parten_coop", None, "mobilites", "parten_coop"],
    })
    assert suggest_mesures(fiche, nodes) == ["6.1.1", "6.1.2"]


def test_suggest_mesures_with_official_referential(fiche):
    OFFICIAL = shared_path("referentiels/cae")
    rows = []
    for path in OFFICIAL.glob("*.md"):
        match = re.search(r"^climat_pratic_id:\s*(\S+)", path.read_text(encoding="utf-8"), re.MULTILINE)
        depth = path.stem.count(".") + 1
        rows.append({"action_id": path.stem, "niveau": "mesure" if depth == 3 else "autre",
                     "climat_pratic_id": match.group(1) if match else None})
    # The four parten_coop measures; 6.3.3 (innovation, research) is the one the reviewed
    # fixture leaves out.
    assert suggest_mesures(fiche, pd.DataFrame(rows)) == ["6.1.1", "6.1.2", "6.3.3", "6.5.1"]


def test_documented_example_is_valid():
    doc = (ROOT / "docs" / "fiche-action-yaml.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, re.DOTALL).group(1)
    fiche = read_fiche_yaml(example, "exemple.yaml")
    assert fiche.fiche_id == "capso-velo-quotidien"
    assert fiche.etat == "En cours" and (fiche.annee_debut, fiche.annee_fin) == (2021, 2026)
    assert fiche.objectifs == ("Doubler la part modale du vélo d'ici 2026.\n"
                               "Sécuriser les itinéraires vers les collèges et les gares.")
    assert fiche.enjeux.endswith("gaz à effet de serre du territoire. La moitié des déplacements "
                                 "domicile-travail font moins de 5 km.")
    assert fiche.impacts_coches == ["Atténuation", "GES", "Énergie", "Qualité de l'air"]
    assert [sa.numero for sa in fiche.sous_actions] == [1, 2, 4]
    assert (fiche.sous_actions[2].annee_debut, fiche.sous_actions[2].annee_fin) == (2024, 2026)
    assert [i.cibles for i in fiche.indicateurs] == [{2023: 15.0, 2026: 40.0}, {2026: 8.5}, {2026: 180.5}]
    assert [i.sens for i in fiche.indicateurs] == ["hausse", "hausse", "baisse"]
    assert fiche.indicateurs[1].unite == "%"
    assert fiche.mesures == ["4.1.1", "4.3.2"]
    assert read_fiche_yaml(fiche_to_yaml(fiche), "x.yaml") == fiche
