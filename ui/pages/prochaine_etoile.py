"""Vers la prochaine étoile: start from the latest evaluation of a collectivité, move sous-actions
from one status to another, and see at once the score, the stars, the radars and the mandatory
actions as they would be. Nothing is written: the simulation lives in the session only.

The table is the input: its pending edits are read from session state before anything is
drawn, so every figure of a run (the table included) already shows the latest change. The
parts are drawn into containers made in display order: figures, buttons and plan, then the
table beside the checklist, then the radars."""

import pandas as pd
import streamlit as st

from cae_data import charts, simulation
from cae_data.scoring.etoiles import referentiel_complet
from ui import lecture, textes, widgets_scores, widgets_simulation

COLUMN = "Statut simulé"
AFFICHAGES = {"toutes": "Toutes", "programme": "Programmées", "pas_fait": "Pas faites",
              "non_renseigne": "Non renseignées"}

st.title("Vers la prochaine étoile")
st.info(
    "**Simulation : rien n'est enregistré.** Changez le statut de sous-actions (par exemple de "
    "« programmé » à « fait ») pour voir ce que deviendraient le score et les étoiles. "
    "L'évaluation enregistrée ne change pas.",
    icon=":material/science:",
)
lecture.require_database()

ref = lecture.referentiel()
if ref is None:
    widgets_scores.no_referentiel()
evaluees = lecture.collectivites_evaluees()
names = sorted(evaluees.loc[evaluees["evaluations"] > 0, "collectivite"], key=textes.fold)
if not names:
    widgets_scores.no_evaluation()
collectivite = names[0]
if len(names) > 1:  # the collectivity chosen on the score pages is kept
    collectivite = widgets_scores.remembered_select(st.columns([1, 2])[0], "Collectivité", names, "sim_collectivite",
                                         "score_collectivite", names[0])
inputs = lecture.simulation_inputs(collectivite)
complete = referentiel_complet(ref)
nodes = ref.nodes
by_id = nodes.assign(action_id=nodes["action_id"].astype(str)).set_index("action_id")
axes = nodes.loc[nodes["niveau"] == "axe", "action_id"].astype(str).tolist()

st.markdown(f"Point de départ : l'évaluation de **{textes.plain(collectivite)}** du **{textes.date_fr(inputs.date)}**.")
if not complete:
    st.info(
        "Les étoiles du label se calculent sur le référentiel complet : seules "
        f"{int((nodes['niveau'] == 'mesure').sum())} mesures des documents de départ sont chargées, donc ni "
        "étoiles ni actions obligatoires ici. Le simulateur montre quand même l'évolution du score. Pour charger "
        "le référentiel complet, lancez dans le dossier du projet :",
        icon=":material/info:",
    )
    st.code(textes.IMPORT_REFERENTIEL_COMMAND, language="bash")

# --- simulation state: the label chosen per changed row, reset when the evaluation changes --
source = (collectivite, str(inputs.date), lecture.database_path().as_posix())
if st.session_state.get("sim_source") != source:
    st.session_state["sim_source"] = source
    st.session_state["sim_choices"] = {}
    st.session_state["sim_generation"] = st.session_state.get("sim_generation", 0) + 1
    st.session_state["sim_plan"] = False
choices: dict[str, str] = st.session_state["sim_choices"]
table = widgets_simulation.simulation_rows(collectivite)
current_label = dict(zip(table["action_id"], table["statut_actuel"]))


def reset_simulation() -> None:
    st.session_state["sim_choices"] = {}
    st.session_state["sim_generation"] += 1


def apply_plan(chosen: dict[str, str]) -> None:
    st.session_state["sim_choices"] = dict(chosen)
    st.session_state["sim_generation"] += 1


def axe_label(axe_id: str) -> str:
    nom = str(by_id.loc[axe_id, "nom"])
    return nom if textes.fold(nom).startswith("axe ") else f"Axe {axe_id} — {nom}"


