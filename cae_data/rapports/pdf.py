"""The committee's deck (fpdf2): one A4 landscape page a slide, meant to be screen-shared.

Slides: score global et étoiles (with « depuis le dernier comité »), radar par catégorie (and
the axes), mesures qui ont bougé (and the statuses that changed), indicateurs des
fiches-actions (value against target, three a page), décisions du comité précédent. Every page
carries the collectivity and the committee's date in its header and « page n / N » in its
footer. Text uses a Unicode TrueType font of the system (DejaVu Sans by default: French
accents, « », ★, narrow no-break spaces)."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from .. import clock, palette
from ..charts import ChartExportError, comite_radar, figure_png, indicateur_slide_chart
from ..comites import ComiteChanges, ComiteHistory, points_text
from ..fiches.indicateurs import trajectory_line
from ..formatting import (
    date_fr,
    ecart_points,
    ecart_pourcentage,
    nombre_court,
    points,
    pourcentage,
    shorten,
    signed_value,
)
from .erreurs import ReportError
from .tables import (
    STATUT_INDICATEUR_RAPPORT,
    category_frame,
    compact_status,
    ranked_moves,
    report_title,
    values_until,
)

FONT_ENV = "PCAET_PDF_FONT"  # path of a .ttf to use instead of the system's
FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/freefont/FreeSans.ttf", "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf"),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
]

# Colours of the one palette, as fpdf takes them.
BLEU = palette.rgb(palette.COULEUR_FAIT)
ORANGE = palette.rgb(palette.COULEUR_PROGRAMME)
VERT = palette.rgb(palette.COULEUR_GAIN)
VERMILLON = palette.rgb(palette.COULEUR_PAS_FAIT)
NOIR = palette.rgb(palette.COULEUR_TEXTE)
GRIS = palette.rgb(palette.GRIS)
GRIS_CLAIR = palette.rgb(palette.FOND_TITRE)
INDICATEUR_STATUS = {statut: (label, palette.rgb(palette.STATUT_INDICATEUR_COULEURS[statut]))
                    for statut, label in STATUT_INDICATEUR_RAPPORT.items()}

MARGIN = 14
TOP = 30  # below the header band
BOTTOM = 192  # above the footer
MAX_ROWS = 9  # rows of a table on a slide; the rest is in the XLSX
INDICATEURS_PER_PAGE = 3


class FontMissing(ReportError):
    pass


@dataclass
class Fonts:
    regular: str
    bold: str
    stars: bool  # ★ and ☆ available


def find_fonts() -> Fonts:
    """A Unicode TrueType font of the system (and its bold, the regular one when there is none);
    FontMissing with a French message when none is found."""
    from fontTools.ttLib import TTFont

    candidates = []
    env = os.environ.get(FONT_ENV)
    if env:
        candidates.append((env, env))
    candidates.extend(FONT_CANDIDATES)
    matched = _fc_match()
    if matched:
        candidates.append((matched, matched))
    for regular, bold in candidates:
        if Path(regular).is_file():
            cmap = TTFont(regular, lazy=True).getBestCmap() or {}
            if not all(ord(ch) in cmap for ch in "éèàçœ«»€"):
                continue
            return Fonts(regular, bold if Path(bold).is_file() else regular,
                         stars=ord("★") in cmap and ord("☆") in cmap)
    raise FontMissing(
        "Aucune police Unicode (TrueType) trouvée pour écrire le PDF : installez le paquet fonts-dejavu-core "
        f"(scripts/ensure-chromium.sh le fait) ou indiquez une police .ttf dans la variable {FONT_ENV}."
    )


def _fc_match() -> str | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif:lang=fr"], capture_output=True, text=True,
                             timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out if out.lower().endswith(".ttf") else None


class _Deck(FPDF):
    def __init__(self, changes: ComiteChanges, fonts: Fonts, generated: dt.date):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.changes = changes
        self.generated = generated
        self.add_font("Texte", "", fonts.regular)
        self.add_font("Texte", "B", fonts.bold)
        self.fonts_info = fonts
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(True, margin=210 - BOTTOM)
        self.alias_nb_pages()
        self.set_title(report_title(changes))
        self.set_author("Tableau de bord PCAET")
        self.set_creator("Tableau de bord PCAET")

    # every page: collectivity and committee date on top, page number at the bottom
    def header(self) -> None:
        self.set_fill_color(*BLEU)
        self.rect(0, 0, 297, 3, style="F")
        self.set_xy(MARGIN, 7)
        self.set_font("Texte", "B", 13)
        self.set_text_color(*NOIR)
        self.cell(170, 7, report_title(self.changes))
        self.set_font("Texte", "", 11)
        self.set_text_color(*GRIS)
        self.set_xy(297 - MARGIN - 95, 7)
        self.cell(95, 7, shorten(self.changes.comite.titre, 60), align="R")
        self.set_draw_color(200, 200, 200)
        self.line(MARGIN, 16, 297 - MARGIN, 16)
        self.set_text_color(*NOIR)
        self.set_y(TOP)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Texte", "", 10)
        self.set_text_color(*GRIS)
        c = self.changes
        evaluation = f"évaluation en vigueur : {date_fr(c.evaluation_apres)}" if c.evaluation_apres else \
            "aucune évaluation en vigueur"
        self.cell(200, 6, f"{c.collectivite} · comité du {date_fr(c.comite.date)} · {evaluation} · "
                          f"généré le {date_fr(self.generated)}")
        self.set_x(297 - MARGIN - 50)
        self.cell(50, 6, f"page {self.page_no()} / {{nb}}", align="R")
        self.set_text_color(*NOIR)

    def slide_title(self, text: str) -> None:
        self.set_xy(MARGIN, 20)
        self.set_font("Texte", "B", 22)
        self.set_text_color(*BLEU)
        self.cell(0, 10, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*NOIR)
        self.set_y(TOP + 4)

    def text_block(self, x: float, width: float, text: str, size: float = 13, bold: bool = False,
                   colour=NOIR, line: float | None = None, align: str = "L") -> None:
        self.set_x(x)
        self.set_font("Texte", "B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(width, line or size * 0.5, text, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_text_color(*NOIR)

    def rows_that_fit(self, width: float, headers: list[str], rows: list[list[str]], col_widths: tuple,
                      size: float, reserve: float = 0.0) -> int:
        """How many of `rows` fit below the heading row and above the footer, leaving `reserve` mm."""
        widths = [width * w / sum(col_widths) for w in col_widths]
        line, padding = size * 0.5, 1.2

        def height(cells, bold: bool) -> float:
            self.set_font("Texte", "B" if bold else "", size)
            lines = max(len(self.multi_cell(w - 2 * padding, line, str(text), dry_run=True, output="LINES"))
                        for w, text in zip(widths, cells))
            return lines * line + 2 * padding

        available = BOTTOM - self.get_y() - reserve - height(headers, True)
        count = 0
        for cells in rows:
            available -= height(cells, False)
            if available < 0:
                break
            count += 1
        return count

    def table_at(self, x: float, width: float, headers: list[str], rows: list[list[str]], col_widths: tuple,
                 aligns: tuple, size: float = 11) -> None:
        """A table of `width` mm whose left edge is at `x`."""
        left, right = self.l_margin, self.r_margin
        self.set_left_margin(x)
        self.set_right_margin(297 - x - width)
        self.set_x(x)
        self.set_font("Texte", "", size)
        style = FontFace(emphasis="BOLD", fill_color=GRIS_CLAIR, color=NOIR)
        with self.table(width=width, col_widths=col_widths, text_align=aligns, line_height=size * 0.5,
                        headings_style=style, align="LEFT", padding=1.2, borders_layout="HORIZONTAL_LINES",
                        v_align="MIDDLE") as table:
            heading = table.row()
            for name in headers:
                heading.cell(name)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.set_left_margin(left)
        self.set_right_margin(right)


def _image(deck: FPDF, png: bytes, **where) -> None:
    """Place a chart: flattened on white (kaleido's PNG has an alpha channel, which PDF viewers
    blend with a grey tint)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A") if image.mode == "RGBA" else None)
    deck.image(flat, **where)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(c: ComiteChanges, phrase: str) -> str:
    """A phrase without « depuis le comité du … » where the slide's title already says it."""
    return phrase.replace(f" depuis le {c.precedent.libelle}", "") if c.precedent else phrase


