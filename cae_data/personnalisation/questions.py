"""Which personnalisation questions a collectivity is asked, and in which order.

`questions_applicables(questions, profile)` keeps, from a referential's questions table
(model.ALL_QUESTION_COLUMNS, markdown or platform files), the questions that apply to the
profile, sorted by `ordre` (the profile form's order):
- its type is among the question's `types_collectivites` (lower case; none listed: every type).
  A syndicat counts as an EPCI too, as on the platform where its type is EPCI and its sous-type
  syndicat. A profile without a type is asked everything;
- its visibility rule `expr_visible` (rule language, evaluated on the profile with its current
  answers: `PAT_2` shows once `PAT_1` is answered NON) holds. A rule without value hides the
  question (no matching branch: `si reponse(PCAET_1, NON) alors VRAI` with PCAET_1 unanswered).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .profile import Profile, ProfileContext
from .rules import parse_rule, truth

TYPE_KEYS = {"epci": ("epci",), "commune": ("commune",), "syndicat": ("syndicat", "epci")}


def questions_applicables(questions: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """The questions of `questions` the collectivity is asked, in order (see the module
    docstring); same columns, index reset."""
    if questions.empty:
        return questions.reset_index(drop=True)
    keys = TYPE_KEYS.get(str(profile.type).lower()) if profile.type else None
    types = questions["types_collectivites"] if "types_collectivites" in questions.columns else None
    applies = np.ones(len(questions), dtype=bool)
    if keys is not None and types is not None:
        applies = np.array([not listed or any(k in listed for k in keys)
                            for listed in (t if isinstance(t, list) else [] for t in types)], dtype=bool)
    if "expr_visible" in questions.columns:
        context = ProfileContext([profile])
        for position, (question_id, expression) in enumerate(zip(questions["question_id"], questions["expr_visible"])):
            if applies[position] and isinstance(expression, str) and expression.strip():
                rule = parse_rule(expression, str(question_id), "visibilite")
                applies[position] = bool(truth(rule.evaluate(context))[0])
    kept = questions[applies]
    if "ordre" in kept.columns:
        kept = kept.sort_values("ordre", kind="stable")
    return kept.reset_index(drop=True)
