"""cae_data.safe_markdown: texts from files never reach the browser as HTML."""

import re

from hypothesis import given
from hypothesis import strategies as st

from cae_data.safe_markdown import clean_url, escape_markdown, sanitize_markdown

# An unescaped `<` that could open an HTML tag (autolinks `<https://…>` are markdown, not HTML).
TAG_OPENING = re.compile(r"(?<!\\)<(?!https?://)[A-Za-z/!?]")


def test_ademe_anchor_with_a_markdown_link_pasted_in_its_href():
    # as in the ADEME files: the visible text is the address the markdown link pointed to
    text = ('Pour en savoir plus :\n<a href="http://www.ademe.fr/pcaet](https://www.ademe.fr/energies/ )">'
            "https://www.ademe.fr/energies/</a>")
    assert sanitize_markdown(text) == (
        "Pour en savoir plus :  \n[https://www.ademe.fr/energies/](https://www.ademe.fr/energies/)")


def test_anchor_with_a_label_keeps_its_label():
    assert sanitize_markdown('<a href="http://tinergie-brest.fr/">FAIRE avec Tinergie</a>') == \
        "[FAIRE avec Tinergie](http://tinergie-brest.fr/)"


def test_bare_www_address_and_spaces_in_href():
    assert sanitize_markdown('<a href="www.rare.fr ">www.rare.fr </a>') == "[https://www.rare.fr](https://www.rare.fr)"
    assert sanitize_markdown('<a href="https://a.fr/x y (1).pdf">doc</a>') == "[doc](https://a.fr/x%20y%20%281%29.pdf)"


def test_malformed_attribute_still_gives_a_link():
    text = '<a href="https://librairie.ademe.fr/x/1170.html"https://librairie.ademe.fr/x/1170.html>guide</a>'
    assert sanitize_markdown(text) == "[guide](https://librairie.ademe.fr/x/1170.html)"


def test_address_inside_a_descriptive_href():
    text = ('<a href="Synthèse : https://www.collectivites-locales.gouv.fr/tourisme ">'
            "Synthèse : https://www.collectivites-locales.gouv.fr/tourisme</a>")
    assert sanitize_markdown(text) == (
        "[Synthèse : https://www.collectivites-locales.gouv.fr/tourisme]"
        "(https://www.collectivites-locales.gouv.fr/tourisme)")


def test_scripts_and_other_schemes_never_become_links_or_html():
    assert sanitize_markdown('<a href="javascript:alert(1)">clic</a>') == "clic"
    assert sanitize_markdown("[clic](javascript:alert(document.cookie)) fin") == "clic fin"
    assert sanitize_markdown("<script>alert(1)</script>") == "&lt;script>alert(1)&lt;/script>"
    assert sanitize_markdown('<img src=x onerror="alert(1)">') == '&lt;img src=x onerror="alert(1)">'


def test_small_typography_tags_and_comparisons():
    assert sanitize_markdown("en m<sup>3</sup> et CO<sub>2</sub>") == "en m³ et CO₂"
    assert sanitize_markdown("ligne<br>suivante") == "ligne  \nsuivante"
    assert sanitize_markdown("Cep<RT2012-20%, 3 < 5") == "Cep&lt;RT2012-20%, 3 < 5"


def test_dollars_are_not_latex():
    assert sanitize_markdown("coût : 5 $ puis 10 $") == "coût : 5 \\$ puis 10 \\$"


def test_single_line_breaks_are_kept_and_fences_untouched():
    text = "Grenoble\nUne ville en transition\n\n```yaml\na: <b>$\nb: 1\n```\nfin"
    assert sanitize_markdown(text) == "Grenoble  \nUne ville en transition\n\n```yaml\na: <b>$\nb: 1\n```\nfin"


def test_clean_url():
    assert clean_url("https://a.fr/b.") == "https://a.fr/b"
    assert clean_url("ftp://a.fr") is None
    assert clean_url("pas une adresse") is None
    assert clean_url("https://localhost") is None  # a host with a dot is expected


def test_escape_markdown_shows_text_as_written():
    assert escape_markdown("- a *b* [c](d) <b>") == "\\- a \\*b\\* \\[c\\](d) \\<b\\>"
    assert escape_markdown("1. item\n2) autre") == "1\\. item\n2\\) autre"
    assert escape_markdown("3 axes : 2 > 1 # $") == "3 axes : 2 \\> 1 \\# \\$"
    assert escape_markdown("") == ""


@given(st.text(alphabet=st.sampled_from(list("<>/a hrefbr=\"'.:!?$*[]()\nwx3")) , max_size=80))
def test_no_html_tag_survives(text):
    assert not TAG_OPENING.search(sanitize_markdown(text))


@given(st.text(max_size=60))
def test_escaping_is_reversible(text):
    unescaped = re.sub(r"\\(.)", r"\1", escape_markdown(text), flags=re.S)
    assert unescaped == text
