"""Boîte à outils coopération: the tools that formalise cooperation between territories, as
cards, with a text search and a filter on the kinds of partners (échelle)."""

import streamlit as st

from ui import lecture, textes, widgets_outils

st.title("Boîte à outils coopération")
lecture.require_database()

intro = widgets_outils.cooperation_intro()
if intro is not None:
    if intro.titre:
        st.subheader(textes.plain(intro.titre), anchor=False)
    if intro.chapeau:
        st.caption(textes.plain(intro.chapeau))
    for title, body in intro.sections:
        with st.expander(textes.plain(title), icon=":material/help:"):
            textes.markdown_safe(body)

outils = lecture.outils()
if not outils:
    st.info("Aucun outil de coopération dans la base. La commande `pcaet init` charge ceux des "
            "documents de départ.", icon=":material/handshake:")
    st.stop()

SECTION_TITLES = {
    "elements_declencheurs": ("Éléments déclencheurs", ":material/bolt:"),
    "enjeux": ("Enjeux", ":material/flag:"),
    "ambitions": ("Ambitions", ":material/trending_up:"),
    "objet": ("Objet", ":material/description:"),
    "acteurs": ("Acteurs", ":material/groups:"),
}


def kinds(outil) -> list[str]:
    return [k for k in outil.echelle.split(" / ") if k]


def search_text(outil) -> str:
    parts = [outil.titre, outil.partenaires_echelle, outil.echelle]
    for name in SECTION_TITLES:
        parts.extend(getattr(outil, name))
    return textes.fold(" ".join(parts))


all_kinds = sorted({k for outil in outils for k in kinds(outil)}, key=textes.fold)
left, right = st.columns([1, 1])
query = left.text_input("Rechercher dans les outils", key="outils_recherche",
                        placeholder="ex. PNR, charte, comité technique")
chosen = right.multiselect("Partenaires / échelle", all_kinds, key="outils_echelle",
                           placeholder="Toutes les échelles")

patterns = textes.search_patterns(query)
shown = [outil for outil in outils if textes.matches(search_text(outil), patterns)]
if chosen:
    shown = [outil for outil in shown if set(kinds(outil)) & set(chosen)]

st.caption(f"{len(shown)} outil{'s' if len(shown) > 1 else ''} sur {len(outils)}")
if not shown:
    st.info("Aucun outil ne correspond à cette recherche.")
    st.stop()


def show_list(outil, name: str) -> None:
    title, icon = SECTION_TITLES[name]
    st.markdown(f"{icon} **{title}**")
    items = getattr(outil, name)
    st.markdown("\n".join(f"- {textes.plain(item)}" for item in items) if items else "*Non renseigné*")


# One full-width card per tool, its sections in three columns: one tool fits one screen.
for outil in shown:
    with st.container(border=True):
        st.subheader(textes.plain(outil.titre), anchor=False)
        st.markdown(
            f"**Partenaires / échelle :** {textes.or_missing(outil.partenaires_echelle)} &nbsp; "
            + " ".join(textes.badge_markdown(k, "blue", ":material/groups:") for k in kinds(outil))
        )
        first, second, third = st.columns(3, gap="large")
        with first:
            show_list(outil, "elements_declencheurs")
            show_list(outil, "enjeux")
        with second:
            show_list(outil, "ambitions")
            show_list(outil, "objet")
        with third:
            show_list(outil, "acteurs")
