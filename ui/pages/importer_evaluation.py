"""Importer une évaluation: a chargé de mission drops a CSV or XLSX file, sees what was read (or
the full list of problems, and then nothing is written), and imports it with one button. Below:
the blank templates of the loaded referential and the files already imported, downloadable
exactly as they were brought."""


import streamlit as st

from cae_data import clock, services
from cae_data.errors import InvalidInput
from ui import lecture, routes, session, textes, widgets_journal, widgets_simulation

MAX_MO = services.MAX_UPLOAD_BYTES // (1024 * 1024)
NOUVELLE = "\x00nouvelle"  # the « nouvelle collectivité » choice (no real name starts with NUL)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

st.title("Importer une évaluation")
session.require_write()
st.markdown(
    "Déposez le fichier d'évaluation d'une collectivité (CSV ou XLSX). Il est **vérifié en entier avant "
    "tout enregistrement** : s'il contient une erreur, rien n'est importé et la liste de toutes les "
    "erreurs s'affiche. Le format est décrit dans `docs/import-evaluation.md`."
)
lecture.require_database()

ref = lecture.referentiel()
if ref is None:
    st.warning("Aucun référentiel « cae » dans la base : une évaluation ne peut pas être vérifiée sans lui. "
               "Chargez-le avec cette commande, dans le dossier du projet :")
    st.code(textes.IMPORT_REFERENTIEL_COMMAND, language="bash")
    st.stop()


def show_problems(problems: list) -> None:
    """The whole validation report: a table, then the raw lines to copy."""
    count = len(problems)
    st.error(f"**Fichier refusé : {count} problème{'s' if count > 1 else ''}. Rien n'a été enregistré.** "
             "Corrigez le fichier, puis déposez-le de nouveau.", icon=":material/block:")
    st.dataframe(textes.problem_table(problems), hide_index=True, width="stretch",
                 height=textes.table_height(count, 500),
                 column_config={"Ligne": st.column_config.NumberColumn(format="%d", width=80),
                                "Colonne": st.column_config.TextColumn(width=150),
                                "Message": st.column_config.TextColumn(width=1100)})
    st.caption("Les mêmes erreurs, à copier (fichier:ligne:colonne: message) :")
    st.code("\n".join(str(p) for p in problems), language=None)


# --- 1. collectivité and date -----------------------------------------------------------------
st.subheader("1. Collectivité et date", anchor=False)
known = lecture.collectivites_evaluees()["collectivite"].tolist()
left, middle, right = st.columns([2, 2, 2])
choice = left.selectbox("Collectivité", [*known, NOUVELLE], key="import_collectivite",
                        format_func=lambda c: "Nouvelle collectivité…" if c == NOUVELLE else c,
                        help="Utilisée pour les lignes du fichier sans colonne « collectivite ».")
collectivite = choice
if choice == NOUVELLE:
    collectivite = middle.text_input("Nom de la nouvelle collectivité", key="import_nouvelle",
                                     max_chars=120).strip()
today = clock.today()
on_date = right.date_input("Date de l'évaluation", value=today, max_value=today, format="DD/MM/YYYY",
                           key="import_date", help="Utilisée pour les lignes du fichier sans date.")

# --- 2. the file ------------------------------------------------------------------------------
st.subheader("2. Fichier", anchor=False)
complet = st.checkbox(
    "Fichier complet : il donne tout l'état de la collectivité", key="import_complet",
    help="Sans cette case, le fichier met à jour l'état : une action absente du fichier garde son statut de "
         "l'évaluation précédente. Avec elle, une action absente devient « non renseignée ». Un export de "
         "Territoires en Transitions est toujours complet.")
uploaded = st.file_uploader(
    f"Fichier d'évaluation : CSV (séparateur « ; » ou « , ») ou XLSX, {MAX_MO} Mo au plus",
    type=["csv", "xlsx", "xls"], key="import_fichier",
)

if uploaded is None:
    st.info("Déposez un fichier pour voir ce qui sera importé. Un modèle à remplir se télécharge plus bas.",
            icon=":material/upload_file:")
elif choice == NOUVELLE and not collectivite:
    st.warning("Indiquez le nom de la nouvelle collectivité.", icon=":material/edit:")
