"""The personnalisation rule language (scoring.md §4): parser and vectorised evaluator.

Grammar (keywords and function names in any case, newlines are plain spaces):

    rule        := conditional | expression
    conditional := "si" expression "alors" expression
                   { "sinon" "si" expression "alors" expression } [ "sinon" expression ]
    expression  := and_expr { "ou" and_expr }
    and_expr    := comparison { "et" comparison }
    comparison  := sum { ("<" | ">" | "=" | "<=" | ">=") sum }
    sum         := product { ("+" | "-") product }
    product     := unary { ("*" | "/") unary }
    unary       := "-" unary | primary
    primary     := number | "VRAI" | "FAUX" | "(" rule ")" | call
    call        := identite(type|soustype|population|localisation, valeur) | reponse(question[, valeur])
                 | score(action_id) | min(e, e, …) | max(e, e, …)
                 | val(indicateur) | opt_val(indicateur) | cible(indicateur) | limite(indicateur)

Numbers are written with a dot (`0.5`): the comma separates arguments, so `0,5` is refused
with a hint. Every rule evaluates to a float64 array over n subjects; NaN means "no value"
(no matching branch, missing proportion answer, division by zero) and booleans are 1.0 / 0.0.
A condition without value counts as false. A comparison is 1.0 or 0.0, NaN when a side has no
value. `identite` values are checked when parsing: a type (EPCI, commune, syndicat), a sous-type
(SOUSTYPES), a localisation (Metropole, DOM) or one of the platform's population brackets
(POPULATION_TAGS); anything else is a RuleSyntaxError, so a typo cannot silently never match.
As the platform does when it imports a rule, `identite(type, syndicat)` is read as
`identite(soustype, syndicat)` (a profile of type syndicat has sous-type syndicat).

Which functions a rule may call depends on its kind: personnalisation rules (réduction,
désactivation, score) call identite, reponse, score, min, max; a *score indicatif* formula
(kind "indicatif", a node's `exprScore`) calls val, opt_val, cible, limite, identite, reponse,
min, max, and is evaluated by scoring/indicatif.py, not by `Rule.evaluate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from ..errors import ProblemCollector
from ..referentiel.model import RULE_KINDS

# Population brackets of the official platform (strict bounds, see profile.population_tags).
MOINS_DE = (3000, 5000, 10000, 20000, 50000, 100000)
PLUS_DE = (3000, 20000, 50000, 100000, 300000, 800000)
POPULATION_TAGS = tuple(f"moins_de_{n}" for n in MOINS_DE) + tuple(f"plus_de_{n}" for n in PLUS_DE)
TYPES = ("EPCI", "commune", "syndicat")
# Sous-types of the platform (evaluate-identite.ts): a syndicat, a pôle, an EPCI à fiscalité propre.
SOUSTYPES = ("epci_a_fiscalite_propre", "syndicat", "pole")
LOCALISATIONS = ("Metropole", "DOM")
IDENTITE_FIELDS = ("type", "soustype", "population", "localisation")

KIND_LABELS = {"reduction": "réduction", "desactivation": "désactivation", "score": "score",
               "indicatif": "score indicatif", "visibilite": "visibilité"}
KEYWORDS = ("si", "alors", "sinon", "et", "ou", "vrai", "faux")
FUNCTIONS = ("identite", "reponse", "score", "min", "max")
INDICATIF_FUNCTIONS = ("val", "opt_val", "cible", "limite", "identite", "reponse", "min", "max")
INDICATEUR_FUNCTIONS = ("val", "opt_val", "cible", "limite")
ARITIES = {"identite": (2,), "reponse": (1, 2), "score": (1,), "val": (1,), "opt_val": (1,), "cible": (1,),
           "limite": (1,)}
COMPARISONS = ("<", ">", "=", "<=", ">=")


class RuleContext(Protocol):
    """What a rule needs to know about n subjects (collectivities or evaluations)."""

    size: int

    def identite(self, field: str, value: str) -> np.ndarray: ...

    def reponse_equals(self, question: str, value: str) -> np.ndarray: ...

    def reponse_value(self, question: str) -> np.ndarray: ...

    def score(self, action_id: str) -> np.ndarray: ...


class RuleSyntaxError(ValueError):
    """A rule that cannot be read; the message names the node, the rule kind and the text."""

    def __init__(self, text: str, action_id: str, kind: str, detail: str,
                 line: int | None = None, column: int | None = None):
        self.text = text
        self.action_id = action_id
        self.kind = kind
        self.detail = detail
        self.line = line
        self.column = column
        super().__init__(f"{describe_rule(action_id, kind)} illisible : « {_shown(text)} » — {detail}")


def describe_rule(action_id: str, kind: str) -> str:
    """"règle de réduction de 1.2.4", "règle de 1.2.4", "règle", "formule du score indicatif de 2.2.3.4"."""
    if kind == "indicatif":
        return "formule du score indicatif" + (f" de {action_id}" if action_id else "")
    words = "règle"
    if kind:
        label = KIND_LABELS.get(kind, kind)
        words += f" de {label}"
    if action_id:
        words += f" de {action_id}"
    return words


def _shown(text: str) -> str:
    # Multi-line rules are shown on one line, their lines separated by " | "; a huge one is cut.
    shown = " | ".join(line.strip() for line in text.strip().splitlines())
    return shown if len(shown) <= 300 else shown[:299] + "…"


def strip_prefix(action_id: str) -> str:
    """`cae_1.2.3` → `1.2.3` (referential prefix of the official ids)."""
    return re.sub(r"^[A-Za-z]+_(?=\d)", "", action_id.strip())


# ---------------------------------------------------------------- syntax tree


def truth(values: np.ndarray) -> np.ndarray:
    """A condition holds when it has a value and that value is not 0 (NaN counts as false)."""
    return ~np.isnan(values) & (values != 0)


class Node:
    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        raise NotImplementedError

    def children(self) -> list[Node]:
        return []

    def walk(self):
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass
class Number(Node):
    value: float

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        return np.full(ctx.size, self.value, dtype=np.float64)


@dataclass
class Identite(Node):
    field: str
    value: str

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        return np.asarray(ctx.identite(self.field, self.value), dtype=bool).astype(np.float64)


@dataclass
class ReponseEquals(Node):
    question: str
    value: str

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        return np.asarray(ctx.reponse_equals(self.question, self.value), dtype=bool).astype(np.float64)


@dataclass
class ReponseValue(Node):
    question: str

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        return np.asarray(ctx.reponse_value(self.question), dtype=np.float64)


@dataclass
class Score(Node):
    action_id: str

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        return np.asarray(ctx.score(self.action_id), dtype=np.float64)


@dataclass
class Extremum(Node):
    name: str  # "min" | "max"
    args: list[Node]

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        # np.minimum/np.maximum propagate NaN: a missing answer gives the rule no value.
        op = np.minimum if self.name == "min" else np.maximum
        result = self.args[0].evaluate(ctx)
        for arg in self.args[1:]:
            result = op(result, arg.evaluate(ctx))
        return result

    def children(self) -> list[Node]:
        return list(self.args)


@dataclass
class Arithmetic(Node):
    op: str
    left: Node
    right: Node

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        a, b = self.left.evaluate(ctx), self.right.evaluate(ctx)
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        if self.op == "*":
            return a * b
        with np.errstate(divide="ignore", invalid="ignore"):
            quotient = a / b
        return np.where(b == 0, np.nan, quotient)

    def children(self) -> list[Node]:
        return [self.left, self.right]


@dataclass
class Comparison(Node):
    op: str  # one of COMPARISONS
    left: Node
    right: Node

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        return compare(self.op, self.left.evaluate(ctx), self.right.evaluate(ctx))

    def children(self) -> list[Node]:
        return [self.left, self.right]


def compare(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1.0 / 0.0, NaN where a side has no value."""
    with np.errstate(invalid="ignore"):
        if op == "<":
            result = a < b
        elif op == ">":
            result = a > b
        elif op == "=":
            result = a == b
        elif op == "<=":
            result = a <= b
        else:
            result = a >= b
    return np.where(np.isnan(a) | np.isnan(b), np.nan, result.astype(np.float64))


