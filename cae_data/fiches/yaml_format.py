"""The YAML file a chargé de mission writes by hand for one fiche-action (docs/fiche-action-yaml.md).

Read through `yaml.compose` with the BaseLoader resolver: every scalar stays the text the user
typed (`6.10` stays "6.10", `non` stays "non") and every node keeps its line and column, so
each problem names the line of its key. Every problem of the file is reported at once.
"""

from __future__ import annotations

import math
import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .. import validation
from ..errors import InvalidInput, ProblemCollector
from ..tabular import decode_bytes, parse_number, strip_accents
from .model import (
    ETATS,
    IMPACTS,
    MESURE_ID_RE,
    FicheAction,
    Impact,
    Indicateur,
    Moyens,
    Pilotage,
    SousAction,
    canonical_etat,
    canonical_impact,
    canonical_sens,
    default_fiche_id,
    derive_etat,
    derive_periode,
    impacts_from,
    raise_sorted,
    slugify,
)
from .seed_text import parse_calendrier

FICHE_KEYS = (
    "id", "titre", "collectivite", "axe", "orientation", "etat", "periode", "enjeux", "objectifs",
    "impacts", "sous_actions", "pilotage", "moyens", "indicateurs", "mesures",
)
SOUS_ACTION_KEYS = ("numero", "descriptif", "public_cible", "etat", "calendrier")
CALENDRIER_KEYS = ("debut", "fin")
PILOTAGE_KEYS = ("maitre_ouvrage", "partenaires")
MOYENS_KEYS = ("partenaires_financiers",)
INDICATEUR_KEYS = ("id", "nom", "unite", "sens", "cibles", "source", "description", "identifiants_referentiel",
                   "limite")

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
YEAR_RE = re.compile(r"^\d{4}$")
NULLS = ("", "~", "null", "Null", "NULL")
TRUE_WORDS = {"oui", "true", "vrai", "yes", "x", "1"}
FALSE_WORDS = {"non", "false", "faux", "no", "0", ""}
HEADER = "# Fiche-action de PCAET — format décrit dans docs/fiche-action-yaml.md\n"

# PyYAML's most frequent syntax problems, said in French.
SYNTAX_MESSAGES = {
    "mapping values are not allowed here":
        "« : » inattendu ; une valeur qui contient « : » doit être entre guillemets",
    "found character '\\t' that cannot start any token":
        "tabulation interdite : indenter avec des espaces",
    "could not find expected ':'": "« : » attendu après la clé",
    "found unexpected end of stream": "guillemet ouvert mais jamais fermé",
    "but found another document": "un seul document attendu (pas de ligne « --- » au milieu)",
}


def normalize_key(text: str) -> str:
    """`Sous-actions`, `sous actions`, `maître_ouvrage` → `sous_actions`, `maitre_ouvrage`."""
    return re.sub(r"[\s-]+", "_", strip_accents(text).strip().lower())


def _is_null(node: Node) -> bool:
    if not isinstance(node, ScalarNode):
        return False
    return node.tag == "tag:yaml.org,2002:null" or (node.style is None and node.value in NULLS)


Entry = tuple[Node, Node]