def signed(value: float, unit: str, decimals: int = 1) -> str:
    """Delta text for st.metric: an ASCII sign so that Streamlit colours it (« +2,5 points »,
    « -1 étoile »); `unit` is singular, plural from 2 as in French."""
    rounded = round(value, decimals)
    words = unit if abs(rounded) < 2 else " ".join(w + "s" if i == 0 else w for i, w in enumerate(unit.split(" ")))
    sign = "+" if rounded > 0 else "-" if rounded < 0 else ""
    return f"{sign}{textes.nombre(abs(rounded), decimals if not float(rounded).is_integer() else 0)} {words}"


def delta_style(value: float, decimals: int = 1) -> dict:
    """No colour and no arrow for a change that rounds to nothing."""
    moved = round(value, decimals) != 0
    return {"delta_color": "normal" if moved else "off", "delta_arrow": "auto" if moved else "off"}


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


summary_area = st.container()
plan_area = st.container()
left, right = st.columns([2, 1], gap="large")

# --- the table's filters, and its pending edits -----------------------------------------------
with left:
    st.subheader("Statuts des sous-actions", anchor=False)
    filters = st.columns([2, 3, 2])
    axe = filters[0].selectbox("Axe", ["tous", *axes], key="sim_axe",
                               format_func=lambda a: "Tous les axes" if a == "tous" else axe_label(a))
    mesure_ids = [m for m in nodes.loc[nodes["depth"] == ref.action_depth, "action_id"].astype(str)
                  if axe == "tous" or m.split(".")[0] == axe]
    mesure = filters[1].selectbox("Mesure", ["toutes", *mesure_ids], key=f"sim_mesure_{axe}",
                                  format_func=lambda m: "Toutes les mesures" if m == "toutes"
                                  else f"{m} {by_id.loc[m, 'nom']}")
    affichage = filters[2].selectbox("Statut actuel", list(AFFICHAGES), key="sim_affichage",
                                     format_func=AFFICHAGES.get)

view = table
if axe != "tous":
    view = view[view["axe_id"] == axe]
if mesure != "toutes":
    view = view[view["mesure_id"] == mesure]
if affichage == "programme":
    view = view[(view["statut"] == "programme") | (view["programme"] > 0)]
elif affichage == "pas_fait":
    view = view[view["statut"] == "pas_fait"]
elif affichage == "non_renseigne":
    view = view[view["statut_actuel"] == simulation.SIMULABLE_LABELS["non_renseigne"]]
view = view.reset_index(drop=True)

# Row position → new label, as the table keeps it; a label equal to the evaluation's is no change.
editor_key = f"sim_table_{st.session_state['sim_generation']}_{axe}_{mesure}_{affichage}"
for position, edit in (st.session_state.get(editor_key) or {}).get("edited_rows", {}).items():
    position = int(position)
    if COLUMN in edit and position < len(view):
        action_id = view.at[position, "action_id"]
        if edit[COLUMN] == current_label[action_id]:
            choices.pop(action_id, None)
        else:
            choices[action_id] = edit[COLUMN]

decoded = simulation.simulation_choices(table, choices)
baseline = widgets_simulation.simulation(collectivite)
result = widgets_simulation.simulation(collectivite, decoded.changes, decoded.realises)