def _chart(figure, width: int, height: int) -> bytes:
    """The figure as a PNG for the deck; a failed export refuses the report with its French reason."""
    try:
        return figure_png(figure, width, height)
    except ChartExportError as exc:
        raise ReportError(str(exc)) from None


def _delta_colour(value: float | None):
    if value is None or value != value or abs(value) < 1e-9:
        return GRIS
    return VERT if value > 0 else VERMILLON


def build_pdf(history: ComiteHistory, changes: ComiteChanges, generated: dt.date | None = None) -> bytes:
    deck = _Deck(changes, find_fonts(), generated or clock.today())
    _slide_score(deck, changes)
    _slide_radar(deck, history, changes)
    _slide_moves(deck, changes)
    _slide_indicateurs(deck, history, changes)
    _slide_decisions(deck, changes)
    return bytes(deck.output())


# --- slide 1: score and stars --------------------------------------------------------------

def _slide_score(deck: _Deck, c: ComiteChanges) -> None:
    deck.add_page()
    deck.slide_title("Score global et étoiles")
    left, width = MARGIN, 135
    if c.apres is None:
        deck.text_block(left, width, "Aucune évaluation en vigueur à la date du comité : pas de score.", 16)
    else:
        deck.text_block(left, width, "Score réalisé", 15, colour=GRIS)
        deck.text_block(left, width, pourcentage(c.apres.part_fait), 54, bold=True, colour=BLEU, line=24)
        deck.text_block(left, width, f"évaluation du {date_fr(c.apres.date)}", 13, colour=GRIS)
        deck.ln(3)
        if c.premier_comite:
            deck.text_block(left, width, "Premier comité : pas d'évolution à mesurer.", 15, colour=GRIS)
        else:
            deck.text_block(left, width, f"{ecart_pourcentage(c.delta_part_fait)} depuis le {c.precedent.libelle}",
                            17, bold=True, colour=_delta_colour(c.delta_part_fait))
            deck.text_block(left, width, f"{points_text(c.delta_points_fait)}", 14,
                            colour=_delta_colour(c.delta_points_fait))
        deck.ln(3)
        deck.text_block(left, width, f"Score programmé : {pourcentage(c.apres.part_programme)}", 14)
        deck.text_block(left, width, f"Points faits : {points(c.apres.point_fait)} sur "
                                     f"{points(c.apres.point_potentiel)} points de potentiel", 14)
        deck.ln(5)
        _etoiles(deck, c, left, width)

    # right column: since the last committee
    x, width = 160, 297 - MARGIN - 160
    deck.set_xy(x, TOP + 4)
    top = deck.get_y()
    title = (f"Depuis le {c.precedent.libelle}" if c.precedent else "Premier comité")
    deck.text_block(x, width, title, 16, bold=True, colour=BLEU)
    deck.ln(2)
    # the first committee has nothing to compare: one sentence says it for every topic
    keys = ("evaluation", "statuts", "mesures", "indicateurs", "imports") if c.precedent else ("evaluation",)
    for key in keys:
        deck.text_block(x, width, "• " + _short(c, c.phrases[key]), 13, line=6.5)
        deck.ln(2)
    if len(c.imports):
        deck.ln(1)
        deck.text_block(x, width, "Fichiers importés :", 12.5, bold=True)
        shown = c.imports.tail(6)
        for upload in shown.itertuples(index=False):
            who = upload.uploaded_by if isinstance(upload.uploaded_by, str) and upload.uploaded_by else "inconnu"
            deck.text_block(x + 4, width - 4, f"{shorten(upload.filename, 48)} — {who}, le "
                                              f"{pd.Timestamp(upload.uploaded_at).strftime('%d/%m/%Y à %H:%M')}", 11)
        if len(c.imports) > len(shown):
            deck.text_block(x + 4, width - 4, f"… et {len(c.imports) - len(shown)} autre(s) (classeur XLSX)", 11,
                            colour=GRIS)
    deck.set_draw_color(*BLEU)
    deck.line(x - 5, top, x - 5, max(deck.get_y(), top + 60))