class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems = ProblemCollector()

    def add(self, node: Node, message: str) -> None:
        mark = node.start_mark
        self.problems.add(self.filename, mark.line + 1, mark.column + 1, message)

    def mapping(self, node: Node, allowed: tuple[str, ...], where: str) -> dict[str, Entry] | None:
        """Keys normalized and checked against `allowed`; None (after reporting) if not a mapping."""
        if _is_null(node):
            return {}
        if not isinstance(node, MappingNode):
            self.add(node, f"{where} doit être un dictionnaire (lignes « clé: valeur »)")
            return None
        entries: dict[str, Entry] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.add(key_node, f"clé invalide dans {where}")
                continue
            key = normalize_key(key_node.value)
            if key not in allowed:
                self.add(key_node, f"clé inconnue « {key_node.value} » dans {where} ; "
                                   f"clés possibles : {', '.join(allowed)}")
                continue
            if key in entries:
                first = entries[key][0].start_mark.line + 1
                self.add(key_node, f"clé « {key_node.value} » en double dans {where} (déjà ligne {first})")
                continue
            entries[key] = (key_node, value_node)
        return entries

    def text(self, entries: dict[str, Entry], key: str, max_length: int = validation.TEXT_MAX_LENGTH) -> str:
        """The text of `key`: control and bidi characters removed, length bounded."""
        if key not in entries:
            return ""
        _, node = entries[key]
        if isinstance(node, ScalarNode):
            if _is_null(node):
                return ""
            cleaned, problem = validation.clean_text(node.value, f"« {key} »", max_length)
            if problem:
                self.add(node, problem)
            return cleaned
        kind = "une liste" if isinstance(node, SequenceNode) else "un dictionnaire"
        self.add(node, f"« {key} » doit être un texte, pas {kind}")
        return ""

    def name(self, entries: dict[str, Entry], key: str, what: str,
             max_length: int = validation.NAME_MAX_LENGTH) -> str:
        """A name or title on one line: also refused when a spreadsheet would take it for a formula."""
        raw = self.text(entries, key, max(max_length, validation.TEXT_MAX_LENGTH))
        if not raw:
            return raw
        cleaned, problem = validation.clean_name(raw, what, max_length)
        if problem:
            self.add(entries[key][1], problem)
        return cleaned

    def sequence(self, entries: dict[str, Entry], key: str) -> list[Node]:
        if key not in entries or _is_null(entries[key][1]):
            return []
        node = entries[key][1]
        if not isinstance(node, SequenceNode):
            self.add(node, f"« {key} » doit être une liste (une ligne « - … » par élément)")
            return []
        return list(node.value)

    def year(self, node: Node, what: str) -> int | None:
        if _is_null(node):
            return None
        if isinstance(node, ScalarNode) and YEAR_RE.match(node.value.strip()):
            year = int(node.value.strip())
            problem = validation.year_problem(year, raw=node.value.strip())
            if problem:
                self.add(node, f"{what} : {problem}")
                return None
            return year
        shown = node.value if isinstance(node, ScalarNode) else "…"
        self.add(node, f"{what} : année « {shown} » invalide, une année sur 4 chiffres est attendue (ex. 2026)")
        return None

    def calendrier(self, entries: dict[str, Entry], key: str, what: str) -> tuple[int | None, int | None]:
        """`{debut: 2020, fin: 2026}`, or the short text form `2020 - 2026`."""
        if key not in entries:
            return None, None
        node = entries[key][1]
        if isinstance(node, ScalarNode) and not _is_null(node):
            debut, fin = parse_calendrier(node.value)
            if debut is None:
                self.add(node, f"{what} : « {node.value} » illisible ; attendu « {{debut: 2020, fin: 2026}} »")
                return None, None
        else:
            parts = self.mapping(node, CALENDRIER_KEYS, f"« {key} » ({what})")
            if parts is None:
                return None, None
            debut = self.year(parts["debut"][1], what) if "debut" in parts else None
            fin = self.year(parts["fin"][1], what) if "fin" in parts else None
        if debut is not None and fin is not None and fin < debut:
            self.add(node, f"{what} : fin {fin} avant début {debut}")
        return debut, fin

    def etat(self, entries: dict[str, Entry], what: str) -> str | None:
        raw = self.text(entries, "etat")
        if not raw:
            return None
        etat = canonical_etat(raw)
        if etat is None:
            self.add(entries["etat"][1], f"{what} : état « {raw} » inconnu ; états possibles : {', '.join(ETATS)}")
        return etat

    def boolean(self, node: Node, label: str) -> bool:
        word = "" if _is_null(node) else (node.value.strip().lower() if isinstance(node, ScalarNode) else None)
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        shown = node.value if isinstance(node, ScalarNode) else "…"
        self.add(node, f"impact « {label} » : « {shown} » invalide, « oui » ou « non » attendu")
        return False


