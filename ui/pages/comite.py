"""Comité de pilotage: the weekly committee the dashboard is screen-shared to. The committees
recorded, the one chosen (the latest by default) with « depuis le dernier comité » (statuses,
score per axe and per mesure, stars, indicator values, files imported since the committee
before), its PDF report and XLSX workbook, a PNG of every chart, the forms to add a committee
and to write its notes, and the order of the presentation mode's slides."""

from __future__ import annotations

import functools

import streamlit as st

from cae_data import charts, clock, services
from cae_data.comites import Comite
from cae_data.errors import InvalidInput
from cae_data.rapports import tables
from ui import lecture, routes, session, textes, widgets_comite, widgets_presentation, widgets_scores

WIDGET_COMITE = "comite_page_date"
WIDGET_COLLECTIVITE = "comite_page_collectivite"
FLASH = "comite_page_messages"  # (kind, text) pairs shown after a form's rerun

st.title("Comité de pilotage")
path = lecture.require_database()


def flash(kind: str, text: str) -> None:
    st.session_state.setdefault(FLASH, []).append((kind, text))


def show_flash() -> None:
    for kind, text in st.session_state.pop(FLASH, []):
        {"success": st.success, "error": st.error, "info": st.info}[kind](text)


# --- form callbacks (run before the page, so they may set the selector) ---------------------

def add_comite() -> None:
    state = st.session_state
    comite = Comite(date=state["comite_new_date"], titre=state["comite_new_titre"],
                    participants=state["comite_new_participants"], notes=state["comite_new_notes"])
    try:
        result = services.add_comite(path, comite, user=session.current_user())
    except InvalidInput as exc:
        for message in widgets_comite.problem_messages(exc):
            flash("error", f"Comité non enregistré. {message}")
        return
    except (services.Refused, services.DatabaseBusy) as exc:
        flash("error", f"Comité non enregistré. {exc}")
        return
    for message in result.messages:
        flash("success" if message == result.messages[0] else "info", message)
    state[WIDGET_COMITE] = result.comite.date
    state[widgets_comite.COMITE_MEMORY] = result.comite.date
    for key, empty in (("comite_new_titre", ""), ("comite_new_participants", ""), ("comite_new_notes", "")):
        state[key] = empty


def update_comite(original: Comite) -> None:
    state = st.session_state
    suffix = original.date.isoformat()
    comite = Comite(date=original.date, titre=state[f"comite_edit_titre_{suffix}"],
                    participants=state[f"comite_edit_participants_{suffix}"],
                    notes=state[f"comite_edit_notes_{suffix}"])
    try:
        result = services.update_comite(path, original.date, comite, user=session.current_user())
    except InvalidInput as exc:
        for message in widgets_comite.problem_messages(exc):
            flash("error", f"Modification non enregistrée. {message}")
        return
    except (services.Refused, services.DatabaseBusy) as exc:
        flash("error", f"Modification non enregistrée. {exc}")
        return
    flash("success", result.messages[0])


def save_order() -> None:
    try:
        order = services.save_slide_order(path, st.session_state["comite_ordre_diapos"], user=session.current_user())
    except services.Refused as exc:
        flash("error", f"Ordre non enregistré : {exc}")
        return
    flash("success", "Ordre des diapositives enregistré : "
          + ", ".join(f"{n}. {services.PRESENTATION_SLIDES[key]}" for n, key in enumerate(order, start=1)) + ".")


def reset_order() -> None:
    try:
        order = services.save_slide_order(path, list(services.PRESENTATION_SLIDES), user=session.current_user())
    except services.Refused as exc:
        flash("error", f"Ordre non enregistré : {exc}")
        return
    st.session_state["comite_ordre_diapos"] = order
    flash("success", "Ordre par défaut rétabli.")


# --- sections ---------------------------------------------------------------------------------

