"""Header words that say a column counts persons or events, in the languages and shorthands
researchers write them (E2).

The English and Chinese words of :data:`unit_tables.COUNT_WORDS` let a probe head the same
column ``muertes``, ``effectif``, ``Anzahl``, 「患者数」, ``환자 수``, ``số ca``, ``jumlah``,
``num_pts``, ``headcount`` or ``# of``: the table rules then had a column of numbers of no known
role (a reviewer) instead of a count (a small one blocks).  Each word here is one a table
uses for a number of persons, cases, deaths or records - not one that also names a score, an
identifier or a name (French ``numéro``, Korean ``점수``, Japanese ``名`` as in 氏名).

:func:`counts` reads a header (underscores as spaces, any case).
"""
from __future__ import annotations

import re

# Latin-script words, matched as whole words
_LATIN = (
    # Spanish / Portuguese
    r"muertes|casos|pacientes|defunciones|fallecidos|fallecimientos|personas|frecuencia|recuento|"
    r"conteo|cantidad|n[úu]mero de|n[ºo°]\.? de|óbitos|obitos|doentes|pessoas|quantidade|"
    r"frequ[êe]ncia|contagem|"
    # French
    r"effectifs?|d[ée]c[èe]s|cas|personnes|nombre de|nombre d'|nbre|fr[ée]quence|d[ée]compte|"
    # German / Dutch
    r"anzahl|f[äa]lle|faelle|fallzahl|todesf[äa]lle|sterbef[äa]lle|patienten|personen|"
    r"h[äa]ufigkeit|zahl der|tote|aantal|gevallen|pati[ëe]nten|sterfgevallen|"
    # Italian
    r"numero di|casi|pazienti|decessi|morti|frequenza|conteggio|"
    # Polish / Turkish
    r"liczba|przypadki|zgony|pacjenci|say[ıi]s[ıi]|say[ıi]|vaka|"
    # Indonesian / Malay / Vietnamese
    r"jumlah|bilangan|kasus|pasien|kematian|s[ốo] ca|s[ốo] l[ưu][ợo]ng|s[ốo] ng[ưu][ờo]i|"
    r"s[ốo] b[ệe]nh nh[âa]n|s[ốo] t[ửu] vong|"
    # Russian
    r"число|количество|кол-во|случа[иеё]в?|пациент(?:ы|ов)|смерт(?:и|ей)|умерших|человек|"
    # shorthands
    r"pts|num pts|npts|no pts|nb pts|nb|nbr|nobs|n obs|headcount|head count|tally|tallies|"
    r"freqs?|cnts?|num|number")
_LATIN_WORDS = re.compile(rf"(?<![\w'])(?:{_LATIN})(?![\w'])", re.I)
# "# of", "#pts", "N=", "n =", "no. of", "num_" / "nb_" / "cnt_" prefixes
_SIGNS = re.compile(r"(?:^|\s)#\s?(?:of\b|\w)|(?:^|\s)[nN]\s?[=＝:]|^(?:num|nb|nbr|cnt|cnts|freq|no)\s\w",
                    re.I)
# scripts without spaces between words, matched anywhere in the header
_CJK = re.compile(
    r"人数|件数|患者数|症例数|例数|死亡数|死亡者数|度数|頻度|病例数|频数|计数|個案数|个案数|"
    r"人數|患者數|症例數|死亡者數|病例數|頻數|計數|"
    r"환자\s?수|사망자?\s?수|사례\s?수|대상자\s?수|발생\s?수|건수|명수|인원\s?수?|빈도|"
    r"จำนวน|عدد|संख्या")


def counts(label: str) -> bool:
    """The header says its numbers count persons, cases or events."""
    t = " ".join(label.replace("_", " ").split())
    return bool(_LATIN_WORDS.search(t) or _SIGNS.search(t) or _CJK.search(label))


# Numbers at risk under a header with no counting word ("at risk", "No. at risk", "risk set",
# 「在險人數」): persons, whose falls along time are persons leaving (E2, round 13: such a column
# had no known role, so a fall of 3 went to a reviewer instead of the survival rule).
_AT_RISK = re.compile(r"\bat[\s_-]?risk\b|\brisk[\s_-]?sets?\b|在險|風險集", re.I)


def at_risk(label: str) -> bool:
    """The header names numbers at risk."""
    return bool(_AT_RISK.search(str(label)))
