"""What the page « Passer à Climat Ressources » shows, computed once from a projection
(projection.py), so that the page only displays: the summary (CAE score and stars today, the
projected TE score and stars), one row per TE node with the CAE/ECI points it maps, the TE
points it gets, the gain or loss and the reasons in French words, the new mesures to evaluate
first, the personnalisation questions still to answer, and the radar frames (by category and
by axis, CAE and projected TE). Pure; whole tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from .. import analyses
from ..evaluation.mise_a_jour import ancestors
from ..formatting import date_fr, french_number
from ..personnalisation.questions import questions_applicables
from ..referentiel.model import Referentiel
from ..scoring.engine import POINT_FIELDS
from ..scoring.etoiles import etoiles, referentiel_complet
from .projection import CONCERNEE, IGNOREE, NON_CONCERNEE, ORIGINE_NON_CONCERNEE, PROJETEE, Projection

# Why a TE node's points differ from the CAE/ECI points it maps: code → short French label.
RAISONS = {
    "nouvelle_mesure": "nouvelle mesure sans origine",
    "non_concernee": "aucune origine concernée",
    "origine_non_concernee": "origine non concernée laissée de côté",
    "ponderation": "pondération",
    "personnalisation_te": "personnalisation Climat Ressources",
    "statut_sur_sous_action": "statut CAE porté par la sous-action",
    "taches_non_concernees": "tâches non concernées comptées",
    "origine_ignoree": "origine d'un référentiel non suivi",
}
TABLEAU_COLUMNS = [
    "action_id", "niveau", "niveau_label", "nom", "categorie", "point_potentiel", *POINT_FIELDS, "score_realise",
    "point_fait_origines", "ecart_points", "statut", "statut_texte", "origines", "raisons", "raison",
]
NOUVELLES_COLUMNS = ["action_id", "nom", "niveau_label", "mesure_id", "mesure_nom", "point_potentiel"]
QUESTION_COLUMNS = ["question_id", "titre", "type", "thematique", "choix", "ordre", "actions"]
RADAR_CATEGORIE_COLUMNS = ["serie", "referentiel", "categorie", "libelle", "point_potentiel", "point_fait",
                           "part_fait"]
RADAR_AXE_COLUMNS = ["serie", "referentiel", "action_id", "nom", "point_potentiel", "point_fait", "part_fait"]


@dataclass
class Bascule:
    """One collectivity's switch, ready to show (see the module docstring)."""

    collectivite: str
    date: date  # of the CAE evaluation projected
    date_eci: date | None  # of the ECI evaluation used, if any
    projection: Projection
    cae: Referentiel
    cae_scores: pd.DataFrame
    cae_etoiles: pd.Series  # etoiles(…) row: score_realise, etoiles, …
    tableau: pd.DataFrame  # TABLEAU_COLUMNS, every TE node in order
    nouvelles_mesures: pd.DataFrame  # NOUVELLES_COLUMNS, most points first
    questions: pd.DataFrame  # QUESTION_COLUMNS, form order
    radar_categories: pd.DataFrame  # RADAR_CATEGORIE_COLUMNS
    radar_axes: pd.DataFrame  # RADAR_AXE_COLUMNS
    avertissements: list[str] = field(default_factory=list)

    @property
    def te(self) -> Referentiel:
        return self.projection.referentiel

    @property
    def cae_score(self) -> float:
        return float(self.cae_etoiles["score_realise"])

    @property
    def cae_nombre_etoiles(self) -> int:
        return int(self.cae_etoiles["etoiles"])

    @property
    def cae_etoiles_significatives(self) -> bool:
        """The CAE referential is complete enough for stars (not the seed measures alone)."""
        return referentiel_complet(self.cae)

    @property
    def te_score(self) -> float:
        return float(self.projection.etoiles["score_realise"])

    @property
    def te_nombre_etoiles(self) -> int:
        return int(self.projection.etoiles["etoiles"])

    @property
    def te_score_statuts(self) -> float:
        return float(self.projection.etoiles_statuts["score_realise"])

    @property
    def te_nombre_etoiles_statuts(self) -> int:
        return int(self.projection.etoiles_statuts["etoiles"])

    def resume(self) -> list[str]:
        """The summary in French sentences (the command line prints them on stderr)."""
        cae = (f"{self.collectivite}, évaluation CAE du {date_fr(self.date)} : {_pct(self.cae_score)}"
               + (f" ({_etoiles(self.cae_nombre_etoiles)})" if self.cae_etoiles_significatives
                  else " (étoiles non calculables : référentiel CAE incomplet)"))
        lines = [
            cae + f" → Climat Ressources projeté : {_pct(self.te_score)} ({_etoiles(self.te_nombre_etoiles)}).",
            f"Après écriture des statuts (pcaet bascule appliquer : parts arrondies à 5 % près par défaut) : "
            f"{_pct(self.te_score_statuts)} ({_etoiles(self.te_nombre_etoiles_statuts)}).",
        ]
        if self.date_eci is not None:
            lines.append(f"Évaluation ECI prise en compte : celle du {date_fr(self.date_eci)}.")
        if len(self.nouvelles_mesures):
            total = float(self.nouvelles_mesures["point_potentiel"].sum())
            lines.append(f"{len(self.nouvelles_mesures)} nouvelle(s) mesure(s) sans origine, à évaluer : "
                         f"{french_number(round(total, 1))} points non renseignés.")
        if len(self.questions):
            ids = ", ".join(self.questions["question_id"].astype(str))
            lines.append(f"{len(self.questions)} question(s) de personnalisation Climat Ressources sans réponse "
                         f"(pcaet collectivite set) : {ids}.")
        return lines + self.avertissements