else:
    data = uploaded.getvalue()
    check = widgets_simulation.check_evaluation(data, uploaded.name, collectivite or None, on_date)
    if check.error:
        st.error(f"**{textes.plain(check.error)}** Rien n'a été enregistré.", icon=":material/block:")
    elif check.problems:
        show_problems(check.problems)
    else:
        evaluation = check.evaluation
        rows = evaluation.rows
        st.subheader("3. Ce qui a été lu", anchor=False)
        kind = " (export de Territoires en Transitions reconnu)" if evaluation.kind == "export-tet" else ""
        st.success(f"**Fichier valide{kind} : {textes.nombre(len(rows))} ligne{'s' if len(rows) > 1 else ''} "
                   "d'évaluation.** Vérifiez l'aperçu, puis importez.", icon=":material/check_circle:")
        existing = lecture.collectivites_evaluees()
        for nom, when in evaluation.pairs:
            n = int(((rows["collectivite"] == nom) & (rows["date"] == when)).sum())
            already = when in lecture.evaluation_dates_of(nom)
            effect = ("remplacera l'évaluation déjà enregistrée à cette date" if already
                      else "sera ajoutée" + ("" if nom in set(existing["collectivite"]) else
                                             " (nouvelle collectivité)"))
            st.markdown(f"- Évaluation de **{textes.plain(nom)}** au **{textes.date_fr(when)}** : "
                        f"{textes.nombre(n)} ligne{'s' if n > 1 else ''} ; elle {effect}.")
        counts = widgets_simulation.status_counts(rows)
        for column, (label, count) in zip(st.columns(max(len(counts), 1)), counts.itertuples(index=False)):
            column.metric(label.capitalize(), textes.nombre(count), border=True)
        for warning in evaluation.warnings:
            st.warning(str(warning), icon=":material/warning:")
        preview = widgets_simulation.evaluation_preview(rows, ref.nodes)
        st.dataframe(preview, hide_index=True, width="stretch", height=textes.table_height(len(preview), 460),
                     column_config={"Ligne": st.column_config.NumberColumn(format="%d", width="small"),
                                    "Intitulé": st.column_config.TextColumn(width="large"),
                                    "Commentaire": st.column_config.TextColumn(width="large")})
        if len(rows) > len(preview):
            st.caption(f"Aperçu des {len(preview)} premières lignes sur {textes.nombre(len(rows))}.")

        if st.button("Importer", type="primary", icon=":material/download_done:", key="import_bouton"):
            try:
                result = services.import_evaluation(lecture.database_path(), data, uploaded.name, collectivite or None,
                                                    on_date, user=session.current_user(), complet=complet)
            except InvalidInput as exc:  # the database changed since the check
                show_problems(exc.problems)
            except services.DatabaseBusy as exc:
                st.info(str(exc))
            except services.Refused as exc:  # e.g. the role was withdrawn meanwhile
                st.error(str(exc), icon=":material/lock:")
            else:
                if result.changed:
                    st.cache_data.clear()  # every page reads the new scores at once
                for outcome in result.outcomes:
                    where = f"de **{textes.plain(outcome.collectivite)}** au **{textes.date_fr(outcome.date)}**"
                    lines = f"{textes.nombre(outcome.rows)} ligne{'s' if outcome.rows > 1 else ''}"
                    if outcome.action == "identique":
                        st.info(f"Évaluation {where} déjà importée avec ce fichier : **rien n'a changé**.",
                                icon=":material/info:")
                    else:
                        st.success(f"Évaluation {where} **{outcome.action}** ({lines}).",
                                   icon=":material/check_circle:")
                for message in result.messages:
                    if "rien n'a changé" not in message:
                        st.info(message)
                if result.changed:
                    st.page_link(routes.PROCHAINE_ETOILE.path, label="Simuler la suite : vers la prochaine étoile",
                                 icon=":material/star:")

# --- templates ------------------------------------------------------------------------------
st.subheader("Modèles à remplir", anchor=False)
st.markdown(
    "Une ligne par sous-action et par tâche du référentiel chargé, avec son intitulé : remplissez la colonne "
    "**statut** des lignes évaluées (les lignes laissées vides ne sont pas importées)."
)
templates = st.container(horizontal=True, gap="medium")
templates.download_button(
    "Modèle CSV", data=lambda: widgets_simulation.evaluation_template("csv"),
    file_name=f"modele-evaluation-{ref.nom}.csv",
    mime="text/csv", icon=":material/download:", on_click="ignore", key="modele_csv",
    help="UTF-8, séparateur « ; » : s'ouvre dans Excel ou LibreOffice.",
)
templates.download_button(
    "Modèle XLSX", data=lambda: widgets_simulation.evaluation_template("xlsx"),
    file_name=f"modele-evaluation-{ref.nom}.xlsx",
    mime=XLSX_MIME, icon=":material/download:", on_click="ignore", key="modele_xlsx",
    help="Avec une liste déroulante des statuts et une feuille d'aide.",
)

# --- files already imported -----------------------------------------------------------------
st.subheader("Fichiers déjà importés", anchor=False)
uploads = widgets_simulation.evaluation_uploads()
if uploads.empty:
    st.markdown("*Aucun fichier d'évaluation importé pour l'instant.*")
else:
    st.dataframe(
        widgets_journal.uploads_table(uploads), hide_index=True, width="stretch",
        height=textes.table_height(len(uploads), 420),
        column_config={
            "Empreinte": st.column_config.TextColumn(help="Début de l'empreinte SHA-256 du fichier ; "
                                                          "l'empreinte complète est dans la colonne suivante."),
            "SHA-256": st.column_config.TextColumn("SHA-256 complet", width="small"),
            "Lignes": st.column_config.NumberColumn(format="localized", width="small"),
        },
    )
    labels = {int(u.upload_id): f"{u.filename} — importé le {u.uploaded_at:%d/%m/%Y %H:%M}"
              for u in uploads.itertuples(index=False)}
    pick, button = st.columns([3, 1], vertical_alignment="bottom")
    upload_id = pick.selectbox("Télécharger un fichier tel qu'il a été importé", list(labels),
                               format_func=labels.get, key="import_archive")
    chosen = uploads[uploads["upload_id"] == upload_id].iloc[0]
    button.download_button(
        "Télécharger", data=lambda: widgets_journal.upload_bytes(upload_id), file_name=str(chosen["filename"]),
        mime="application/octet-stream", icon=":material/download:", on_click="ignore", key="archive_telecharger",
    )