def read_fiche_yaml(data: bytes | str, filename: str) -> FicheAction:
    text = (decode_bytes(data, filename) if isinstance(data, bytes) else data).lstrip("\ufeff")
    reader = _Reader(filename)
    try:
        root = yaml.compose(text, Loader=yaml.BaseLoader)
    except RecursionError:  # PyYAML recurses once per nesting level
        raise InvalidInput.single(filename, None, None,
                                  "YAML illisible : listes ou dictionnaires imbriqués sur trop de niveaux") from None
    except yaml.reader.ReaderError as exc:  # control characters: PyYAML checks them first
        raise InvalidInput.single(filename, text.count("\n", 0, exc.position) + 1, None,
                                  f"caractère de contrôle non permis (code {exc.character:#06x})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        # PyYAML's other problems are English: a French hint at the line instead.
        message = SYNTAX_MESSAGES.get(problem, "syntaxe YAML invalide : vérifiez l'indentation, les « : » et les "
                                               "guillemets près de cette ligne")
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise InvalidInput.single(filename, line, column, message) from None
    if root is None:
        raise InvalidInput.single(filename, 1, 1, "fichier vide : une fiche-action commence par « titre: … »")
    fiche_entries = reader.mapping(root, FICHE_KEYS, "la fiche")
    if fiche_entries is None:
        raise InvalidInput(reader.problems.problems)

    titre = reader.text(fiche_entries, "titre", validation.TITLE_MAX_LENGTH)
    if "titre" not in fiche_entries:
        reader.add(root, "clé « titre » manquante : le titre de la fiche est obligatoire")
    elif not titre:
        reader.add(fiche_entries["titre"][1], "titre vide : le titre de la fiche est obligatoire")
    collectivite = reader.name(fiche_entries, "collectivite", "nom de collectivité")
    fiche_id = reader.text(fiche_entries, "id")
    if fiche_id and not ID_RE.match(fiche_id):
        reader.add(fiche_entries["id"][1], f"identifiant « {fiche_id} » invalide : lettres, chiffres, « - », "
                                           "« _ » ou « . », sans espace ni accent")

    sous_actions = _read_sous_actions(reader, fiche_entries)
    impacts = _read_impacts(reader, fiche_entries)
    pilotage_entries = reader.mapping(fiche_entries["pilotage"][1], PILOTAGE_KEYS, "« pilotage »") \
        if "pilotage" in fiche_entries else {}
    moyens_entries = reader.mapping(fiche_entries["moyens"][1], MOYENS_KEYS, "« moyens »") \
        if "moyens" in fiche_entries else {}
    indicateurs = _read_indicateurs(reader, fiche_entries)
    mesures = _read_mesures(reader, fiche_entries)

    etat = reader.etat(fiche_entries, "fiche")
    if "periode" in fiche_entries:
        debut, fin = reader.calendrier(fiche_entries, "periode", "période de la fiche")
    else:
        debut, fin = derive_periode(sous_actions)
    texts = {key: reader.text(fiche_entries, key) for key in ("axe", "orientation", "enjeux", "objectifs")}
    pilotage = Pilotage(
        maitre_ouvrage=reader.text(pilotage_entries or {}, "maitre_ouvrage"),
        partenaires=reader.text(pilotage_entries or {}, "partenaires"),
    )
    moyens = Moyens(partenaires_financiers=reader.text(moyens_entries or {}, "partenaires_financiers"))
    raise_sorted(reader.problems)

    return FicheAction(
        fiche_id=fiche_id or default_fiche_id(collectivite, titre),
        titre=titre,
        collectivite=collectivite,
        impacts=impacts,
        sous_actions=sous_actions,
        pilotage=pilotage,
        moyens=moyens,
        indicateurs=indicateurs,
        mesures=mesures,
        etat=etat if etat is not None else derive_etat(sous_actions),
        annee_debut=debut,
        annee_fin=fin,
        source_file=filename,
        source_line=root.start_mark.line + 1,
        **texts,
    )


def _read_sous_actions(reader: _Reader, fiche: dict[str, Entry]) -> list[SousAction]:
    result: list[SousAction] = []
    seen: dict[int, int] = {}
    for position, node in enumerate(reader.sequence(fiche, "sous_actions"), start=1):
        entries = reader.mapping(node, SOUS_ACTION_KEYS, f"la sous-action {position}")
        if entries is None:
            continue
        numero = position
        if "numero" in entries:
            raw = reader.text(entries, "numero")
            if re.fullmatch(r"[1-9]\d*", raw):
                numero = int(raw)
            else:
                reader.add(entries["numero"][1], f"sous-action {position} : numéro « {raw} » invalide, "
                                                 "un entier positif est attendu")
        what = f"sous-action {numero}"
        if numero in seen:
            reader.add(node, f"{what} : numéro déjà utilisé (ligne {seen[numero]})")
        seen[numero] = node.start_mark.line + 1
        descriptif = reader.text(entries, "descriptif")
        if not descriptif:
            reader.add(node, f"{what} : « descriptif » manquant")
        debut, fin = reader.calendrier(entries, "calendrier", f"calendrier de la {what}")
        result.append(SousAction(
            numero=numero,
            descriptif=descriptif,
            public_cible=reader.text(entries, "public_cible"),
            etat=reader.etat(entries, what),
            annee_debut=debut,
            annee_fin=fin,
            source_line=node.start_mark.line + 1,
        ))
    return result


def _read_impacts(reader: _Reader, fiche: dict[str, Entry]) -> list[Impact]:
    """Mapping `libellé: oui|non`, or the list of ticked labels; absent labels are unticked."""
    if "impacts" not in fiche or _is_null(fiche["impacts"][1]):
        return impacts_from(set())
    node = fiche["impacts"][1]
    checked: set[str] = set()
    seen: set[str] = set()
    if isinstance(node, MappingNode):
        pairs = [(key, value) for key, value in node.value]
    elif isinstance(node, SequenceNode):
        pairs = [(item, None) for item in node.value]
    else:
        reader.add(node, "« impacts » doit lister les impacts (« Atténuation: oui ») ou être une liste")
        return impacts_from(set())
    for key, value in pairs:
        label = key.value if isinstance(key, ScalarNode) else ""
        canonical = canonical_impact(label)
        if canonical is None:
            reader.add(key, f"impact « {label} » inconnu ; impacts possibles : {', '.join(IMPACTS)}")
            continue
        if canonical in seen:
            reader.add(key, f"impact « {label} » en double")
            continue
        seen.add(canonical)
        if value is None or reader.boolean(value, canonical):
            checked.add(canonical)
    return impacts_from(checked)


def _read_indicateurs(reader: _Reader, fiche: dict[str, Entry]) -> list[Indicateur]:
    result: list[Indicateur] = []
    seen: dict[str, int] = {}
    for position, node in enumerate(reader.sequence(fiche, "indicateurs"), start=1):
        entries = reader.mapping(node, INDICATEUR_KEYS, f"l'indicateur {position}")
        if entries is None:
            continue
        what = f"indicateur {position}"
        nom = reader.name(entries, "nom", f"{what} : nom")
        if not nom:
            reader.add(node, f"{what} : « nom » manquant")
        indicateur_id = reader.text(entries, "id") or (slugify(nom) if nom else "")
        where = entries["id"][1] if "id" in entries else node
        if indicateur_id and not ID_RE.match(indicateur_id):
            reader.add(where, f"{what} : identifiant « {indicateur_id} » invalide : lettres, chiffres, "
                              "« - », « _ » ou « . », sans espace ni accent")
        elif indicateur_id in seen:
            reader.add(where, f"{what} : identifiant « {indicateur_id} » déjà utilisé (ligne {seen[indicateur_id]})")
        elif indicateur_id:
            seen[indicateur_id] = where.start_mark.line + 1
        sens_text = reader.text(entries, "sens")
        sens = "hausse"
        if sens_text:
            sens = canonical_sens(sens_text) or "hausse"
            if canonical_sens(sens_text) is None:
                reader.add(entries["sens"][1], f"{what} : sens « {sens_text} » inconnu ; « hausse » (plus c'est "
                                               "haut, mieux c'est) ou « baisse » (plus c'est bas, mieux c'est) attendu")
        result.append(Indicateur(
            indicateur_id=indicateur_id,
            nom=nom,
            unite=reader.text(entries, "unite"),
            sens=sens,
            cibles=_read_cibles(reader, entries, what),
            source=reader.text(entries, "source"),
            description=reader.text(entries, "description"),
            source_line=node.start_mark.line + 1,
            identifiants_referentiel=_read_identifiants(reader, entries, what),
            limite=_read_limite(reader, entries, what),
        ))
    return result


LABEL_INDICATEUR_RE = re.compile(r"^[a-z][a-z0-9]*_[A-Za-z0-9._-]+$")


def _read_identifiants(reader: _Reader, entries: dict[str, Entry], what: str) -> list[str]:
    """`identifiants_referentiel`: one id or a list of ids of the label's indicators (« te_6 »)."""
    if "identifiants_referentiel" not in entries or _is_null(entries["identifiants_referentiel"][1]):
        return []
    node = entries["identifiants_referentiel"][1]
    items = node.value if isinstance(node, SequenceNode) else [node]
    ids = []
    for item in items:
        text = item.value.strip() if isinstance(item, ScalarNode) else ""
        if not LABEL_INDICATEUR_RE.match(text):
            reader.add(item, f"{what} : identifiant d'indicateur du label « {text or '…'} » invalide ; attendu "
                             "le référentiel et le numéro, ex. « te_6 » ou « cae_18 »")
        elif text.lower() not in ids:
            ids.append(text.lower())
    return ids


def _read_limite(reader: _Reader, entries: dict[str, Entry], what: str) -> float | None:
    if "limite" not in entries or _is_null(entries["limite"][1]):
        return None
    node = entries["limite"][1]
    text = node.value.strip() if isinstance(node, ScalarNode) else ""
    try:
        value = parse_number(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        reader.add(node, f"{what} : limite « {text or '…'} » non numérique (attendu un nombre, ex. 12 ou 12,5)")
        return None
    problem = validation.number_problem(value, "limite", text)
    if problem:
        reader.add(node, f"{what} : {problem}")
        return None
    return value


def _read_cibles(reader: _Reader, entries: dict[str, Entry], what: str) -> dict[int, float]:
    if "cibles" not in entries or _is_null(entries["cibles"][1]):
        return {}
    node = entries["cibles"][1]
    if not isinstance(node, MappingNode):
        reader.add(node, f"{what} : « cibles » doit associer une année à une valeur (ex. « 2026: 30 »)")
        return {}
    cibles: dict[int, float] = {}
    for key, value in node.value:
        key_text = key.value.strip() if isinstance(key, ScalarNode) else "…"
        year = int(key_text) if YEAR_RE.match(key_text) else None
        if year is None:
            reader.add(key, f"{what} : année cible « {key_text} » invalide, une année sur 4 chiffres est attendue")
        elif validation.year_problem(year) is not None:
            reader.add(key, f"{what} : {validation.year_problem(year, 'année cible', key_text)}")
            year = None
        elif year in cibles:
            reader.add(key, f"{what} : année cible {year} en double")
            year = None
        number = None
        shown = value.value if isinstance(value, ScalarNode) else "…"
        try:
            number = parse_number(value.value) if isinstance(value, ScalarNode) and not _is_null(value) else None
        except ValueError:
            number = None
        if number is None or not math.isfinite(number):
            reader.add(value, f"{what} : valeur cible « {shown} » invalide, un nombre est attendu (ex. 30 ou 12,5)")
        elif validation.number_problem(number, "valeur cible", shown) is not None:
            reader.add(value, f"{what} : {validation.number_problem(number, 'valeur cible', shown)}")
        elif year is not None:
            cibles[year] = number
    return cibles


def _read_mesures(reader: _Reader, fiche: dict[str, Entry]) -> list[str]:
    if "mesures" in fiche and isinstance(fiche["mesures"][1], ScalarNode) and not _is_null(fiche["mesures"][1]):
        nodes = [fiche["mesures"][1]]  # a single id written without a list
    else:
        nodes = reader.sequence(fiche, "mesures")
    mesures: list[str] = []
    for node in nodes:
        raw = node.value.strip() if isinstance(node, ScalarNode) else ""
        if not MESURE_ID_RE.match(raw):
            reader.add(node, f"mesure « {raw or '…'} » invalide : un identifiant de mesure du référentiel "
                             "est attendu (ex. 6.1.1)")
        elif raw in mesures:
            reader.add(node, f"mesure « {raw} » en double")
        else:
            mesures.append(raw)
    return mesures


class _Dumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks, long text folded with `>`, empty values left blank,
    list items indented under their key, short mappings and lists on one line."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


class _Flow(dict):
    """A mapping written on one line: `{debut: 2020, fin: 2026}`; None values left out."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__({k: v for k, v in dict(*args, **kwargs).items() if v is not None})


class _FlowList(list):
    """A list written on one line: `[6.1.1, 6.1.2]`."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else (">" if len(value) > 80 else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_none(dumper: yaml.SafeDumper, _value: None) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(type(None), _represent_none)
_Dumper.add_representer(
    _Flow, lambda dumper, value: dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True))
_Dumper.add_representer(
    _FlowList, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True))