def _pct(ratio: float) -> str:
    from ..formatting import pourcentage

    return pourcentage(ratio)


def _etoiles(n: int) -> str:
    return f"{n} étoile" + ("s" if n > 1 else "")


def _texte_nombres(values, decimales: int = 2) -> pd.Series:
    """Numbers for sentences, vectorised: `decimales` at most, comma, true minus (1.5 → « 1,5 »)."""
    series = pd.Series(np.round(np.asarray(values, dtype=np.float64), decimales) + 0.0)
    text = series.astype(str).str.replace(r"\.0$", "", regex=True).str.replace(".", ",", regex=False)
    return text.str.replace("-", "−", regex=False)


# ---------------------------------------------------------------- reasons


def raisons(projection: Projection) -> pd.DataFrame:
    """One row per (TE node, reason) where the reason arises: action_id, code (RAISONS), texte
    (a French sentence with the node's figures)."""
    te, base, cibles, origines = projection.referentiel, projection.base, projection.cibles, projection.origines
    frames = []
    ids = cibles["action_id"]

    def add(mask, code: str, texte) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            frames.append(pd.DataFrame({"action_id": np.asarray(ids)[mask], "code": code,
                                        "texte": np.asarray(texte, dtype=object)[mask]}))

    projected = cibles["etat"].eq(PROJETEE).to_numpy()
    reference = cibles["point_referentiel"].to_numpy(dtype=np.float64)
    origin_points = cibles["points_origines"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        weighting = np.where(origin_points > 0, reference / origin_points, 1.0)
    add(projected & (np.abs(weighting - 1) > 1e-9), "ponderation",
        "pondération : " + _texte_nombres(origin_points) + " points d'origine pour "
        + _texte_nombres(reference) + " points Climat Ressources (× " + _texte_nombres(weighting, 3) + ")")
    add(cibles["etat"].eq(NON_CONCERNEE), "non_concernee",
        "aucune origine concernée (" + cibles["libelle_origines"] + ") : non concernée, son potentiel sort du total")

    def by_origin(mask, code: str, texte: pd.Series) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            part = pd.DataFrame({"action_id": origines.loc[mask, "action_id"], "texte": texte[mask]})
            joined = part.groupby("action_id", sort=False)["texte"].agg("; ".join).reset_index()
            frames.append(joined.assign(code=code)[["action_id", "code", "texte"]])

    cible_etat = origines["action_id"].map(dict(zip(cibles["action_id"], cibles["etat"])))
    etat = origines["etat"]
    by_origin(etat.eq(ORIGINE_NON_CONCERNEE) & cible_etat.ne(NON_CONCERNEE), "origine_non_concernee",
              "origine non concernée laissée de côté : " + origines["libelle"])
    parent = origines["origine_action_id"].str.replace(r"\.[^.]*$", "", regex=True)
    by_origin(etat.eq(CONCERNEE) & origines["sous_statut_parent"],
              "statut_sur_sous_action",
              "statut CAE donné à " + origines["origine_referentiel"] + " " + parent + ", pas à la tâche d'origine "
              + origines["origine_action_id"] + " : comptée non renseignée (règle de la plateforme)")
    nc = origines["taches_non_concernees"].to_numpy(dtype=np.float64)
    by_origin(etat.eq(CONCERNEE) & (nc > 0), "taches_non_concernees",
              _texte_nombres(nc).to_numpy(dtype=object) + " tâche(s) non concernée(s) de " + origines["libelle"]
              + " comptée(s) comme non faite(s) (règle de la plateforme)")
    by_origin(etat.eq(IGNOREE), "origine_ignoree",
              "origine " + origines["libelle"] + pd.Series(np.where(
                  origines["ignoree_car"].eq("referentiel"), " laissée de côté : la collectivité ne suit pas le "
                  "référentiel « " + origines["origine_referentiel"] + " » ici (non chargé, ou sans évaluation à "
                  "cette date)",
                  " inconnue du référentiel « " + origines["origine_referentiel"] + " » chargé : laissée de côté"),
                  index=origines.index))

    nodes = te.nodes.assign(action_id=te.nodes["action_id"].astype(str))
    nouvelle = nodes["nouvelle_action"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    if nouvelle.any():
        frames.append(pd.DataFrame({"action_id": nodes.loc[nouvelle, "action_id"].to_numpy(),
                                    "code": "nouvelle_mesure",
                                    "texte": "nouvelle mesure, sans origine CAE/ECI : à évaluer"}))
    at = base.set_index("action_id")
    low = at["niveau"].isin(["sous-action", "tache"]).to_numpy()
    reference, potentiel = at["point_referentiel"].to_numpy(), at["point_potentiel"].to_numpy()
    desactive = at["desactive"].to_numpy(dtype=bool)
    reduced = low & ~desactive & (potentiel < reference - 1e-9)
    for mask, texte in ((low & desactive, pd.Series("désactivée par la personnalisation Climat Ressources",
                                                    index=at.index)),
                        (reduced, "personnalisation Climat Ressources : potentiel " + _texte_nombres(reference).values
                         + " → " + _texte_nombres(potentiel).values)):
        if mask.any():
            frames.append(pd.DataFrame({"action_id": at.index[mask], "code": "personnalisation_te",
                                        "texte": np.asarray(texte, dtype=object)[mask]}))
    if not frames:
        return pd.DataFrame({"action_id": pd.Series(dtype=object), "code": pd.Series(dtype=object),
                             "texte": pd.Series(dtype=object)})
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- the table


def tableau(projection: Projection) -> pd.DataFrame:
    """One row per TE node (TE order): projected points and score, the CAE/ECI points fait its
    origins bring (weighted: Σ w·point_fait, the cibles below it summed), the gain or loss, the
    status `appliquer` writes, the origins, and the reasons (codes, and a French text: a cible's
    own sentences, or for a mesure / axe the reasons found below it with their counts)."""
    te = projection.referentiel
    scores = projection.scores
    nodes = te.nodes.assign(action_id=te.nodes["action_id"].astype(str)).set_index("action_id")
    out = scores[["action_id", "niveau", "point_potentiel", *POINT_FIELDS]].copy()
    out["niveau_label"] = out["niveau"].map({code: te.niveau_label(code) for code in set(out["niveau"])})
    out["nom"] = out["action_id"].map(nodes["nom"])
    categories = nodes["categorie"].reindex(out["action_id"])
    labels = {c: te.categorie_label(c) for c in categories.dropna().unique()}
    out["categorie"] = categories.map(labels).to_numpy(dtype=object)
    potential = out["point_potentiel"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["score_realise"] = np.where(potential > 0, out["point_fait"].to_numpy(dtype=np.float64) / potential, 0.0)

    cibles = projection.cibles
    # points the origins bring, counted once: cibles under another cible are left out
    pairs = ancestors(cibles["action_id"])
    nested = pairs["ancestor"].isin(set(cibles["action_id"]))
    top = cibles[~cibles["action_id"].isin(set(pairs.loc[nested, "action_id"]))]
    upward = pd.concat([pd.DataFrame({"action_id": top["action_id"], "ancestor": top["action_id"]}),
                        pairs[pairs["action_id"].isin(set(top["action_id"]))]], ignore_index=True)
    upward = upward.merge(top[["action_id", "point_fait_origines"]], on="action_id")
    brought = upward.groupby("ancestor")["point_fait_origines"].sum()
    brought[""] = float(top["point_fait_origines"].sum())
    out["point_fait_origines"] = out["action_id"].map(brought).fillna(0.0).to_numpy(dtype=np.float64)
    out["ecart_points"] = out["point_fait"].to_numpy(dtype=np.float64) - out["point_fait_origines"].to_numpy()

    by_id = cibles.set_index("action_id")
    out["statut"] = out["action_id"].map(by_id["statut"])
    written = out["statut"].notna().to_numpy()
    texts = pd.Series("", index=out.index, dtype=object)
    if written.any():
        rows = out.loc[written, ["statut"]].assign(**{c: out.loc[written, "action_id"].map(by_id[c]) for c in
                                                    ("fait", "programme", "pas_fait")})
        texts.loc[written] = analyses.status_texts(rows).to_numpy()
    out["statut_texte"] = texts.to_numpy()
    out["origines"] = out["action_id"].map(by_id["libelle_origines"]).fillna("").to_numpy()

    found = raisons(projection)
    order = {code: rank for rank, code in enumerate(RAISONS)}
    own = found.assign(_rank=found["code"].map(order)).sort_values("_rank", kind="stable")
    own_text = own.groupby("action_id", sort=False)["texte"].agg("; ".join)
    # every reason found at or below each node, with the number of nodes it arises at
    spread = pd.concat([own[["action_id", "code"]].assign(ancestor=own["action_id"]),
                        own[["action_id", "code"]].merge(ancestors(own["action_id"]), on="action_id"),
                        own[["action_id", "code"]].assign(ancestor="")], ignore_index=True)
    counts = spread.drop_duplicates(["ancestor", "code", "action_id"]).groupby(["ancestor", "code"]).size()
    counts = counts.reset_index(name="n")
    counts["_rank"] = counts["code"].map(order)
    counts = counts.sort_values(["ancestor", "_rank"], kind="stable")
    counts["label"] = counts["code"].map(RAISONS) + " (" + counts["n"].astype(str) + ")"
    codes = counts.groupby("ancestor", sort=False)["code"].agg(list)
    summary = counts.groupby("ancestor", sort=False)["label"].agg(", ".join)
    out["raisons"] = out["action_id"].map(codes).map(lambda v: v if isinstance(v, list) else []).to_numpy()
    text = out["action_id"].map(own_text)
    out["raison"] = text.where(text.notna(), out["action_id"].map(summary)).fillna("").to_numpy()
    return out[TABLEAU_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- new mesures, questions, radars


def nouvelles_mesures(projection: Projection) -> pd.DataFrame:
    """The TE nodes marked « Nouvelle action » that count for the collectivity (not désactivé),
    the topmost of each branch, with their mesure: most points first, then TE order."""
    te, base = projection.referentiel, projection.base
    nodes = te.nodes.assign(action_id=te.nodes["action_id"].astype(str))
    marked = nodes.loc[nodes["nouvelle_action"].astype("boolean").fillna(False).to_numpy(dtype=bool), "action_id"]
    pairs = ancestors(marked)
    under_marked = set(pairs.loc[pairs["ancestor"].isin(set(marked)), "action_id"])
    marked = marked[~marked.isin(under_marked)]
    at = base.set_index("action_id")
    out = pd.DataFrame({"action_id": marked.to_numpy(dtype=object)})
    out["point_potentiel"] = out["action_id"].map(at["point_potentiel"]).astype(float)
    out = out[out["action_id"].map(at["concerne"]).astype(bool).to_numpy() & (out["point_potentiel"] > 0).to_numpy()]
    noms = nodes.set_index("action_id")["nom"]
    niveaux = nodes.set_index("action_id")["niveau"]
    out["nom"] = out["action_id"].map(noms)
    out["niveau_label"] = out["action_id"].map(niveaux).map(
        {code: te.niveau_label(code) for code in niveaux.unique()})
    mesures = pairs[pairs["ancestor"].map(niveaux).eq("mesure")].drop_duplicates("action_id")
    mesure_of = mesures.set_index("action_id")["ancestor"]
    is_mesure = out["action_id"].map(niveaux).eq("mesure")
    out["mesure_id"] = out["action_id"].where(is_mesure, out["action_id"].map(mesure_of))
    out["mesure_nom"] = out["mesure_id"].map(noms)
    position = pd.Series(np.arange(len(nodes)), index=nodes["action_id"])
    out["_order"] = out["action_id"].map(position)
    out = out.sort_values(["point_potentiel", "_order"], ascending=[False, True], kind="stable")
    return out[NOUVELLES_COLUMNS].reset_index(drop=True)


def questions_manquantes(te: Referentiel, profile) -> pd.DataFrame:
    """The TE personnalisation questions the collectivity is asked (its type, visibility rules)
    and has not answered, in the profile form's order."""
    asked = questions_applicables(te.questions, profile)
    answered = {str(k).lower() for k in (profile.reponses or {})}
    out = asked[~asked["question_id"].astype(str).str.lower().isin(answered).to_numpy()].copy()
    out["choix"] = out["choix"].map(lambda items: ", ".join(str(c.get("label", c.get("id", ""))) for c in items)
                                    if isinstance(items, list) else "")
    for column in QUESTION_COLUMNS:
        if column not in out.columns:
            out[column] = None
    return out[QUESTION_COLUMNS].reset_index(drop=True)


def _keyed(scores: pd.DataFrame, serie: str) -> pd.DataFrame:
    return scores.assign(collectivite=serie, date=pd.Timestamp("2000-01-01"))


def radars(projection: Projection, cae: Referentiel, cae_scores: pd.DataFrame, date_cae: date,
           cae_nom: str = "cae") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by category, by axis) frames for the two radars, CAE at its date and projected TE."""
    te = projection.referentiel
    series = [(f"CAE au {date_fr(date_cae)}", cae_nom, cae, cae_scores),
              ("Climat Ressources projeté", te.nom, te, projection.scores)]
    categories, axes = [], []
    for serie, nom, ref, scores in series:  # two referentials
        keyed = _keyed(scores, serie)
        by_category = analyses.scores_by_category(keyed, ref.nodes.assign(action_id=ref.nodes["action_id"].astype(str)))
        by_category["libelle"] = by_category["categorie"].astype(str).map(
            lambda c, ref=ref: (ref.categorie_label(c) or c)[:1].upper() + (ref.categorie_label(c) or c)[1:])
        categories.append(by_category.assign(serie=serie, referentiel=nom, categorie=by_category["categorie"].astype(str)))
        by_axis = analyses.scores_by_axis(keyed, nodes=ref.nodes.assign(action_id=ref.nodes["action_id"].astype(str)))
        axes.append(by_axis.assign(serie=serie, referentiel=nom))
    return (pd.concat(categories, ignore_index=True)[RADAR_CATEGORIE_COLUMNS],
            pd.concat(axes, ignore_index=True)[RADAR_AXE_COLUMNS])


# ---------------------------------------------------------------- warnings and the whole


def avertissements(projection: Projection) -> list[str]:
    """What the user should know about the projection's inputs, in French."""
    lines = []
    origines, cibles = projection.origines, projection.cibles
    ignored = origines[origines["etat"].eq(IGNOREE)]
    for nom, rows in ignored.groupby("origine_referentiel", sort=True):
        not_followed = rows["ignoree_car"].eq("referentiel")
        if not_followed.any():
            part = rows[not_followed]
            alone = cibles[cibles["etat"].eq(NON_CONCERNEE) & cibles["action_id"].isin(set(part["action_id"]))]
            lines.append(
                f"{len(part)} origine(s) « {nom} » laissée(s) de côté dans {part['action_id'].nunique()} nœud(s) "
                f"Climat Ressources : la collectivité ne suit pas le référentiel « {nom} » ici (non chargé, ou sans "
                f"évaluation à cette date). Comme sur la plateforme, {len(alone)} nœud(s) sans autre origine "
                "deviennent non concernés et les autres sont projetés sur leurs seules origines suivies.")
        unknown = rows[~not_followed]
        if len(unknown):
            shown = ", ".join(unknown["libelle"].head(5))
            lines.append(f"{len(unknown)} origine(s) inconnue(s) du référentiel « {nom} » chargé ({shown}"
                         + (", …" if len(unknown) > 5 else "") + ") : laissées de côté.")
    parent = origines[origines["etat"].eq(CONCERNEE) & origines["sous_statut_parent"]]
    if len(parent):
        lines.append(
            f"{len(parent)} origine(s) sont des tâches dont seule la sous-action porte un statut : la plateforme les "
            "compte non renseignées. Donnez ces statuts tâche par tâche avant de basculer.")
    return lines


def synthese(projection: Projection, collectivite: str, date_cae: date, date_eci: date | None = None,
             cae_nom: str = "cae") -> Bascule:
    """The whole page's content from a projection whose sources hold `cae_nom`."""
    source = projection.sources[cae_nom]
    cae_scores = projection.sources_scores[cae_nom]
    cae_etoiles = etoiles(source.referentiel, cae_scores, source.statuses).iloc[0]
    by_category, by_axis = radars(projection, source.referentiel, cae_scores, date_cae, cae_nom)
    return Bascule(
        collectivite=collectivite, date=date_cae, date_eci=date_eci, projection=projection,
        cae=source.referentiel, cae_scores=cae_scores, cae_etoiles=cae_etoiles,
        tableau=tableau(projection), nouvelles_mesures=nouvelles_mesures(projection),
        questions=questions_manquantes(projection.referentiel, projection.profile),
        radar_categories=by_category, radar_axes=by_axis, avertissements=avertissements(projection),
    )
