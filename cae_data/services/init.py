"""Build or refresh a database from the seed documents (`pcaet init`), with the demo data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .. import auth, clock, store
from .. import demo as demo_data
from ..fiches.cooperation import read_cooperation_tools
from ..fiches.seed_text import read_fiche_seed_text
from ..referentiel.seed_markdown import read_seed_referentiel
from ..seeds import FICHE_MARKER, OUTILS_MARKER, seed_document, seeds_dir
from .collectivites import set_collectivites
from .evaluations import import_evaluation
from .indicateurs import import_indicateur_values
from .referentiels import load_referentiel

# The seed fiche is about partnership and concertation: these are the measures it serves,
# reviewed by hand (tests/fixtures/fiches/capso-instance-climat-energie.yaml); editable in
# the fiche's YAML afterwards.
SEED_FICHE_MESURES = ["6.1.1", "6.1.2", "6.5.1"]
SEED_FICHE_COLLECTIVITE = "CAPSO"


def init_database(db_path: Path, demo: bool = True, today: date | None = None,
                  user: str | None = None) -> list[str]:
    """Create or refresh the database from seeds/ (idempotent). The seed measures are loaded as
    referential `cae` unless an official referential of that name was imported, which is kept."""
    folder = seeds_dir()
    seed_ref = read_seed_referentiel(folder, nom="cae")
    fiche_path = seed_document(folder, FICHE_MARKER)
    fiche = read_fiche_seed_text(fiche_path.read_bytes(), fiche_path.name,
                                 collectivite=SEED_FICHE_COLLECTIVITE, mesures=SEED_FICHE_MESURES)
    outils_path = seed_document(folder, OUTILS_MARKER)
    outils = read_cooperation_tools(outils_path.read_bytes(), outils_path.name)
    auth.require_role(db_path, user, auth.EDITION)
    report = []
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        info = store.referentiel_info(con, "cae")
        if info is None or info["source_kind"] == "seed":
            store.save_referentiel(con, seed_ref)
            report.append(f"Référentiel « cae » : {len(seed_ref.nodes[seed_ref.nodes.niveau == 'mesure'])} mesures "
                          "des documents de départ.")
        else:
            report.append(f"Référentiel « cae » officiel conservé (chargé depuis {info['source']}).")
        if not store.fiche_exists(con, fiche.fiche_id):
            store.save_fiche(con, fiche)
        store.save_outils(con, outils)
        report.append(f"Fiche-action « {fiche.titre} » et {len(outils)} outils de coopération.")
        store.record_journal(con, user, "initialisation", "documents de départ", " ".join(report))
    if demo:
        report.extend(install_demo(db_path, today=today, user=user))
    report.append(f"Base prête : {db_path}")
    return report


def install_demo(db_path: Path, today: date | None = None, user: str | None = None) -> list[str]:
    """The demo collectivity, evaluations, indicator values and committees, each written (and
    journaled) as `user`; the files are recorded as brought by « démo »."""
    ref = load_referentiel(db_path, "cae")
    set_collectivites(db_path, [(demo_data.demo_profile_yaml(ref).encode("utf-8"), "capso-demo.yaml")], user=user)
    imported = 0
    for when, frame in demo_data.demo_statuses(ref).items():
        data = demo_data.evaluation_csv(frame, when)
        result = import_evaluation(db_path, data, f"evaluation-capso-{when.isoformat()}.csv",
                                   demo_data.DEMO_COLLECTIVITE, when, user=user, today=today, auteur=demo_data.DEMO_USER,
                                   complet=True)  # each demo file is the whole state at its date
        imported += result.changed
    report = [f"Démonstration : collectivité {demo_data.DEMO_COLLECTIVITE}, "
              f"{len(demo_data.EVALUATION_DATES)} évaluations ({imported} nouvelles ou mises à jour)."]
    report.extend(install_demo_indicateurs(db_path, today, user=user))
    report.extend(install_demo_comites(db_path, user=user))
    return report


def install_demo_indicateurs(db_path: Path, today: date | None = None, user: str | None = None) -> list[str]:
    """Import the demo file (values up to `today`) for the seed indicators present in the
    database, as `user` (auth, journal), recorded as brought by « démo »; installing again the
    same day changes nothing."""
    today = today or clock.today()
    with store.reading(db_path) as con:
        known = set(store.indicateur_table(con)["indicateur_id"])
    present = known & set(demo_data.DEMO_TARGETS)
    if not present:
        return ["Démonstration : les indicateurs de la fiche de départ sont absents, aucune valeur d'indicateur installée."]
    result = import_indicateur_values(db_path, demo_data.demo_csv(today, present), demo_data.DEMO_FILENAME,
                                     user=user, today=today, auteur=demo_data.DEMO_USER)
    state = "installées" if result.changed else "déjà installées"
    return [f"Démonstration : {result.created + result.replaced + result.unchanged} valeurs et "
            f"{sum(len(demo_data.DEMO_TARGETS[i]) for i in present)} cibles de {len(present)} indicateurs ({state})."]


def install_demo_comites(db_path: Path, user: str | None = None) -> list[str]:
    """Record the demo committees whose dates are free (idempotent), as `user` (auth, journal),
    created by « démo »."""
    auth.require_role(db_path, user, auth.EDITION)
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        taken = {c.date for c in store.load_comites(con)}
        added = 0
        for comite in demo_data.DEMO_COMITES:
            if comite.date not in taken:
                store.save_comite(con, comite, demo_data.DEMO_USER)
                store.record_journal(con, user, "comite", f"Comité du {comite.date.strftime('%d/%m/%Y')}",
                                     f"comité de démonstration créé : « {comite.titre} »")
                added += 1
    state = (f"{added} ajouté" + ("s" if added > 1 else "")) if added else "déjà installés"
    return [f"Démonstration : {len(demo_data.DEMO_COMITES)} comités de pilotage hebdomadaires ({state})."]
