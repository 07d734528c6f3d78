"""Journal des modifications: every write to the database (import, value, fiche, committee,
account, referential, profile, initialisation) with who made it and when, filtered by period,
person and kind; each imported file downloadable exactly as it was brought. Readable by every
role: the élus see everything, including who changed what."""

from datetime import timedelta

import streamlit as st

from cae_data import clock, journal
from ui import lecture, textes, widgets_journal

st.title("Journal des modifications")
st.markdown("Chaque modification de la base est enregistrée ici, avec son auteur et son heure, dans la même "
            "opération que la modification elle-même. Les simples consultations ne sont pas enregistrées.")
lecture.require_database()

every = lecture.journal_entries()
if every.empty:
    st.info("Aucune modification enregistrée pour l'instant (une base créée avant le journal le commence à sa "
            "prochaine modification).", icon=":material/info:")
    st.stop()

# --- filters -------------------------------------------------------------------------------
first = min(t.date() for t in every["recorded_at"])
today = max(clock.today(), max(t.date() for t in every["recorded_at"]))
people = sorted({u for u in every["utilisateur"] if isinstance(u, str)})
people = people + [journal.NON_IDENTIFIE] if every["utilisateur"].isna().any() else people
kinds = [code for code in journal.ACTIONS if code in set(every["action"])]

period_col, who_col, kind_col = st.columns([2, 2, 3])
period = period_col.date_input("Période", value=(max(first, today - timedelta(days=365)), today),
                               min_value=first, max_value=today, format="DD/MM/YYYY", key="journal_periode")
chosen_people = who_col.multiselect("Qui", people, key="journal_qui", placeholder="Tout le monde")
chosen_kinds = kind_col.multiselect("Type de modification", kinds, format_func=journal.label,
                                    key="journal_type", placeholder="Toutes")
depuis, jusqu_au = (period[0], period[1]) if len(period) == 2 else (period[0], period[0])
entries = lecture.journal_entries(
    depuis, jusqu_au,
    [None if p == journal.NON_IDENTIFIE else p for p in chosen_people] or None,
    chosen_kinds or None,
)

count = len(entries)
st.metric("Modifications sur la période", textes.nombre(count),
          help=f"Du {textes.date_fr(depuis)} au {textes.date_fr(jusqu_au)}, sur {textes.nombre(len(every))} au total.")
if entries.empty:
    st.info("Aucune modification ne correspond à ces filtres.", icon=":material/filter_alt_off:")
    st.stop()

st.dataframe(
    widgets_journal.journal_table(entries), hide_index=True, width="stretch", height=textes.table_height(count, 560),
    column_config={"Date": st.column_config.TextColumn(width=170),
                   "Qui": st.column_config.TextColumn(width=120),
                   "Action": st.column_config.TextColumn(width=255),
                   "Objet": st.column_config.TextColumn(width=260),
                   "Détail": st.column_config.TextColumn(width=600),
                   "Fichier": st.column_config.TextColumn(width=240)},
)
st.download_button(
    "Télécharger ce journal (CSV)",
    data=lambda: widgets_journal.journal_table(entries).to_csv(index=False, sep=";").encode("utf-8-sig"),
    file_name=f"journal-{depuis.isoformat()}-{jusqu_au.isoformat()}.csv", mime="text/csv",
    icon=":material/download:", on_click="ignore", key="journal_csv",
)

# --- archived files ---------------------------------------------------------------------------
st.subheader("Fichiers importés", anchor=False)
with_files = entries[entries["upload_id"].notna()]
if with_files.empty:
    st.markdown("*Aucun fichier importé parmi ces modifications.*")
    st.stop()
st.markdown("Chaque fichier importé est conservé tel qu'il a été déposé : téléchargez-le pour vérifier ce qui a "
            "été importé.")
labels = {int(row.upload_id): f"{row.filename} — {journal.label(row.action).lower()} du "
          f"{row.recorded_at:%d/%m/%Y à %H:%M}, par {row.utilisateur or journal.NON_IDENTIFIE}"
          for row in with_files.itertuples(index=False)}
pick, button = st.columns([3, 1], vertical_alignment="bottom")
upload_id = pick.selectbox("Fichier", list(labels), format_func=labels.get, key="journal_fichier")
filename = str(with_files.loc[with_files["upload_id"] == upload_id, "filename"].iloc[0])
button.download_button(
    "Télécharger", data=lambda: widgets_journal.upload_bytes(upload_id), file_name=filename,
    mime="application/octet-stream", icon=":material/download:", on_click="ignore", key="journal_telecharger",
)