# --- the figures --------------------------------------------------------------------------------
with summary_area:
    delta_score = (result.score_realise - baseline.score_realise) * 100
    delta_points = result.point_fait - baseline.point_fait
    metrics = st.columns(4 if complete else 2)
    metrics[0].metric(
        "Score réalisé simulé", textes.pourcentage(result.score_realise),
        delta=signed(delta_score, "point de %"), **delta_style(delta_score),
        help=f"Score réalisé actuel : {textes.pourcentage(baseline.score_realise)} (points faits ÷ points possibles).",
        border=True,
    )
    metrics[1].metric(
        "Points faits simulés", textes.points(result.point_fait),
        delta=signed(delta_points, "point"), **delta_style(delta_points),
        help=f"Sur {textes.points_label(result.point_potentiel)} possibles ; points faits actuels : "
             f"{textes.points(baseline.point_fait)}.", border=True,
    )
    if complete:
        etoile_delta = result.etoiles - baseline.etoiles
        metrics[2].metric(
            f"Étoiles simulées : {result.etoiles} sur 5", "★" * result.etoiles + "☆" * (5 - result.etoiles),
            delta=signed(etoile_delta, "étoile", 0), **delta_style(etoile_delta, 0),
            help=f"Étoiles actuelles : {baseline.etoiles} sur 5.", border=True,
        )
        if result.prochaine_etoile is None:
            metrics[3].metric("Prochaine étoile", "Aucune : 5 sur 5", border=True)
        else:
            unmet = result.criteres[(~result.criteres["satisfait"] & (result.criteres["action_id"] != "")
                                     & (result.criteres["etoile"] <= result.prochaine_etoile)).to_numpy()]
            ordinal = "1re" if result.prochaine_etoile == 1 else f"{result.prochaine_etoile}e"
            metrics[3].metric(
                f"Manque pour la {ordinal} étoile", textes.points_label(result.points_manquants),
                delta=(plural(len(unmet), "action obligatoire") if len(unmet) else None), delta_color="off",
                delta_arrow="off",
                help="Points faits qui manquent pour atteindre le seuil de score de la prochaine étoile"
                     + (", et actions obligatoires à faire (voir la liste)." if len(unmet) else "."),
                border=True,
            )
    n_changes = len(decoded.changes) + len(decoded.realises)
    for action_id in decoded.ignores:
        st.warning(f"« {choices.get(action_id, '')} » ne peut pas être simulé pour {action_id} (il faudrait des "
                   "parts ou des tâches) : la ligne reste comme dans l'évaluation.", icon=":material/warning:")
    buttons = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    if complete and buttons.button("Proposer le plus court chemin", icon=":material/route:", type="primary",
                                      help="Les sous-actions déjà programmées qui suffisent, une fois faites, "
                                           "pour atteindre la prochaine étoile."):
        st.session_state["sim_plan"] = True
    buttons.button("Réinitialiser la simulation", icon=":material/restart_alt:", on_click=reset_simulation,
                      disabled=not choices)
    buttons.markdown(f"**{plural(n_changes, 'changement')} simulé{'s' if n_changes > 1 else ''}** par rapport "
                        "à l'évaluation enregistrée." if n_changes else "*Aucun changement simulé pour l'instant.*")

# --- shortest path to the next star -------------------------------------------------------------
if complete and st.session_state.get("sim_plan"):
    plan = widgets_simulation.completion_plan(collectivite)
    with plan_area, st.container(border=True):
        st.subheader("Le plus court chemin vers la prochaine étoile", anchor=False)
        st.caption(f"À partir de l'évaluation du {textes.date_fr(inputs.date)} telle qu'elle est enregistrée "
                   "(sans les changements simulés).")
        (st.success if plan.atteignable else st.warning)(plan.message)
        if len(plan.detail):
            st.dataframe(pd.DataFrame({
                "N°": plan.detail["action_id"].astype(str),
                "Sous-action programmée": plan.detail["nom"].fillna("").astype(str),
                "Points gagnés": [textes.points(g) for g in plan.detail["gain"]],
                "Pourquoi": plan.detail["raison"].map({"critère obligatoire": "action obligatoire",
                                                       "seuil": "seuil de score"}).fillna(plan.detail["raison"]),
            }), hide_index=True, width="stretch", height=textes.table_height(len(plan.detail), 420),
                column_config={"N°": st.column_config.TextColumn(width=90),
                               "Sous-action programmée": st.column_config.TextColumn(width="large")})
            st.markdown(f"Score réalisé une fois ces sous-actions faites : **{textes.pourcentage(plan.score_apres)}** "
                        f"(aujourd'hui {textes.pourcentage(plan.score_avant)}).")
            suggestion = simulation.plan_choices(table, inputs.statuses, plan.action_ids, ref.action_depth)
            st.button("Appliquer cette proposition à la simulation", icon=":material/playlist_add_check:",
                      on_click=apply_plan, args=(suggestion,),
                      help="Remplace les changements simulés par cette proposition ; rien n'est enregistré.")