def _etoiles(deck: _Deck, c: ComiteChanges, left: float, width: float) -> None:
    stars = c.apres.etoiles
    if stars is None:
        return
    deck.text_block(left, width, "Étoiles du label", 15, colour=GRIS)
    if deck.fonts_info.stars:
        deck.text_block(left, width, "★" * stars + "☆" * (5 - stars), 34, colour=ORANGE, line=15)
    label = f"{stars} étoile{'s' if stars > 1 else ''} sur 5"
    if not c.premier_comite and c.delta_etoiles:
        label += f" ({'+' if c.delta_etoiles > 0 else '−'}{abs(c.delta_etoiles)} depuis le comité précédent)"
    deck.text_block(left, width, label, 16, bold=True)
    if c.apres.prochaine_etoile is not None:
        parts = []
        if c.apres.points_manquants:
            parts.append(f"{points(c.apres.points_manquants)} points faits manquants")
        if c.apres.criteres_manquants:
            n = c.apres.criteres_manquants
            parts.append(f"{n} critère{'s' if n > 1 else ''} obligatoire{'s' if n > 1 else ''} manquant{'s' if n > 1 else ''}")
        if parts:
            deck.text_block(left, width, f"{c.apres.prochaine_etoile}e étoile : " + ", ".join(parts) + ".", 12.5)
    if not c.referentiel_complet:
        deck.ln(1)
        deck.text_block(left, width, "Indicatif : le référentiel chargé ne contient pas tous les critères des étoiles.",
                        11, colour=GRIS)


