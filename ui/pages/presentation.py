"""Mode présentation: the committee's slides for a 1920×1080 projector, without the sidebar nor
Streamlit's chrome, in type readable from the back of a room. One topic a slide, in the order
saved on « Comité de pilotage »: score and stars, radar by category, mesures that moved since the
last committee, indicators of the fiches-actions (value against target), decisions of the
previous committee. « ◀ Précédent » / « Suivant ▶ » move through them (the slide is kept in the
address, `?diapo=2`), « Quitter la présentation » goes back to the committee page.

Address: `?presentation=1` (any page), optionally `&comite=AAAA-MM-JJ`, `&collectivite=…`,
`&diapo=n`."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import streamlit as st

from cae_data import charts, palette
from cae_data.fiches import indicateurs
from cae_data.rapports import tables
from ui import lecture, routes, textes, widgets_comite, widgets_presentation

# Reached from the navigation without the switch: set it, so dashboard.py hides the navigation.
if st.query_params.get(widgets_presentation.PRESENTATION_PARAM) != "1":
    st.query_params[widgets_presentation.PRESENTATION_PARAM] = "1"
    st.rerun()

widgets_presentation.presentation_style()
_keys = itertools.count()  # keyed containers carry the CSS classes of the slide's styles


def styled(style: str, markdown: str) -> None:
    """Markdown (already safe) in one of the slide styles of widgets_presentation.PRESENTATION_CSS: libelle,
    chiffre, etoiles, moyen, gain, perte, stable, nom, petit, remarque, alerte, notes."""
    with st.container(key=f"diapo-{style}-{next(_keys)}"):
        st.markdown(markdown)


def leave() -> None:
    st.query_params.clear()
    st.switch_page(routes.COMITE.path)


def navigation(index: int, count: int) -> None:
    """The bar fixed at the bottom: previous, next, leave."""
    def go(to: int) -> None:
        st.query_params[widgets_presentation.SLIDE_PARAM] = str(to + 1)

    with st.container(key="diapo-nav"):
        cells = st.columns([1.2, 1.2, 2.4, 2.2], vertical_alignment="center")
        cells[0].button("◀ Précédent", key="diapo_precedent", disabled=index <= 0, on_click=go, args=(index - 1,),
                        width="stretch")
        cells[1].button("Suivant ▶", key="diapo_suivant", disabled=index >= count - 1, on_click=go,
                        args=(index + 1,), type="primary", width="stretch")
        if cells[3].button("Quitter la présentation", key="diapo_quitter", icon=":material/close:", width="stretch"):
            leave()


def stop_with(message: str) -> None:
    with st.container(key="diapo-corps"):
        st.markdown(textes.plain(message))
    navigation(0, 1)
    st.stop()


def signed_style(delta: float | None) -> str:
    """A share's change shown to one decimal of a point: below 0,05 pt it is « inchangé »."""
    if delta is None or round(float(delta) * 1000) == 0:
        return "stable"
    return "gain" if delta > 0 else "perte"


def evolution(delta: float, since) -> None:
    """« +0,8 pt depuis le 12/11/2026 » in green, red when lost, « Inchangé … » in grey."""
    style = signed_style(delta)
    text = "Inchangé" if style == "stable" else textes.ecart_pourcentage(delta)
    styled(style, f"{text} depuis le {textes.date_fr(since)}")


# --- what is shown ------------------------------------------------------------------------------

path = lecture.require_database()
comites = sorted(lecture.comites(), key=lambda c: c.date)
if not comites:
    stop_with("Aucun comité enregistré : ajoutez-en un sur la page « Comité de pilotage ».")
by_date = {c.date: c for c in comites}
try:
    asked = dt.date.fromisoformat(str(st.query_params.get("comite", "")))
except ValueError:
    asked = None
remembered = st.session_state.get(widgets_comite.COMITE_MEMORY)
when = asked if asked in by_date else (remembered if remembered in by_date else comites[-1].date)
comite = by_date[when]
position = [c.date for c in comites].index(when)
precedent = comites[position - 1] if position > 0 else None

evaluated = lecture.collectivites_evaluees()
names = sorted(evaluated.loc[evaluated["evaluations"] > 0, "collectivite"], key=textes.fold)
collectivite = st.query_params.get("collectivite")
if collectivite not in names:
    remembered = st.session_state.get("score_collectivite")
    collectivite = remembered if remembered in names else (names[0] if names else None)
changes = widgets_comite.comite_changes(when, collectivite if len(names) > 1 else None) if names else None

order = widgets_presentation.slide_order()
index = widgets_presentation.slide_index(order, st.query_params.get(widgets_presentation.SLIDE_PARAM))
slide = order[index]

# --- header: who, which committee, where we are --------------------------------------------------