def _or_none(text: str) -> str | None:
    return text or None


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def fiche_to_yaml(fiche: FicheAction) -> str:
    """The fiche in the hand-written format. `etat` and `periode` are written only when they
    differ from what the sous-actions give, so that editing a sous-action updates the fiche."""
    doc: dict[str, object] = {
        "id": fiche.fiche_id,
        "titre": fiche.titre,
        "collectivite": _or_none(fiche.collectivite),
        "axe": _or_none(fiche.axe),
        "orientation": _or_none(fiche.orientation),
    }
    if fiche.etat != derive_etat(fiche.sous_actions):
        doc["etat"] = fiche.etat
    if (fiche.annee_debut, fiche.annee_fin) != derive_periode(fiche.sous_actions):
        doc["periode"] = _Flow(debut=fiche.annee_debut, fin=fiche.annee_fin)
    doc["enjeux"] = _or_none(fiche.enjeux)
    doc["objectifs"] = _or_none(fiche.objectifs)
    doc["impacts"] = {impact.libelle: "oui" if impact.coche else "non" for impact in fiche.impacts}
    sous_actions = []
    for position, sa in enumerate(fiche.sous_actions, start=1):
        item: dict[str, object] = {} if sa.numero == position else {"numero": sa.numero}
        item["descriptif"] = sa.descriptif
        item["public_cible"] = _or_none(sa.public_cible)
        item["etat"] = sa.etat
        item["calendrier"] = (
            None if sa.annee_debut is None and sa.annee_fin is None
            else _Flow(debut=sa.annee_debut, fin=sa.annee_fin)
        )
        sous_actions.append(item)
    doc["sous_actions"] = sous_actions
    doc["pilotage"] = {
        "maitre_ouvrage": _or_none(fiche.pilotage.maitre_ouvrage),
        "partenaires": _or_none(fiche.pilotage.partenaires),
    }
    doc["moyens"] = {"partenaires_financiers": _or_none(fiche.moyens.partenaires_financiers)}
    doc["indicateurs"] = [
        {
            "id": ind.indicateur_id,
            "nom": ind.nom,
            "unite": _or_none(ind.unite),
            "sens": ind.sens,
            "cibles": _Flow({year: _number(value) for year, value in sorted(ind.cibles.items())}),
            "source": _or_none(ind.source),
            "description": _or_none(ind.description),
            **({"identifiants_referentiel": _FlowList(ind.identifiants_referentiel)}
               if ind.identifiants_referentiel else {}),
            **({"limite": _number(ind.limite)} if ind.limite is not None else {}),
        }
        for ind in fiche.indicateurs
    ]
    doc["mesures"] = _FlowList(fiche.mesures)
    body = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=88,
                     default_flow_style=False)
    return HEADER + body


