"""Boîte à outils coopération: the tools that formalise cooperation between territories, as
cards, with a text search and a filter on the kinds of partners (échelle)."""

import streamlit as st

from pages import _ui

st.title("Boîte à outils coopération")
_ui.require_database()

intro = _ui.cooperation_intro()
if intro is not None:
    if intro.titre:
        st.subheader(_ui.plain(intro.titre), anchor=False)
    if intro.chapeau:
        st.caption(_ui.plain(intro.chapeau))
    for title, body in intro.sections:
        with st.expander(_ui.plain(title), icon=":material/help:"):
            _ui.markdown_safe(body)

outils = _ui.outils()
if not outils:
    st.info("Aucun outil de coopération dans la base. La commande `pcaet init` charge ceux des "
            "documents de départ.", icon=":material/handshake:")
    st.stop()

SECTIONS = [
    ("elements_declencheurs", "Éléments déclencheurs", ":material/bolt:"),
    ("enjeux", "Enjeux", ":material/flag:"),
    ("ambitions", "Ambitions", ":material/trending_up:"),
    ("objet", "Objet", ":material/description:"),
    ("acteurs", "Acteurs", ":material/groups:"),
]


def kinds(outil) -> list[str]:
    return [k for k in outil.echelle.split(" / ") if k]


def search_text(outil) -> str:
    parts = [outil.titre, outil.partenaires_echelle, outil.echelle]
    for name, _, _ in SECTIONS:
        parts.extend(getattr(outil, name))
    return _ui.fold(" ".join(parts))


all_kinds = sorted({k for outil in outils for k in kinds(outil)}, key=_ui.fold)
left, right = st.columns([1, 1])
query = left.text_input("Rechercher dans les outils", key="outils_recherche",
                        placeholder="ex. PNR, charte, comité technique")
chosen = right.multiselect("Partenaires / échelle", all_kinds, key="outils_echelle",
                           placeholder="Toutes les échelles")

shown = outils
for word in _ui.fold(query).split():
    shown = [outil for outil in shown if word in search_text(outil)]
if chosen:
    shown = [outil for outil in shown if set(kinds(outil)) & set(chosen)]

st.caption(f"{len(shown)} outil{'s' if len(shown) > 1 else ''} sur {len(outils)}")
if not shown:
    st.info("Aucun outil ne correspond à cette recherche.")
    st.stop()


def show_outil(outil) -> None:
    with st.container(border=True):
        st.subheader(_ui.plain(outil.titre), anchor=False)
        st.markdown(" ".join(_ui.badge_markdown(k, "blue", ":material/groups:") for k in kinds(outil)))
        st.markdown(f"**Partenaires / échelle :** {_ui.or_missing(outil.partenaires_echelle)}")
        for name, title, icon in SECTIONS:
            items = getattr(outil, name)
            if not items:
                continue
            st.markdown(f"{icon} **{title}**")
            st.markdown("\n".join(f"- {_ui.plain(item)}" for item in items))


for row_start in range(0, len(shown), 2):
    for column, outil in zip(st.columns(2, gap="medium"), shown[row_start:row_start + 2]):
        with column:
            show_outil(outil)