# --- slide 2: radar by category and axes ---------------------------------------------------

def _slide_radar(deck: _Deck, history: ComiteHistory, c: ComiteChanges) -> None:
    deck.add_page()
    deck.slide_title("Score par catégorie et par axe")
    frame = category_frame(history, c)
    if frame.empty:
        deck.text_block(MARGIN, 269, "Aucune évaluation en vigueur : pas de score par catégorie.", 16)
        return
    png = _chart(comite_radar(frame, support="papier"), 800, 660)
    _image(deck, png, x=MARGIN - 4, y=TOP + 1, w=162, h=162 * 660 / 800)
    x, width = 176, 297 - MARGIN - 176
    deck.set_y(TOP + 2)
    series = list(dict.fromkeys(frame["serie"]))
    current = frame[frame["serie"] == series[-1]].set_index("categorie")["part_fait"]
    previous = frame[frame["serie"] == series[0]].set_index("categorie")["part_fait"] if len(series) > 1 else None
    compare = not c.premier_comite
    deck.text_block(x, width, "% fait par catégorie", 15, bold=True)
    deck.ln(1)
    rows = []
    for categorie, share in current.items():
        before = previous.get(categorie, 0.0) if previous is not None else 0.0
        rows.append([categorie[:1].upper() + categorie[1:], pourcentage(share),
                     ecart_pourcentage(share - before) if compare else "–"])
    deck.table_at(x, width, ["Catégorie", "% fait", "Évolution"], rows, (50, 24, 26), ("LEFT", "RIGHT", "RIGHT"), 12)
    deck.ln(5)
    deck.text_block(x, width, "% fait par axe", 15, bold=True)
    deck.ln(1)
    rows = []
    for axe in c.axes.itertuples(index=False):
        label = f"{axe.action_id} — {axe.nom}" if axe.nom and axe.nom != f"Axe {axe.action_id}" else f"Axe {axe.action_id}"
        rows.append([shorten(label, 40), pourcentage(axe.part_fait_apres),
                     ecart_pourcentage(axe.delta_part_fait) if compare else "–"])
    deck.table_at(x, width, ["Axe", "% fait", "Évolution"], rows, (50, 24, 26), ("LEFT", "RIGHT", "RIGHT"), 11.5)
    deck.ln(3)
    note = (f"Évolution en points de pourcentage depuis le {c.precedent.libelle} "
            f"(évaluation du {date_fr(c.evaluation_avant)})." if compare and c.evaluation_avant else
            "Premier comité : pas d'évolution." if not compare else
            "Aucune évaluation au comité précédent : évolution comptée depuis zéro.")
    deck.text_block(x, width, note + " Catégories : part des points faits des sous-actions bases, mise en œuvre "
                                     "et effets.", 10.5, colour=GRIS)