def add_form() -> None:

    st.session_state.setdefault("comite_new_date", clock.today())
    with st.form("comite_ajout", border=False):
        left, right = st.columns([1, 3])
        left.date_input("Date du comité", key="comite_new_date", format="DD/MM/YYYY")
        right.text_input("Titre", key="comite_new_titre", max_chars=200,
                         placeholder="Par exemple : Point d'étape sur l'évaluation")
        st.text_input("Participants", key="comite_new_participants",
                      placeholder="Séparez les noms par des virgules",
                      help="Un nom répété n'est gardé qu'une fois.")
        st.text_area("Notes et décisions", key="comite_new_notes", height=140,
                     placeholder="Décisions :\n• …", help="Vous pourrez les compléter après la réunion.")
        st.form_submit_button("Enregistrer le comité", icon=":material/add:", type="primary", on_click=add_comite)
    st.caption("Un seul comité par jour ; une date future est acceptée (comité prévu).")


def edit_form(comite: Comite) -> None:
    suffix = comite.date.isoformat()
    with st.form(f"comite_modification_{suffix}", border=False):
        st.text_input("Titre", value=comite.titre, key=f"comite_edit_titre_{suffix}", max_chars=200)
        st.text_input("Participants", value=", ".join(comite.participants),
                      key=f"comite_edit_participants_{suffix}", help="Séparez les noms par des virgules.")
        st.text_area("Notes et décisions", value=comite.notes, key=f"comite_edit_notes_{suffix}", height=200)
        st.form_submit_button("Enregistrer les notes", icon=":material/save:", type="primary",
                              on_click=update_comite, args=(comite,))


def order_editor() -> None:
    saved = widgets_presentation.slide_order()
    if st.session_state.get("comite_ordre_diapos") is None:
        st.session_state["comite_ordre_diapos"] = saved
    st.multiselect(
        "Diapositives, dans l'ordre de la présentation", list(services.PRESENTATION_SLIDES),
        key="comite_ordre_diapos", format_func=lambda key: services.PRESENTATION_SLIDES[key],
        placeholder="Choisissez les diapositives",
        help="L'ordre de sélection est l'ordre des diapositives. Pour déplacer une diapositive, retirez-la "
             "puis ajoutez-la de nouveau ; une diapositive retirée n'est pas montrée.")
    buttons = st.columns([1, 1, 3])
    buttons[0].button("Enregistrer l'ordre", icon=":material/save:", type="primary", on_click=save_order,
                      key="comite_ordre_enregistrer")
    buttons[1].button("Ordre par défaut", icon=":material/restart_alt:", on_click=reset_order,
                      key="comite_ordre_defaut")
    st.markdown("**Ordre enregistré :** " + " → ".join(
        f"{n}. {services.PRESENTATION_SLIDES[key]}" for n, key in enumerate(saved, start=1)))
    st.caption("L'ordre est enregistré pour cette base de données, dans un petit fichier à côté d'elle.")


def table(frame, key: str, columns: dict | None = None) -> None:
    st.dataframe(frame, hide_index=True, width="stretch", key=key, column_config=columns,
                 height=textes.table_height(len(frame), 420))


def png_button(figure, filename: str, key: str) -> None:
    """A PNG of the chart made on the server (kaleido) when the button is clicked."""
    if not charts.static_export_available():
        st.caption("Export PNG côté serveur indisponible : Chromium n'est pas installé "
                   "(scripts/ensure-chromium.sh). L'appareil photo de la barre du graphique reste disponible.")
        return
    st.download_button("Télécharger le graphique (PNG)", data=functools.partial(widgets_comite.chart_png, figure, 1600),
                       file_name=f"{filename}.png", mime="image/png", icon=":material/image:", key=key,
                       on_click="ignore")


def chart(figure, filename: str, key: str) -> None:
    st.plotly_chart(figure, theme=None, config=charts.chart_config(filename), key=key)
    png_button(figure, filename, f"{key}_png")