with st.container(key="diapo-entete"):
    left, right = st.columns([5, 1])
    who = f"{changes.collectivite} — " if changes else ""
    left.markdown(textes.plain(f"{who}Comité de pilotage du {textes.date_fr(comite.date)}"))
    with right, st.container(key="diapo-compteur"):
        st.markdown(f"{index + 1} / {len(order)}")
with st.container(key="diapo-titre"):
    st.title(widgets_presentation.SLIDE_TITLES[slide], anchor=False)


# --- the five slides -------------------------------------------------------------------------------

def no_evaluation() -> None:
    st.markdown("Aucune évaluation pour l'instant : importez une évaluation pour voir le score.")


def slide_score() -> None:
    c = changes
    if c is None or c.apres is None:
        no_evaluation() if c is None else st.markdown(textes.plain(c.phrases["score"]))
        return
    score, stars = st.columns([1.15, 1], gap="large")
    with score:
        styled("libelle", "Score réalisé")
        styled("chiffre", textes.pourcentage(c.apres.part_fait))
        if c.premier_comite:
            styled("stable", "Premier comité : pas d'évolution à mesurer")
        else:
            evolution(c.delta_part_fait, c.precedent.date)
        styled("petit", f"{textes.points_faits(c.apres.point_fait)} sur {textes.points_label(c.apres.point_potentiel)}"
                        + ("" if c.premier_comite else f" ({textes.ecart_points(c.delta_points_fait)})"))
    with stars:
        if c.apres.etoiles is None:
            return
        if not c.referentiel_complet:
            # Same rule as the overview: stars belong to the complete referential.
            styled("libelle", "Étoiles du label")
            styled("petit", "Le score couvre uniquement les mesures chargées : les étoiles du label "
                            "demandent le référentiel complet.")
            return
        styled("libelle", "Étoiles du label")
        styled("etoiles", textes.etoiles_text(c.apres.etoiles))
        count = c.apres.etoiles
        label = f"{count} étoile{'s' if count > 1 else ''} sur 5"
        delta = c.delta_etoiles
        if delta:
            label += f" ({'+' if delta > 0 else '−'}{abs(delta)})"
        styled(signed_style(delta) if delta else "stable", label)
        if c.apres.prochaine_etoile is not None:
            parts = []
            if c.apres.points_manquants:
                parts.append(f"{textes.points_faits(c.apres.points_manquants)} de plus")
            if c.apres.criteres_manquants:
                n = c.apres.criteres_manquants
                parts.append(f"{n} action{'s' if n > 1 else ''} obligatoire{'s' if n > 1 else ''}")
            if parts:
                rang = "1ʳᵉ" if c.apres.prochaine_etoile == 1 else f"{c.apres.prochaine_etoile}ᵉ"
                styled("petit", f"Pour la {rang} étoile : " + " et ".join(parts))


def slide_radar() -> None:
    c = changes
    if c is None:
        no_evaluation()
        return
    categories = widgets_comite.comite_categories(when, collectivite if len(names) > 1 else None)
    if categories.empty:
        st.markdown("Aucune évaluation en vigueur : pas de score par catégorie.")
        return
    chart, figures = st.columns([3, 2], gap="large")
    with chart:
        st.plotly_chart(charts.comite_radar(categories, presentation=True), theme=None, key="diapo_radar",
                        config={"displaylogo": False, "displayModeBar": False, "staticPlot": True})
    series = list(dict.fromkeys(categories["serie"]))
    current = categories[categories["serie"] == series[-1]]
    previous = categories[categories["serie"] == series[0]].set_index("categorie")["part_fait"] \
        if len(series) > 1 else None
    with figures:
        for row in current.itertuples(index=False):
            name = str(row.categorie)
            with st.container(gap=None, key=f"diapo-bloc-{next(_keys)}"):  # label, share, change
                styled("libelle", textes.plain(name[:1].upper() + name[1:]))
                styled("moyen", textes.pourcentage(row.part_fait))
                if previous is not None and not c.premier_comite:
                    evolution(row.part_fait - previous.get(row.categorie, 0.0), c.precedent.date)


MAX_ROWS = 7  # table rows a slide holds at 34 px under its two sentences


