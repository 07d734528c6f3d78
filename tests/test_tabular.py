"""The one reader of spreadsheet-like files: encodings, separators, lines, numbers."""

import pytest

from cae_data.errors import InvalidInput
from cae_data.tabular import normalize_header, parse_number, read_table, sniff_separator


def test_separator_is_the_consistent_one():
    assert sniff_separator("a;b;c\n1;2;texte, avec, des, virgules, partout\n") == ";"
    assert sniff_separator("Collectivité\nDate d'export : 01/01/2026\nN°;Statut\n1;Fait\n") == ";"
    assert sniff_separator("a,b\n1,2\n") == ","
    assert sniff_separator("a\tb\tc\n1\t2\t3\n") == "\t"


def test_cp1252_semicolons_decimal_commas_and_lines():
    data = "Action ID;Statut;Fait\n6.1.1.1;détaillé;12,5\n\n6.1.1.2;\"pas\nfait\";\n6.1.1.3;fait;\n".encode("cp1252")
    table = read_table(data, "x.csv")
    assert table.keys == ["actionid", "statut", "fait"]
    assert table.frame["statut"].tolist() == ["détaillé", "pas\nfait", "fait"]
    # line 3 is blank, the quoted cell spans lines 4-5
    assert table.line_numbers == [2, 4, 6]
    assert parse_number(table.frame["fait"][0]) == 12.5


def test_utf8_bom_and_headers():
    table = read_table("\ufeffACTION_ID,Statut\ncae_6.1.1.1,Fait\n".encode("utf-8"), "b.csv")
    assert table.keys == ["actionid", "statut"]
    assert normalize_header("Programmé") == normalize_header("programme") == "programme"


def test_numbers():
    assert parse_number("1 234,5") == 1234.5
    assert parse_number("") is None
    with pytest.raises(ValueError):
        parse_number("douze")


def test_empty_and_binary_files_are_refused_in_french():
    with pytest.raises(InvalidInput) as empty:
        read_table(b"  \n", "vide.csv")
    assert str(empty.value.problems[0]) == "vide.csv::: fichier vide"
    with pytest.raises(InvalidInput) as broken:
        read_table(b"PK\x03\x04not really a zip", "faux.xlsx")
    assert "classeur Excel illisible" in str(broken.value)