def exports(comite: Comite, collectivite: str | None, name: str) -> None:
    left, right = st.columns(2)
    with left:
        data, problem = widgets_comite.comite_report("xlsx", comite.date, collectivite)
        if data is None:
            st.warning(f"Classeur indisponible : {problem}")
        else:
            st.download_button("Télécharger le classeur XLSX", data=data, icon=":material/table_view:",
                               file_name=widgets_comite.report_filename("xlsx", name, comite.date), key="comite_xlsx",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               on_click="ignore", width="stretch")
            st.caption("Classeur : Scores (réimportable), Statuts, Indicateurs, Évolutions, Comité.")
    with right:
        prepared = st.session_state.get("comite_pdf_prepare") == (comite.date, collectivite)
        if not prepared:
            if st.button("Préparer le rapport PDF", icon=":material/picture_as_pdf:", key="comite_pdf_preparer",
                         width="stretch", help="Le diaporama du comité en PDF : quelques secondes de calcul."):
                st.session_state["comite_pdf_prepare"] = (comite.date, collectivite)
                prepared = True
        if prepared:
            with st.spinner("Préparation du rapport PDF (graphiques et diapositives)…"):
                data, problem = widgets_comite.comite_report("pdf", comite.date, collectivite)
            if data is None:
                st.warning(f"Rapport PDF indisponible : {problem}")
            else:
                st.download_button("Télécharger le rapport PDF", data=data, icon=":material/picture_as_pdf:",
                                   file_name=widgets_comite.report_filename("pdf", name, comite.date), key="comite_pdf",
                                   mime="application/pdf", on_click="ignore", width="stretch", type="primary")
        st.caption("Diaporama PDF : une page A4 paysage par diapositive.")


def decisions(comite: Comite, precedent: Comite | None) -> None:
    left, right = st.columns(2, gap="large")
    with left, st.container(border=True, height="stretch"):
        if precedent is None:
            st.markdown("**Décisions du comité précédent**")
            st.info("Premier comité : pas de comité précédent, donc pas de décisions à suivre.")
        else:
            st.markdown(f"**Décisions du {textes.plain(precedent.libelle)}** — {textes.plain(precedent.titre)}")
            notes_text(precedent.notes)
    with right, st.container(border=True, height="stretch"):
        st.markdown(f"**Notes du {textes.plain(comite.libelle)}**")
        notes_text(comite.notes)
        if comite.participants:
            st.caption("Participants : " + textes.plain(", ".join(comite.participants)))


def notes_text(notes: str) -> None:
    """Free text as typed, line by line (never read as markdown or HTML)."""
    if not notes.strip():
        st.markdown("*Aucune décision n'a été notée pour l'instant.*")
        return
    st.markdown("  \n".join(textes.plain(line) for line in notes.splitlines()))


def metric_delta(text: str) -> str | None:
    """st.metric colours a delta by a leading ASCII « - »: our « − » becomes one."""
    return None if text in ("–", "") else text.replace("−", "-")