# --- slide 3: measures that moved and statuses that changed --------------------------------

MAX_MESURES = 5
MAX_STATUTS = 8
MESURE_COLUMNS = (["N°", "Mesure", "% fait avant", "% fait après", "Points faits"], (22, 167, 27, 27, 26),
                  ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"))
STATUT_COLUMNS = (["N°", "Intitulé", "Avant", "Après", "Points faits"], (22, 117, 52, 52, 26),
                  ("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"))


def _moves_table(deck: _Deck, phrase: str, rows: list[list[str]], columns: tuple, limit: int, what: str,
                 reserve: float) -> None:
    full = 297 - 2 * MARGIN
    deck.text_block(MARGIN, full, phrase, 14, bold=True)
    deck.ln(1)
    if not rows:
        return
    headers, widths, aligns = columns
    fit = deck.rows_that_fit(full, headers, rows[:limit], widths, 11, reserve + 7)
    shown = rows[:max(1, fit)]
    deck.table_at(MARGIN, full, headers, shown, widths, aligns, 11)
    if len(rows) > len(shown):
        deck.text_block(MARGIN, full, f"… et {len(rows) - len(shown)} autre(s) {what} : voir le classeur XLSX, "
                                      "feuille « Évolutions ».", 10.5, colour=GRIS)


def _slide_moves(deck: _Deck, c: ComiteChanges) -> None:
    deck.add_page()
    deck.slide_title("Mesures qui ont bougé")
    if c.premier_comite:
        deck.text_block(MARGIN, 297 - 2 * MARGIN, c.phrases["mesures"], 15)
        return
    mesures = [[m.action_id, shorten(m.nom, 80), pourcentage(m.part_fait_avant), pourcentage(m.part_fait_apres),
                ecart_points(m.delta_point_fait)] for m in ranked_moves(c.mesures).itertuples(index=False)]
    statuts = [[s.action_id, shorten(s.nom, 58), compact_status(s.code_avant, s.statut_avant, s.fait_avant, s.programme_avant),
                compact_status(s.code_apres, s.statut_apres, s.fait_apres, s.programme_apres),
                ecart_points(s.delta_point_fait)] for s in ranked_moves(c.statuts).itertuples(index=False)]
    # the statuses below need their title, heading and a few rows
    _moves_table(deck, _cap(_short(c, c.phrases["mesures"])), mesures, MESURE_COLUMNS, MAX_MESURES, "mesure(s)",
                 reserve=50 if statuts else 0)
    deck.ln(5)
    _moves_table(deck, _cap(_short(c, c.phrases["statuts"])), statuts, STATUT_COLUMNS, MAX_STATUTS, "statut(s)",
                 reserve=0)


# --- slide 4: indicators -------------------------------------------------------------------

def _slide_indicateurs(deck: _Deck, history: ComiteHistory, c: ComiteChanges) -> None:
    table = c.indicateurs
    if table.empty:
        deck.add_page()
        deck.slide_title("Indicateurs des fiches-actions")
        deck.text_block(MARGIN, 269, c.phrases["indicateurs"], 15)
        return
    values = values_until(history, c.comite.date)
    pages = [table.iloc[i:i + INDICATEURS_PER_PAGE] for i in range(0, len(table), INDICATEURS_PER_PAGE)]
    gap = 6
    width = (297 - 2 * MARGIN - gap * (INDICATEURS_PER_PAGE - 1)) / INDICATEURS_PER_PAGE
    for number, chunk in enumerate(pages, start=1):
        deck.add_page()
        title = "Indicateurs des fiches-actions"
        deck.slide_title(title if len(pages) == 1 else f"{title} ({number}/{len(pages)})")
        deck.text_block(MARGIN, 269, c.phrases["indicateurs"], 12.5, colour=GRIS)
        for index, ind in enumerate(chunk.itertuples(index=False)):
            x = MARGIN + index * (width + gap)
            own = values[(values["indicateur_id"] == ind.indicateur_id).to_numpy()] if len(values) else values
            own = own[["date", "valeur"]].sort_values("date") if len(own) else pd.DataFrame({"date": [], "valeur": []})
            targets = history.targets[(history.targets["indicateur_id"] == ind.indicateur_id).to_numpy()]
            trajectory = trajectory_line(own, targets, c.comite.date)
            fig = indicateur_slide_chart(own, targets, trajectory, ind.unite, c.comite.date,
                                        c.precedent.date if c.precedent else None)
            png = _chart(fig, 620, 500)
            deck.set_y(TOP + 13)
            deck.text_block(x, width, shorten(ind.nom, 80), 12, bold=True, line=5.5)
            _image(deck, png, x=x, y=TOP + 31, w=width, h=width * 500 / 620)
            deck.set_y(TOP + 33 + width * 500 / 620)
            _indicateur_caption(deck, x, width, ind, c)


def _indicateur_caption(deck: _Deck, x: float, width: float, ind, c: ComiteChanges) -> None:
    unit = f" {ind.unite}" if isinstance(ind.unite, str) and ind.unite and ind.unite != "nombre" else ""
    if ind.valeur_apres == ind.valeur_apres and ind.valeur_apres is not None:
        deck.text_block(x, width, f"Dernière valeur : {nombre_court(ind.valeur_apres)}{unit} "
                                  f"({date_fr(ind.date_apres)})", 11.5)
    else:
        deck.text_block(x, width, "Aucune valeur mesurée.", 11.5)
    if ind.ancienne and ind.valeur_apres == ind.valeur_apres and ind.valeur_apres is not None:
        deck.text_block(x, width, f"Valeur ancienne : aucune mesure depuis {ind.jours_sans_valeur} jours", 11.5,
                        colour=VERMILLON)
    if not c.premier_comite:
        if ind.evolution == ind.evolution and ind.evolution is not None:
            deck.text_block(x, width, f"Depuis le comité précédent : {signed_value(ind.evolution)}{unit} "
                                      f"({ind.nouvelles_valeurs} nouvelle{'s' if ind.nouvelles_valeurs > 1 else ''} "
                                      f"valeur{'s' if ind.nouvelles_valeurs > 1 else ''})", 11.5)
        else:
            deck.text_block(x, width, "Depuis le comité précédent : pas de valeur à comparer", 11.5, colour=GRIS)
    if ind.cible == ind.cible and ind.cible is not None:
        label, colour = INDICATEUR_STATUS.get(ind.statut, (ind.statut, GRIS))
        deck.text_block(x, width, f"Cible {int(ind.cible_annee)} : {nombre_court(ind.cible)}{unit} — {label}", 11.5,
                        bold=True, colour=colour)
    else:
        deck.text_block(x, width, "Pas de cible", 11.5, colour=GRIS)


# --- slide 5: decisions of the previous committee ------------------------------------------

def _slide_decisions(deck: _Deck, c: ComiteChanges) -> None:
    deck.add_page()
    deck.slide_title("Décisions du comité précédent")
    if c.precedent is None:
        deck.text_block(MARGIN, 269, "Premier comité : pas de comité précédent, donc pas de décisions à suivre.", 15)
    else:
        _comite_block(deck, c.precedent)
    if c.comite.notes:
        deck.ln(6)
        deck.set_draw_color(200, 200, 200)
        deck.line(MARGIN, deck.get_y(), 297 - MARGIN, deck.get_y())
        deck.ln(4)
        deck.text_block(MARGIN, 269, f"Notes du {c.comite.libelle}", 15, bold=True, colour=BLEU)
        deck.ln(1)
        deck.text_block(MARGIN, 269, c.comite.notes, 12.5, line=6.5)


def _comite_block(deck: _Deck, comite) -> None:
    deck.text_block(MARGIN, 269, f"{comite.libelle[:1].upper()}{comite.libelle[1:]} — {comite.titre}", 16, bold=True)
    deck.ln(1)
    if comite.participants:
        deck.text_block(MARGIN, 269, "Participants : " + ", ".join(comite.participants), 12, colour=GRIS, line=6)
    deck.ln(3)
    deck.text_block(MARGIN, 269, comite.notes or "Aucune décision n'a été notée.", 14, line=7.5)