@dataclass
class Indicateur(Node):
    """val / opt_val / cible / limite of an indicator (score indicatif formulas only)."""

    function: str
    indicateur: str

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        raise ValueError(f"{self.function}({self.indicateur}) : une formule de score indicatif s'évalue avec "
                         "scoring.indicatif, pas comme une règle de personnalisation")


@dataclass
class Negation(Node):
    operand: Node

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        return -self.operand.evaluate(ctx)

    def children(self) -> list[Node]:
        return [self.operand]


@dataclass
class Logical(Node):
    op: str  # "et" | "ou"
    left: Node
    right: Node

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        a, b = truth(self.left.evaluate(ctx)), truth(self.right.evaluate(ctx))
        return ((a & b) if self.op == "et" else (a | b)).astype(np.float64)

    def children(self) -> list[Node]:
        return [self.left, self.right]


@dataclass
class Conditional(Node):
    branches: list[tuple[Node, Node]]
    otherwise: Node | None = None

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        if self.otherwise is None:
            result = np.full(ctx.size, np.nan)
        else:
            result = self.otherwise.evaluate(ctx)
        # The first matching branch wins, so apply them from the last one.
        for condition, value in reversed(self.branches):
            result = np.where(truth(condition.evaluate(ctx)), value.evaluate(ctx), result)
        return result

    def children(self) -> list[Node]:
        nodes = [n for pair in self.branches for n in pair]
        return nodes + ([self.otherwise] if self.otherwise is not None else [])