def changes_section(changes, collectivite: str | None) -> None:
    """`collectivite` as asked of comite_changes (None: the only one), for the cached reads."""
    c = changes
    since = f"depuis le {c.precedent.libelle}" if c.precedent else ""
    st.header(f"Depuis le {c.precedent.libelle}" if c.precedent else "Depuis le dernier comité", anchor=False)
    st.markdown(textes.plain(c.phrases["evaluation"]))
    if c.premier_comite:
        st.info("Premier comité : aucun comité précédent auquel comparer. Les évolutions apparaîtront "
                "au prochain comité.", icon=":material/info:")
    metrics = st.columns(6)
    if c.apres is None:
        metrics[0].metric("Score réalisé", "—", help=c.phrases["score"])
    else:
        metrics[0].metric("Score réalisé", textes.pourcentage(c.apres.part_fait),
                          delta=None if c.premier_comite else metric_delta(textes.ecart_pourcentage(c.delta_part_fait)),
                          help=c.phrases["score"])
        metrics[1].metric("Points faits", textes.points(c.apres.point_fait),
                          delta=None if c.premier_comite else metric_delta(textes.ecart_points(c.delta_points_fait)),
                          help=f"Sur {textes.points_label(c.apres.point_potentiel)} de potentiel.")
        if c.apres.etoiles is not None:
            delta = c.delta_etoiles
            metrics[2].metric("Étoiles", f"{c.apres.etoiles} sur 5",
                              delta=None if delta is None else (f"{delta:+d}" if delta else "0"),
                              delta_arrow="off" if not delta else "auto", help=c.phrases["etoiles"])
    if not c.premier_comite:
        metrics[3].metric("Statuts modifiés", textes.nombre(len(c.statuts)))
        metrics[4].metric("Nouvelles valeurs", textes.nombre(len(c.valeurs)), help="Valeurs d'indicateurs saisies.")
        metrics[5].metric("Fichiers importés", textes.nombre(len(c.imports)))
    if c.apres is not None:
        st.caption(textes.plain(c.phrases["etoiles"]))
    if c.premier_comite:
        return
    stamp = c.comite.date.isoformat()

    st.subheader("Statuts qui ont changé", anchor=False)
    st.markdown(textes.plain(c.phrases["statuts"]))
    if len(c.statuts):
        table(tables.status_change_rows(tables.ranked_moves(c.statuts)), "comite_statuts",
              {"Intitulé": st.column_config.TextColumn(width="large")})
        st.caption("Points faits et programmés gagnés (+) ou perdus (−) sur chaque action ; les plus grands "
                   "mouvements d'abord.")

    st.subheader("Score par axe", anchor=False)
    st.markdown(textes.plain(c.phrases["score"]))
    axes = c.axes.assign(label=[textes.shorten(textes.axe_label(a, n), 50)
                                for a, n in zip(c.axes["action_id"], c.axes["nom"])])
    table(tables.level_change_rows(c.axes, "Axe"), "comite_axes", {"Axe": st.column_config.TextColumn(width="large")})
    if (axes["delta_point_fait"] != 0).any():
        chart(charts.comite_points_bars(axes, "label", "Points faits gagnés ou perdus par axe"),
              f"points-par-axe-{stamp}", "comite_axes_chart")
    else:
        st.info(f"Aucun point fait gagné ni perdu sur les axes {since}.")

    st.subheader("Mesures qui ont bougé", anchor=False)
    st.markdown(textes.plain(c.phrases["mesures"]))
    if len(c.mesures):
        moved = tables.ranked_moves(c.mesures)
        table(tables.level_change_rows(moved, "Mesure"), "comite_mesures",
              {"Mesure": st.column_config.TextColumn(width="large")})
        shown = moved[moved["delta_point_fait"] != 0].head(15)
        if len(shown):
            shown = shown.assign(label=[f"{a} {textes.shorten(n, 50)}"
                                        for a, n in zip(shown["action_id"], shown["nom"])])
            chart(charts.comite_points_bars(shown, "label", "Points faits gagnés ou perdus par mesure"),
                  f"points-par-mesure-{stamp}", "comite_mesures_chart")
            if len(moved) > len(shown):
                st.caption("Le graphique montre les plus grands mouvements de points faits ; le tableau montre "
                           "toutes les mesures qui ont bougé (points programmés compris).")

    st.subheader("Score par catégorie", anchor=False)
    categories = widgets_comite.comite_categories(c.comite.date, collectivite)
    if categories.empty:
        st.info("Aucune évaluation en vigueur : pas de score par catégorie.")
    else:
        left, right = st.columns(2, gap="large")
        with left:
            chart(charts.comite_radar(categories), f"radar-categories-{stamp}", "comite_radar")
        with right:
            table(tables.category_change_rows(categories), "comite_categories")
            st.caption("Bases : connaître et organiser ; mise en œuvre : agir ; effets : résultats mesurés.")

    st.subheader("Indicateurs des fiches-actions", anchor=False)
    st.markdown(textes.plain(c.phrases["indicateurs"]))
    if len(c.indicateurs):
        table(tables.indicateur_change_rows(c.indicateurs), "comite_indicateurs")
    if len(c.valeurs):
        st.markdown(f"**Valeurs saisies {since}**")
        table(tables.new_value_rows(c.valeurs), "comite_valeurs")

    st.subheader("Fichiers importés", anchor=False)
    st.markdown(textes.plain(c.phrases["imports"]))
    if len(c.imports):
        table(tables.upload_rows(c.imports), "comite_imports")