def form_yaml(titre: str, collectivite: str, enjeux: str, objectifs: str, sous_actions: list[dict],
              indicateurs: list[dict], mesures: list[str]) -> str:
    """The YAML of a fiche typed in the dashboard's simplified form (docs/fiche-action-yaml.md),
    to be validated by `read_fiche_yaml` as an uploaded file is. sous_actions: descriptif, etat,
    debut, fin; indicateurs: nom, unite, sens, annee, cible (empty fields left out)."""
    fiche: dict = {"titre": titre.strip()}
    for key, text in (("collectivite", collectivite), ("enjeux", enjeux), ("objectifs", objectifs)):
        if text and text.strip():
            fiche[key] = text.strip()
    rows = []
    for sa in sous_actions:
        if not str(sa.get("descriptif") or "").strip():
            continue
        row = {"descriptif": str(sa["descriptif"]).strip()}
        if sa.get("etat"):
            row["etat"] = sa["etat"]
        if sa.get("debut") or sa.get("fin"):
            row["calendrier"] = {"debut": int(sa.get("debut") or sa.get("fin")),
                                 "fin": int(sa.get("fin") or sa.get("debut"))}
        rows.append(row)
    if rows:
        fiche["sous_actions"] = rows
    items = []
    for ind in indicateurs:
        if not str(ind.get("nom") or "").strip():
            continue
        item = {"nom": str(ind["nom"]).strip(), "sens": ind.get("sens") or "hausse"}
        if str(ind.get("unite") or "").strip():
            item["unite"] = str(ind["unite"]).strip()
        if ind.get("annee") and ind.get("cible") not in (None, ""):
            item["cibles"] = {int(ind["annee"]): str(ind["cible"]).strip()}
        items.append(item)
    if items:
        fiche["indicateurs"] = items
    if mesures:
        fiche["mesures"] = list(mesures)
    return HEADER + yaml.safe_dump(fiche, allow_unicode=True, sort_keys=False)