@dataclass
class Rule:
    """A parsed rule. `evaluate` returns float64 of shape (ctx.size,), NaN for "no value"."""

    text: str
    root: Node
    action_id: str = ""
    kind: str = ""
    _questions: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._questions = frozenset(
            n.question for n in self.root.walk() if isinstance(n, (ReponseEquals, ReponseValue))
        )

    def evaluate(self, ctx: RuleContext) -> np.ndarray:
        result = np.asarray(self.root.evaluate(ctx), dtype=np.float64)
        if result.shape != (ctx.size,):
            result = np.broadcast_to(result, (ctx.size,)).copy()
        return result

    def questions(self) -> set[str]:
        return set(self._questions)

    def score_refs(self) -> set[str]:
        return {n.action_id for n in self.root.walk() if isinstance(n, Score)}


# ---------------------------------------------------------------- tokenizer

# A word starting with a letter may hold inner hyphens (indicator `cae_49.f-hab`, as the
# platform's identifiers); `a - b` and `x-1` after a digit stay subtractions.
_TOKEN = re.compile(r"\s+|(?P<word>[A-Za-z_][\w.]*(?:-[\w.]+)*|[\w.]+)|(?P<op><=|>=|[(),+\-*/<>=])")
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")


@dataclass
class Token:
    kind: str  # "number" | "word" | "op" | "end"
    text: str
    start: int  # offset in the rule text
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


