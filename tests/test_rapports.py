"""Committee reports (cae_data/rapports/, services.comite_report, `pcaet comite`) on the demo
database: the CAPSO, its evaluations of 10 and 17 November 2026, the weekly indicator values
and the demo committees of 5, 12 and 19 November 2026.

The PDF's charts need Chromium (kaleido drives it): those tests are skipped without
/usr/bin/chromium. The PDF's pages are also turned into PNG files in tests/artifacts/rapport/
(with pdftoppm, when poppler-utils is installed) to be looked at."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cae_data import services
from cae_data.cli.comite import comite as comite_group
from cae_data.comites import Comite
from cae_data.formatting import pourcentage
from cae_data.services.init import install_demo_comites

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts" / "rapport"
TODAY = date(2026, 11, 25)
NBSP = "\u00a0"
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium absent (/usr/bin/chromium) : kaleido en a besoin pour les graphiques du PDF "
           "(scripts/ensure-chromium.sh l'installe)",
)
SCORE_HEADERS = ["N°", "Intitulé", "Potentiel max", "Potentiel personnalisé", "Points faits", "% fait",
                 "Points programmés", "% programmé", "Points pas faits", "% pas fait", "Statut", "Commentaire"]
SHEETS = ["Scores", "Statuts", "Indicateurs", "Évolutions", "Comité"]


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rapport-template") / "pcaet.duckdb"
    services.init_database(path, demo=True, today=TODAY)
    install_demo_comites(path)
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path) -> Path:
    shutil.copytree(demo_template.parent, tmp_path / "db")
    return tmp_path / "db" / demo_template.name


@pytest.fixture(scope="module")
def demo_pdf(demo_template) -> bytes:
    if not CHROMIUM.exists():
        pytest.skip(needs_chromium.kwargs["reason"])
    return services.comite_report(demo_template, "pdf")


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows_of(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def spaces(text: str) -> str:
    return text.replace(NBSP, " ").replace("\u202f", " ")


# --------------------------------------------------------------------------- XLSX


def test_xlsx_sheets_headers_and_types(demo_db):
    book = workbook(services.comite_report(demo_db, "xlsx"))
    assert book.sheetnames == SHEETS
    scores = book["Scores"]
    assert scores["A1"].value == "CAPSO"
    assert scores["A2"].value == "Date d'export"
    assert scores["B2"].value == dt.datetime(2026, 11, 17)  # the evaluation in force on 19/11, a date cell
    assert scores["B2"].number_format == "dd/mm/yyyy"
    assert [c.value for c in scores[5]] == SCORE_HEADERS
    total = [c for c in scores[6]]
    assert total[0].value == "Total"
    for cell in total[2:10]:
        assert cell.data_type == "n" and isinstance(cell.value, (int, float))
    assert total[5].number_format == "0.0 %"
    assert total[5].value == pytest.approx(total[4].value / total[3].value)

    # The détaillé sous-action of the demo (demo.py): 25 points, fait 0.2 + 0.1 × 7 = 90 % and
    # programmé min(0.5, 1 − 0.9) = 10 % at the 8th evaluation (17/11).
    by_id = {row[0].value: row for row in scores.iter_rows(min_row=6)}
    row = by_id["6.1.1.2"]
    assert [c.value for c in row[2:10]] == pytest.approx([25, 25, 22.5, 0.9, 2.5, 0.1, 0, 0])
    assert row[10].value == "Détaillé au %"
    assert row[11].value == "Avancement partiel, détaillé en pourcentage"

    comite = book["Comité"]
    assert comite["B4"].value == dt.datetime(2026, 11, 19) and comite["C4"].value == dt.datetime(2026, 11, 12)
    assert comite["B5"].value == "Préparation du dossier de labellisation"
    indicators = book["Indicateurs"]
    assert [c.value for c in indicators[3]][:7] == ["Fiche-action", "Indicateur", "Identifiant", "Unité", "Date",
                                                    "Valeur", "Cible de l'année"]
    dates = [row[4] for row in indicators.iter_rows(min_row=4, values_only=True)]
    assert dates and all(isinstance(d, dt.datetime) for d in dates)
    assert max(dates) == dt.datetime(2026, 11, 17)  # nothing after the committee of 19/11
    charter = [r for r in indicators.iter_rows(min_row=4, values_only=True)
               if r[2] == "nombre-partenaires-signataires-charte" and r[4] == dt.datetime(2026, 11, 17)]
    assert charter[0][5:7] == (40, 40)  # demo_indicateurs.py: 40 signatories, 2026 target 40


def test_xlsx_scores_are_the_services_scores(demo_db):
    book = workbook(services.comite_report(demo_db, "xlsx"))
    expected = services.compute_scores(demo_db, collectivite="CAPSO", on_date=date(2026, 11, 17))
    expected = expected.assign(action_id=expected["action_id"].astype(str).replace("", "Total")).set_index("action_id")
    seen = 0
    for row in book["Scores"].iter_rows(min_row=6, values_only=True):
        node = expected.loc[row[0]]
        assert row[2:5] == pytest.approx((node.point_referentiel, node.point_potentiel, node.point_fait))
        assert (row[6], row[8]) == pytest.approx((node.point_programme, node.point_pas_fait))
        seen += 1
    assert seen == len(expected)


def test_xlsx_scores_sheet_imports_back_as_the_same_evaluation(demo_db, tmp_path):
    data = services.comite_report(demo_db, "xlsx")
    fresh = tmp_path / "fresh" / "pcaet.duckdb"
    services.init_database(fresh, demo=False, today=TODAY)
    services.set_collectivites(fresh, [(b"nom: CAPSO\ntype: EPCI\npopulation: 105000\nlocalisation: Metropole\n",
                                        "capso.yaml")])
    services.import_evaluation(fresh, data, "rapport.xlsx", on_date=date(2026, 11, 17), today=TODAY)
    before = services.compute_scores(demo_db, collectivite="CAPSO", on_date=date(2026, 11, 17))
    after = services.compute_scores(fresh, collectivite="CAPSO", on_date=date(2026, 11, 17))
    for field in services.POINT_FIELDS:
        assert after[field].tolist() == pytest.approx(before[field].tolist())


def test_xlsx_changes_sheet(demo_db):
    book = workbook(services.comite_report(demo_db, "xlsx"))
    texts = [v for row in rows_of(book["Évolutions"]) for v in row if isinstance(v, str)]
    assert ("Nouvelle évaluation depuis le comité du 12/11/2026 : évaluation du 17/11/2026 (au comité précédent : "
            "évaluation du 10/11/2026).") in texts
    assert "Aucun fichier importé depuis le comité du 12/11/2026." in texts
    rows = rows_of(book["Évolutions"])
    score = next(r for r in rows if r[0] == "Points faits")
    assert score[3] == pytest.approx(2.5)  # 6.1.1.2 went from 80 % to 90 % of its 25 points
    status = next(r for r in rows if r[0] == "6.1.1.2")
    assert status[5] == pytest.approx(2.5)
    new_values = [r for r in rows if r[0] == "Nombre de partenaires signataires de la charte" and r[2] is not None]
    assert new_values[0][2] == dt.datetime(2026, 11, 17) and new_values[0][3] == 40


def test_xlsx_first_comite(demo_db):
    book = workbook(services.comite_report(demo_db, "xlsx", date(2026, 11, 5)))
    assert book["Comité"]["C4"].value == "Premier comité : aucun comité précédent."
    assert book["Scores"]["B2"].value == dt.datetime(2026, 9, 14)
    texts = [v for row in rows_of(book["Évolutions"]) for v in row if isinstance(v, str)]
    assert "Premier comité : aucun comité précédent auquel comparer." in texts


FORMULA_TEXTS = ['=HYPERLINK("http://exemple.invalid","clic")', "@admin", "+33 6 12 34 56 78",
                 "-2 points : =1+1", "=SUM(A1:A9)"]


def test_xlsx_never_writes_a_formula(demo_db):
    services.add_comite(demo_db, Comite(date=date(2026, 11, 26), titre=FORMULA_TEXTS[0],
                                        participants=[FORMULA_TEXTS[1], FORMULA_TEXTS[2]], notes=FORMULA_TEXTS[3]),
                        today=TODAY)
    services.add_indicateur_value(demo_db, "nombre-actions-collectives-portees", date(2026, 11, 24), 12,
                                 commentaire=FORMULA_TEXTS[4], today=TODAY)
    book = workbook(services.comite_report(demo_db, "xlsx"))
    found = {}
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formule dans {sheet.title}!{cell.coordinate} : {cell.value}"
                if isinstance(cell.value, str):
                    for text in FORMULA_TEXTS:
                        if text in cell.value:
                            found.setdefault(text, []).append(cell)
    assert set(found) == set(FORMULA_TEXTS)
    title = next(c for c in found[FORMULA_TEXTS[0]] if c.value == FORMULA_TEXTS[0])
    assert title.data_type == "s" and title.quotePrefix  # shown as typed, never evaluated
    comment = next(c for c in found[FORMULA_TEXTS[4]] if c.value == FORMULA_TEXTS[4])
    assert comment.data_type == "s" and comment.quotePrefix


# --------------------------------------------------------------------------- PDF


@needs_chromium
def test_pdf_pages_header_footer_and_figures(demo_pdf, demo_template):
    import pypdf

    data = demo_pdf
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 5
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    texts = [spaces(p.extract_text()) for p in reader.pages]
    first = texts[0]
    assert "CAPSO" in first and "19/11/2026" in first
    # The demo's score on 17/11: 200 points faits of 300 → « 66,7 % », as formatting.py writes it.
    assert "66,7 %" in first
    root = services.compute_scores(demo_template, collectivite="CAPSO", on_date=date(2026, 11, 17)).iloc[0]
    assert spaces(pourcentage(root["point_fait"] / root["point_potentiel"])) == "66,7 %"
    assert "4 étoiles sur 5" in first and "+0,8 pt depuis le comité du" in first
    for number, text in enumerate(texts, start=1):
        assert "CAPSO — Comité de pilotage du 19/11/2026" in text
        assert f"page {number} / 5" in text
    assert "Score par catégorie et par axe" in texts[1]
    assert "6.1.1" in texts[2] and "Développer une stratégie partenariale multi-niveaux" in texts[2]
    assert "Cible 2026 : 40 — Atteinte" in texts[3] and "Cible 2026 : 60 — En retard" in texts[3]
    assert "Point d'étape : évaluation du 10 novembre" in texts[4]  # decisions of the committee of 12/11
    assert "Club climat en retard sur sa trajectoire" in texts[4]


@needs_chromium
def test_pdf_pages_as_png(demo_pdf):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm absent (paquet poppler-utils)")
    data = demo_pdf
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("page-*.png"):
        old.unlink()
    source = ARTIFACTS / "rapport-comite.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(source), str(ARTIFACTS / "page")], check=True, timeout=60)
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(pages) == 5
    assert all(p.stat().st_size > 10_000 for p in pages)


@needs_chromium
def test_pdf_of_the_first_comite(demo_db):
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(services.comite_report(demo_db, "pdf", date(2026, 11, 5))))
    texts = [spaces(p.extract_text()) for p in reader.pages]
    assert "Premier comité" in texts[0] and "58,3 %" in texts[0]  # 175 / 300 on 14/09/2026
    assert "Premier comité : pas de comité précédent, donc pas de décisions à suivre." in texts[-1]
    assert all("Comité de pilotage du 05/11/2026" in t for t in texts)


def test_pdf_without_a_font_says_so(demo_db, monkeypatch):
    from cae_data.rapports import pdf

    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [])
    monkeypatch.setattr(pdf, "_fc_match", lambda: None)
    monkeypatch.delenv(pdf.FONT_ENV, raising=False)
    with pytest.raises(services.Refused, match="^Aucune police Unicode \\(TrueType\\) trouvée pour écrire le PDF"):
        services.comite_report(demo_db, "pdf")


def test_chart_export_failure_says_so(demo_db, monkeypatch):
    import kaleido

    from cae_data.charts import export as charts

    def broken(*args, **kwargs):
        raise RuntimeError("BrowserFailedError: no browser")

    monkeypatch.setattr(charts, "_server_started", True)
    monkeypatch.setattr(kaleido, "calc_fig_sync", broken)
    with pytest.raises(services.Refused) as excinfo:
        services.comite_report(demo_db, "pdf")
    assert str(excinfo.value) == (
        "Export des graphiques impossible : le navigateur Chromium est introuvable ou ne démarre pas (installez-le "
        "avec scripts/ensure-chromium.sh). Détail : BrowserFailedError: no browser")


def test_unknown_format_is_refused(demo_db):
    with pytest.raises(services.Refused, match=r"^Format de rapport inconnu « docx » \(attendu : pdf, xlsx\)\.$"):
        services.comite_report(demo_db, "docx")


# --------------------------------------------------------------------------- CLI


def invoke(db_path: Path, *args: str):
    return CliRunner().invoke(comite_group, [*args, "--db", str(db_path)], catch_exceptions=False)


def test_cli_comite_add_and_list(demo_db):
    result = invoke(demo_db, "add", "--date", "2026-11-26", "--titre", "Relecture du dossier",
                    "--participants", "Anne, Paul", "--notes", "Dossier validé")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Comité du 26/11/2026 enregistré : « Relecture du dossier ».")
    again = invoke(demo_db, "add", "--date", "2026-11-26", "--titre", "Doublon")
    assert again.exit_code == 1
    assert again.stderr.strip() == ("saisie::date: un comité existe déjà le 26/11/2026 (« Relecture du dossier ») : "
                                    "un seul comité par jour")
    no_title = invoke(demo_db, "add", "--date", "2026-11-27", "--titre", " ")
    assert no_title.exit_code == 1 and no_title.stderr.strip() == "saisie::titre: titre du comité obligatoire"
    bad_date = invoke(demo_db, "add", "--date", "26 novembre", "--titre", "x")
    assert bad_date.exit_code == 2 and "date non reconnue « 26 novembre »" in bad_date.stderr
    listing = invoke(demo_db, "liste")
    assert listing.exit_code == 0
    assert listing.stdout.splitlines()[-1] == "26/11/2026 : Relecture du dossier — 2 participants"
    assert [c.participants for c in services.list_comites(demo_db)][-1] == ["Anne", "Paul"]


def test_cli_comite_rapport_xlsx(demo_db, tmp_path):
    out = tmp_path / "comite.xlsx"
    result = invoke(demo_db, "rapport", "--format", "xlsx", "--sortie", str(out), "--comite", "2026-11-12")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Rapport XLSX écrit : {out}")
    book = workbook(out.read_bytes())
    assert book["Comité"]["B4"].value == dt.datetime(2026, 11, 12)
    assert list(tmp_path.glob(".rapport-*")) == []

    missing = tmp_path / "absent.xlsx"
    refused = invoke(demo_db, "rapport", "--format", "xlsx", "--sortie", str(missing), "--comite", "2026-11-13")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == ("Aucun comité le 13/11/2026 (comités enregistrés : 05/11/2026, 12/11/2026, "
                                      "19/11/2026).")
    assert not missing.exists()
    wrong = invoke(demo_db, "rapport", "--format", "docx", "--sortie", str(missing))
    assert wrong.exit_code == 2


@needs_chromium
def test_cli_comite_rapport_pdf(demo_db, tmp_path):
    out = tmp_path / "comite.pdf"
    result = invoke(demo_db, "rapport", "--format", "pdf", "--sortie", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


# --------------------------------------------------------------------------- display tables


def test_report_display_helpers():
    """rapports.tables, shared by the committee page, its slides and the PDF."""
    import pandas as pd

    from cae_data.formatting import etoiles_text
    from cae_data.rapports.tables import category_change_rows, compact_status

    assert etoiles_text(3) == "★★★☆☆"
    assert compact_status("detaille", "Détaillé (…)", 0.8, 0.2) == f"Détaillé : fait 80{NBSP}%, programmé 20{NBSP}%"
    assert compact_status("detaille", "Détaillé (…)", 0.0, 0.0) == f"Détaillé : pas fait 100{NBSP}%"
    assert compact_status("fait", "Fait", None, None) == "Fait"
    categories = pd.DataFrame({
        "serie": ["Comité du 12/11/2026 (évaluation du 10/11/2026)"] * 2
        + ["Comité du 19/11/2026 (évaluation du 17/11/2026)"] * 2,
        "categorie": ["bases", "effets"] * 2, "part_fait": [0.5, 0.1, 0.55, 0.1]})
    rows = category_change_rows(categories)
    assert rows.columns.tolist() == ["Catégorie", "Comité du 12/11/2026", "Comité du 19/11/2026", "Évolution"]
    assert rows.to_dict("records")[0] == {"Catégorie": "Bases", "Comité du 12/11/2026": f"50,0{NBSP}%",
                                          "Comité du 19/11/2026": f"55,0{NBSP}%", "Évolution": f"+5,0{NBSP}pt"}
    assert rows["Évolution"].tolist()[1] == f"0{NBSP}pt"