# --- the table to move statuses -----------------------------------------------------------------
with left:
    st.caption("Choisissez un autre statut dans la colonne « Statut simulé ». Les tâches (↳) apparaissent "
               "sous les sous-actions évaluées tâche par tâche.")
    simulated = result.scores.assign(action_id=result.scores["action_id"].astype(str)).set_index("action_id")
    deltas = view["action_id"].map(simulated["point_fait"]).astype("float64") - view["point_fait"]
    frame = pd.DataFrame({
        "N°": [("↳ " if niveau == "tache" else "") + i for i, niveau in zip(view["action_id"], view["niveau"])],
        "Intitulé": view["nom"].to_numpy(),
        "Statut actuel": view["statut_actuel"].to_numpy(),
        COLUMN: [choices.get(i, s) for i, s in zip(view["action_id"], view["statut_actuel"])],
        "Points": [textes.points(v) for v in view["point_potentiel"]],
        "Écart": ["" if abs(d) < 0.05 else textes.ecart_points(d) for d in deltas],
    })
    if (view["detail"] != "").any():
        frame["Détail"] = view["detail"].to_numpy()
    if frame.empty:
        st.info("Aucune sous-action ne correspond à ces filtres.")
    else:
        st.data_editor(
            frame, key=editor_key, hide_index=True, width="stretch", num_rows="fixed",
            height=textes.table_height(len(frame), 640),
            disabled=[c for c in frame.columns if c != COLUMN],
            column_config={
                "N°": st.column_config.TextColumn(width=95),
                "Intitulé": st.column_config.TextColumn(width=260),
                "Statut actuel": st.column_config.TextColumn(width=150),
                COLUMN: st.column_config.SelectboxColumn(COLUMN, options=simulation.SIMULATION_OPTIONS, required=True,
                                                         width=170, help="Le statut à simuler pour cette ligne"),
                "Points": st.column_config.TextColumn("Points", width=75, help="Points possibles de la ligne"),
                "Écart": st.column_config.TextColumn("Écart", width=80,
                                                     help="Points faits gagnés (+) ou perdus (−) par la simulation"),
            },
        )

# --- mandatory actions and thresholds, and the list of changes --------------------------------
with right:
    if complete:
        st.subheader("Actions obligatoires et seuils", anchor=False)
        before = baseline.criteres.set_index(["etoile", "critere"])["satisfait"]
        for etoile, rows in result.criteres.groupby("etoile", sort=True):
            lines = []
            for row in rows.itertuples(index=False):
                if not row.applicable:
                    lines.append(f"- :gray[:material/remove: {textes.plain(row.critere)} — sans objet ici]")
                    continue
                icon = ":blue[:material/check_circle:]" if row.satisfait else ":red[:material/cancel:]"
                was = bool(before.get((etoile, row.critere), row.satisfait))
                note = ""
                if row.satisfait and not was:
                    note = " " + textes.badge_markdown("rempli grâce à la simulation", "green")
                elif was and not row.satisfait:
                    note = " " + textes.badge_markdown("perdu dans la simulation", "red")
                lines.append(f"- {icon} {textes.plain(row.critere)}{note}")
            ordinal = "1re" if etoile == 1 else f"{etoile}e"
            reached = "atteinte" if etoile <= result.etoiles else "pas encore atteinte"
            st.markdown(f"**{ordinal} étoile** — {reached}\n" + "\n".join(lines))
    changed = [(i, current_label[i], label) for i, label in choices.items()
               if i in current_label and label != current_label[i]]
    st.subheader(f"Changements simulés ({len(changed)})", anchor=False)
    if not changed:
        st.markdown("*Aucun : la simulation est l'évaluation enregistrée.*")
    else:
        st.dataframe(pd.DataFrame({
            "N°": [c[0] for c in changed],
            "Avant": [c[1] for c in changed],
            "Simulé": [c[2] for c in changed],
            "Intitulé": [str(by_id.loc[c[0], "nom"]) for c in changed],
        }), hide_index=True, width="stretch", height=textes.table_height(len(changed), 360))

# --- radars: actual and simulated ---------------------------------------------------------------
st.subheader("Profil actuel et simulé", anchor=False)
radars = widgets_simulation.simulation_radars(collectivite, decoded.changes, decoded.realises)
for column, radar in zip(st.columns(2), radars):
    with column:
        if radar.figure is None:
            st.markdown(f"**{radar.title}** : pas assez de branches pour un radar.")
        else:
            st.plotly_chart(radar.figure, config=charts.chart_config(radar.filename), width="stretch")
st.caption("Trait plein : l'évaluation enregistrée ; tirets : la simulation.")