class _Parser:
    def __init__(self, text: str, action_id: str, kind: str):
        self.text = text
        self.action_id = action_id
        self.kind = kind
        self.tokens = self._tokenize()
        self.pos = 0

    # -- errors
    def _position(self, offset: int) -> tuple[int, int]:
        before = self.text[:offset]
        line = before.count("\n") + 1
        column = offset - (before.rfind("\n") + 1) + 1
        return line, column

    def _where(self, offset: int) -> str:
        line, column = self._position(offset)
        if "\n" in self.text.strip():
            return f"(ligne {line}, colonne {column})"
        return f"(colonne {column})"

    def error(self, detail: str, offset: int) -> RuleSyntaxError:
        line, column = self._position(offset)
        return RuleSyntaxError(self.text, self.action_id, self.kind,
                               f"{detail} {self._where(offset)}", line, column)

    def expected(self, what: str, feminine: bool = False) -> RuleSyntaxError:
        """`what` was expected right after the previous token."""
        attendu = "attendue" if feminine else "attendu"
        previous = self.tokens[self.pos - 1] if self.pos > 0 else None
        if previous is None:
            return self.error(f"{what} {attendu} en début de règle", self.peek().start)
        return self.error(f"{what} {attendu} après « {previous.text} »", previous.end)

    # -- tokens
    def _tokenize(self) -> list[Token]:
        tokens: list[Token] = []
        offset = 0
        while offset < len(self.text):
            match = _TOKEN.match(self.text, offset)
            if match is None:
                raise self.error(f"caractère inattendu « {self.text[offset]} »", offset)
            if match.group("word") is not None:
                word = match.group("word")
                kind = "number" if _NUMBER.fullmatch(word) else "word"
                tokens.append(Token(kind, word, match.start(), match.end()))
            elif match.group("op") is not None:
                tokens.append(Token("op", match.group("op"), match.start(), match.end()))
            offset = match.end()
        tokens.append(Token("end", "", len(self.text.rstrip()), len(self.text.rstrip())))
        return tokens

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def at_keyword(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.lower == word

    def at_op(self, op: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text == op

    def expect_keyword(self, word: str) -> None:
        if not self.at_keyword(word):
            raise self.expected(f"« {word} »")
        self.advance()

    def expect_op(self, op: str) -> None:
        if not self.at_op(op):
            raise self.expected(f"« {op} »")
        self.advance()

    # -- grammar
    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise RuleSyntaxError(self.text, self.action_id, self.kind, "la règle est vide")
        node = self.rule()
        token = self.peek()
        if token.kind != "end":
            raise self.unexpected(token)
        return node

    def unexpected(self, token: Token) -> RuleSyntaxError:
        if token.text == ")":
            return self.error("parenthèse « ) » fermée sans avoir été ouverte", token.start)
        if token.text == "," and self.pos > 0 and self.tokens[self.pos - 1].kind == "number" \
                and self.tokens[self.pos + 1].kind == "number":
            return self.error("virgule décimale non permise dans une règle (écrire "
                              f"« {self.tokens[self.pos - 1].text}.{self.tokens[self.pos + 1].text} »)",
                              token.start)
        previous = self.tokens[self.pos - 1]
        return self.error(f"« {token.text} » inattendu après « {previous.text} »", token.start)

    def rule(self) -> Node:
        if self.at_keyword("si"):
            return self.conditional()
        return self.expression()

    def conditional(self) -> Node:
        branches: list[tuple[Node, Node]] = []
        otherwise: Node | None = None
        self.expect_keyword("si")
        while True:
            condition = self.expression()
            self.expect_keyword("alors")
            branches.append((condition, self.expression()))
            if not self.at_keyword("sinon"):
                break
            self.advance()
            if self.at_keyword("si"):
                self.advance()
                continue
            otherwise = self.expression()
            break
        return Conditional(branches, otherwise)

    def expression(self) -> Node:
        node = self.and_expr()
        while self.at_keyword("ou"):
            self.advance()
            node = Logical("ou", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.comparison()
        while self.at_keyword("et"):
            self.advance()
            node = Logical("et", node, self.comparison())
        return node

    def comparison(self) -> Node:
        node = self.sum()
        while self.peek().kind == "op" and self.peek().text in COMPARISONS:
            op = self.advance().text
            node = Comparison(op, node, self.sum())
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.at_op("+") or self.at_op("-"):
            op = self.advance().text
            node = Arithmetic(op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at_op("*") or self.at_op("/"):
            op = self.advance().text
            node = Arithmetic(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at_op("-"):
            self.advance()
            return Negation(self.unary())
        return self.primary()

    def primary(self) -> Node:
        token = self.peek()
        if token.kind == "number":
            self.advance()
            return Number(float(token.text))
        if token.kind == "op" and token.text == "(":
            self.advance()
            node = self.rule()
            self.close_call(token, "« ) »")
            return node
        if token.kind == "word":
            word = token.lower
            if word in ("vrai", "faux"):
                self.advance()
                return Number(1.0 if word == "vrai" else 0.0)
            if word in KEYWORDS:
                raise self.error(f"expression attendue avant « {token.text} »", token.start)
            if self.tokens[self.pos + 1].text == "(":
                return self.call()
            if word[:1].isdigit():
                raise self.error(f"nombre illisible « {token.text} »", token.start)
            raise self.error(f"mot inconnu « {token.text} » (attendu : un nombre, VRAI, FAUX "
                             "ou une fonction)", token.start)
        if token.kind == "end":
            raise self.expected("expression", feminine=True)
        raise self.error(f"« {token.text} » inattendu", token.start)

    def call(self) -> Node:
        name_token = self.advance()
        name = name_token.lower
        allowed = INDICATIF_FUNCTIONS if self.kind == "indicatif" else FUNCTIONS
        if name not in allowed:
            raise self.error(f"fonction inconnue « {name_token.text} » (attendu : "
                             + ", ".join(allowed) + ")", name_token.start)
        open_token = self.peek()
        self.expect_op("(")
        if name in ("min", "max"):
            args = [self.rule()]
            while self.at_op(","):
                self.advance()
                args.append(self.rule())
            self.close_call(open_token, "« , » ou « ) »")
            if len(args) < 2:
                raise self.error(f"{name}() demande au moins deux arguments", name_token.start)
            return Extremum(name, args)
        counts = ARITIES[name]
        words = [self.argument_word(name)]
        while self.at_op(","):
            self.advance()
            words.append(self.argument_word(name))
        if len(words) < min(counts):
            wanted = "« , »"
        elif len(words) < max(counts):
            wanted = "« , » ou « ) »"
        else:
            wanted = "« ) »"
        self.close_call(open_token, wanted)
        return self.build_call(name, name_token, words)

    def close_call(self, open_token: Token, wanted: str) -> None:
        if self.at_op(")"):
            self.advance()
            return
        if self.peek().kind == "end":
            where = self._where(open_token.start)[1:-1]
            raise self.expected(f"parenthèse ouverte {where} jamais fermée : {wanted}")
        raise self.expected(wanted)

    def argument_word(self, function: str) -> Token:
        token = self.peek()
        if token.kind not in ("word", "number"):
            raise self.expected(f"argument de {function}()")
        self.advance()
        return token

    def build_call(self, name: str, name_token: Token, words: list[Token]) -> Node:
        counts = ARITIES[name]
        if len(words) not in counts:
            wanted = " ou ".join(str(c) for c in counts)
            raise self.error(f"{name}() demande {wanted} argument{'s' if max(counts) > 1 else ''}, "
                             f"{len(words)} donné{'s' if len(words) > 1 else ''}", name_token.start)
        if name == "score":
            return Score(strip_prefix(words[0].text))
        if name in INDICATEUR_FUNCTIONS:
            return Indicateur(name, words[0].text.lower())
        if name == "reponse":
            if len(words) == 1:
                return ReponseValue(words[0].text)
            return ReponseEquals(words[0].text, words[1].text)
        field_token, value_token = words
        field_name = field_token.lower
        if field_name not in IDENTITE_FIELDS:
            raise self.error(f"identite() ne connaît pas « {field_token.text} » (attendu : "
                             "type, soustype, population ou localisation)", field_token.start)
        value = _canonical_identite(field_name, value_token.text)
        if value is None:
            allowed = IDENTITE_VALUES[field_name]
            raise self.error(f"valeur « {value_token.text} » inconnue pour {field_name} (attendu : "
                             + ", ".join(allowed) + ")", value_token.start)
        if field_name == "type" and value == "syndicat":
            return Identite("soustype", "syndicat")  # the platform's rewrite at import
        return Identite(field_name, value)


IDENTITE_VALUES = {"type": TYPES, "soustype": SOUSTYPES, "localisation": LOCALISATIONS, "population": POPULATION_TAGS}


def _canonical_identite(field_name: str, value: str) -> str | None:
    allowed = IDENTITE_VALUES[field_name]
    for candidate in allowed:
        if candidate.lower() == value.lower():
            return candidate
    return None


def parse_rule(text: str, action_id: str = "", kind: str = "") -> Rule:
    """Parse one rule; raises RuleSyntaxError with a French message naming node, kind and text."""
    if text is None:
        text = ""
    text = str(text).replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
    parser = _Parser(text, action_id, kind)
    try:
        root = parser.parse()
    except RecursionError:  # the parser recurses once per parenthesis or sign
        raise RuleSyntaxError(text, action_id, kind, "règle trop imbriquée (parenthèses ou signes en "
                                                     "trop grand nombre)") from None
    return Rule(text=text, root=root, action_id=action_id, kind=kind)


def parse_rules(rules: pd.DataFrame) -> dict[tuple[str, str], Rule]:
    """Parse every rule of a referential's `rules` table (model.RULE_COLUMNS), keyed by
    (action_id, kind). All problems at once: syntax errors, unknown kinds, two rules of one kind
    on one node, score() outside a score rule (scores are not known before scoring)."""
    problems = ProblemCollector()
    parsed: dict[tuple[str, str], Rule] = {}
    first_line: dict[tuple[str, str], object] = {}
    for row in rules.to_dict("records"):
        action_id = strip_prefix(str(row["action_id"]))
        kind = str(row["kind"])
        file = str(row.get("source_file") or "règles")
        line = row.get("source_line")
        line = None if line is None or pd.isna(line) else int(line)
        if kind not in RULE_KINDS:
            problems.add(file, line, kind, f"règle de {action_id} : sorte de règle « {kind} » inconnue "
                                           "(attendu : reduction, desactivation ou score)")
            continue
        if (action_id, kind) in first_line:
            where = first_line[(action_id, kind)]
            problems.add(file, line, kind, f"{describe_rule(action_id, kind)} donnée deux fois"
                                           + (f" (première ligne {where})" if where is not None else ""))
            continue
        first_line[(action_id, kind)] = line
        try:
            rule = parse_rule(row["expression"], action_id, kind)
        except RuleSyntaxError as exc:
            problems.add(file, line, kind, str(exc))
            continue
        if kind != "score" and rule.score_refs():
            problems.add(file, line, kind, f"{describe_rule(action_id, kind)} : score() n'est permis "
                                           "que dans une règle de score")
            continue
        parsed[(action_id, kind)] = rule
    problems.raise_if_any()
    return parsed