def slide_mesures() -> None:
    c = changes
    if c is None:
        no_evaluation()
        return
    st.markdown(textes.plain(c.phrases["mesures"]) + "  \n" + textes.plain(c.phrases["statuts"]))
    if c.premier_comite or c.mesures.empty:
        return
    moved = tables.ranked_moves(c.mesures)
    shown = moved.head(MAX_ROWS)
    frame = pd.DataFrame({
        "N°": shown["action_id"].astype(str).to_numpy(),
        "Mesure": [textes.shorten(n, 64) for n in shown["nom"]],
        "% fait": [f"{textes.pourcentage(a)} → {textes.pourcentage(b)}"
                   for a, b in zip(shown["part_fait_avant"], shown["part_fait_apres"])],
        "Points faits": [textes.ecart_points(v) for v in shown["delta_point_fait"]],
    })
    st.markdown(textes.markdown_table(frame, ["l", "l", "r", "r"]))
    if len(moved) > len(shown):
        rest = len(moved) - len(shown)
        styled("remarque", f"… et {rest} autre{'s' if rest > 1 else ''} mesure{'s' if rest > 1 else ''} : "
                           "détail sur la page « Comité de pilotage ».")
    room = MAX_ROWS - len(shown) - 1  # the statuses' table needs its own header
    if room >= 1 and len(c.statuts):
        statuts = tables.ranked_moves(c.statuts).head(room)
        frame = pd.DataFrame({
            "Action": statuts["action_id"].astype(str).to_numpy(),
            "Statut avant → après": [
                f"{tables.compact_status(s.code_avant, s.statut_avant, s.fait_avant, s.programme_avant)} → "
                f"{tables.compact_status(s.code_apres, s.statut_apres, s.fait_apres, s.programme_apres)}"
                for s in statuts.itertuples(index=False)],
            "Points faits": [textes.ecart_points(v) for v in statuts["delta_point_fait"]],
        })
        st.markdown(textes.markdown_table(frame, ["l", "l", "r"]))


MAX_INDICATEURS = 6


def slide_indicateurs() -> None:
    c = changes
    if c is None:
        no_evaluation()
        return
    table = c.indicateurs
    if table.empty:
        st.markdown(textes.plain(c.phrases["indicateurs"]))
        return
    shown = table.head(MAX_INDICATEURS)
    compact = len(shown) > 3
    for start in range(0, len(shown), 3):
        cells = st.columns(3, gap="medium")
        for cell, ind in zip(cells, shown.iloc[start:start + 3].itertuples(index=False)):
            with cell, st.container(border=True, height="stretch"):
                indicateur_card(ind, c, compact)
    if len(table) > len(shown):
        rest = len(table) - len(shown)
        styled("remarque", f"… et {rest} autre{'s' if rest > 1 else ''} indicateur{'s' if rest > 1 else ''} : "
                           "page « Fiches-actions ».")


def indicateur_card(ind, c, compact: bool) -> None:
    unite = ind.unite if isinstance(ind.unite, str) else ""
    styled("nom", textes.plain(textes.shorten(ind.nom, 52 if compact else 70)))
    if pd.isna(ind.valeur_apres):
        styled("petit", "Aucune valeur mesurée")
    else:
        styled("moyen" if compact else "grand", textes.plain(textes.valeur_text(ind.valeur_apres, "")))
        unit = "" if not unite or unite == "nombre" else f" {unite}"
        styled("petit", textes.plain(f"au {textes.date_fr(ind.date_apres)}{unit}"))
    if not pd.isna(ind.cible):
        styled("petit", textes.plain(f"Cible {int(ind.cible_annee)} : {textes.valeur_text(ind.cible, unite)}"))
    status = indicateurs.STATUT_INDICATEUR_LABELS.get(ind.statut, str(ind.statut))
    badge = palette.STATUT_INDICATEUR_BADGES.get(ind.statut, "gray")
    styled("petit", textes.highlight(f"**{textes.plain(status)}**", badge))
    if not compact and not c.premier_comite and not pd.isna(ind.evolution):
        change = textes.signed_value(ind.evolution)
        since = f"depuis le {textes.date_fr(c.precedent.date)}"
        styled("petit", textes.plain(f"{'Inchangé' if change == '0' else change} {since}"))
    if bool(ind.ancienne) and not pd.isna(ind.valeur_apres):
        styled("alerte", textes.plain(f"Aucune mesure depuis {int(ind.jours_sans_valeur)} jours"))


def slide_decisions() -> None:
    if precedent is None:
        st.markdown("Premier comité : pas de comité précédent, donc pas de décisions à suivre.")
        return
    styled("nom", textes.plain(f"{precedent.libelle[:1].upper()}{precedent.libelle[1:]} — {precedent.titre}"))
    notes, cut = widgets_presentation.notes_for_slide(precedent.notes, max_lines=10, width=100)
    style = "notes"
    if not notes:
        st.markdown("Aucune décision n'a été notée.")
        return
    if cut:  # too long at 38 px: smaller type, and cut if still too long
        notes, cut = widgets_presentation.notes_for_slide(precedent.notes, max_lines=14, width=125)
        style = "notes-longues"
    styled(style, "  \n".join(textes.plain(line) for line in notes))
    if cut:
        styled("remarque", "… la suite sur la page « Comité de pilotage ».")


SLIDES = {"score": slide_score, "radar": slide_radar, "mesures": slide_mesures, "indicateurs": slide_indicateurs,
          "decisions": slide_decisions}

with st.container(key="diapo-corps"):
    SLIDES[slide]()
navigation(index, len(order))
