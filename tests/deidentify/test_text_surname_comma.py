"""D1: English-written names in "Surname, Given [Middle]" order (forms, sign-off lists).

Probes wrote "Chen, Mary Ann" (the surname was left) and "Yeh, Emily S." (nothing was
masked): only a surname and exactly one given name were read as a name.  Generated over
surnames (romanised Taiwanese and census), given names, what follows the given name (a second
given name, an initial, nothing) and what follows the name (a verb, a role, a clinical word);
commas between ordinary capitalised words must stay.
"""
from __future__ import annotations

import pytest

from deidentify.text.scrub import scrub_texts

SURNAMES = ["Chen", "Yeh", "Lin", "Huang", "Tsai", "Wang", "Smith", "Johnson"]
GIVEN = ["Mary", "Emily", "Amy", "Kevin", "John", "Grace"]
ROMANISED = {"Chen", "Yeh", "Lin", "Huang", "Tsai", "Wang"}   # "Smith, Grace": Grace is a word too
MIDDLE = ["", " Ann", " S.", " J.", " Rose", " Lee"]
AFTER = [" called.", ", RN, signed.", " Chest pain noted.", " visited the clinic.", "; follow-up."]


def _members():
    out = []
    for i, sur in enumerate(SURNAMES):
        for j, given in enumerate(GIVEN):
            if given == "Grace" and sur not in ROMANISED:
                continue
            mid = MIDDLE[(i + j) % len(MIDDLE)]
            after = AFTER[(i * 3 + j) % len(AFTER)]
            out.append(pytest.param(sur, given, mid, after, id=f"{sur}-{given}-{mid.strip()}"))
    return out


@pytest.mark.parametrize("sur,given,mid,after", _members())
def test_surname_comma_given_is_masked_whole(sur, given, mid, after):
    text = f"{sur}, {given}{mid}{after}"
    out = scrub_texts([text])[0]
    assert sur not in out and given not in out, out
    if mid.strip().rstrip(".") and len(mid.strip().rstrip(".")) > 1 and mid.strip() != "Lee":
        assert mid.strip() not in out, out        # the second given name goes with the first
    tail = after.strip(" ,;.").split(",")[-1].split()[0]
    assert tail in out, out                       # what follows the name stays


@pytest.mark.parametrize("text", ["Taipei, Taiwan is a city.", "Results, Table One shows the counts.",
                                  "Diagnosis, Chest Pain, resolved.", "Plan, Follow Up in two weeks.",
                                  "Hualien, Taitung and Yilan were covered.",
                                  "Summary, Discharge Note attached."])
def test_commas_between_ordinary_words_stay(text):
    assert scrub_texts([text])[0] == text


LEADS = ["Primary nurse: ", "cc: ", "Attending: Dr. ", "Referred to ", "Case manager "]


@pytest.mark.parametrize("lead", LEADS)
@pytest.mark.parametrize("sur,given", [("HUANG", "Vincent"), ("KUO", "Ann"), ("LAI", "Emily"),
                                       ("Chen", "Mary Ann"), ("Yeh", "Emily S.")])
def test_after_a_context_word_the_form_keeps_both_writing_styles(lead, sur, given):
    out = scrub_texts([f"{lead}{sur}, {given} for wound care."])[0]
    assert sur not in out and given.split()[0] not in out, out
    assert "wound care" in out