# --- the page ---------------------------------------------------------------------------------

show_flash()
comites = lecture.comites()
if not comites:
    st.info("Aucun comité enregistré pour l'instant : ajoutez le premier ci-dessous, ou avec la commande "
            "`pcaet comite add`.", icon=":material/inbox:")
    if session.can_write():  # readers see the committees, not the forms (docs/securite.md)
        st.subheader("Ajouter un comité", anchor=False)
        add_form()
    st.stop()

ordered = sorted(comites, key=lambda c: c.date, reverse=True)
by_date = {c.date: c for c in ordered}
top_left, top_right = st.columns(2, gap="large")
with top_right:
    chosen = widgets_scores.remembered_select(
        st, "Comité affiché", list(by_date), WIDGET_COMITE, widgets_comite.COMITE_MEMORY, ordered[0].date,
        format_func=lambda d: widgets_comite.comite_label(by_date[d], d == ordered[0].date))
    evaluated = lecture.collectivites_evaluees()
    names = sorted(evaluated.loc[evaluated["evaluations"] > 0, "collectivite"], key=textes.fold)
    collectivite = None
    if len(names) > 1:
        collectivite = widgets_scores.remembered_select(st, "Collectivité", names, WIDGET_COLLECTIVITE,
                                                        "score_collectivite", names[0])
    comite = by_date[chosen]
    query = {widgets_presentation.PRESENTATION_PARAM: "1", "comite": comite.date.isoformat()}
    if collectivite:
        query["collectivite"] = collectivite
    if st.button("Lancer la présentation", icon=":material/slideshow:", type="primary", key="comite_presentation",
                 help="Le tableau de bord devient un diaporama pour le projecteur (sans menu)."):
        st.switch_page(routes.PRESENTATION.path, query_params=query)
    if names:
        exports(comite, collectivite, collectivite or names[0])
with top_left:
    st.markdown(f"**{textes.nombre(len(comites))} comité{'s' if len(comites) > 1 else ''} enregistré"
                f"{'s' if len(comites) > 1 else ''}**")
    table(tables.comite_rows(comites), "comite_liste")

st.divider()
st.header(f"{comite.libelle[:1].upper()}{comite.libelle[1:]} — {comite.titre}", anchor=False)
position = [c.date for c in sorted(comites, key=lambda c: c.date)].index(comite.date)
precedent = sorted(comites, key=lambda c: c.date)[position - 1] if position > 0 else None
decisions(comite, precedent)

if not names:
    st.info("Aucune évaluation pour l'instant.", icon=":material/inbox:")
    st.markdown("« Depuis le dernier comité » compare les évaluations en vigueur à chaque comité : importez une "
                "évaluation pour le voir.")
    st.page_link(routes.IMPORT_EVALUATION.path, label="Importer une évaluation", icon=":material/upload_file:")
else:
    changes = widgets_comite.comite_changes(comite.date, collectivite)
    changes_section(changes, collectivite)

if not session.can_write():  # readers see the committees, not the forms (docs/securite.md)
    st.stop()
st.divider()
st.header("Gérer les comités", anchor=False)
ajout, modification, diaporama = st.tabs(["Ajouter un comité", f"Notes du {comite.libelle}", "Ordre du diaporama"])
with ajout:
    add_form()
with modification:
    edit_form(comite)
with diaporama:
    order_editor()
