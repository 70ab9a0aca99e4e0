"""Schools and universities named in English (D1): an outside attacker's notes kept "graduated
from Taipei Municipal Jianguo High School" and "a student at National Taiwan University".
Generated from fixed lists (names × kinds × sentences, capitalised, in capitals, and lower case
after a word that says the person attends it); the same words used generically stay."""
from __future__ import annotations

import pytest

from deidentify.text import scrub_texts

NAMES = ["Jianguo", "Zhongshan Girls'", "Jingmei", "Kang Chiao", "Morrison", "Dominican", "Fu Jen", "Tamkang",
         "Ming Chuan", "Soochow", "Chung Yuan", "Feng Chia", "Tunghai", "Yuan Ze", "Chang Gung", "Cheng Kung",
         "Tsing Hua", "Chengchi", "Sun Yat-sen", "St. Mary's", "St. Joseph's", "Holy Family", "Lincoln",
         "Riverside", "Maple Leaf", "Wellington", "Hsinyi", "Da-An", "Neihu", "Banqiao", "Fengshan", "Hualien"]
PREFIXES = ["", "Taipei Municipal ", "National ", "Private ", "Kaohsiung City ", "New Taipei Municipal "]
KINDS = ["High School", "Senior High School", "Junior High School", "Elementary School", "Elementary",
         "Primary School", "International School", "American School", "Academy", "University", "College",
         "Kindergarten", "Bilingual School", "Vocational High School", "Experimental High School", "Preschool",
         "Institute of Technology", "Medical University", "Normal University", "Catholic University",
         "University of Science and Technology"]
FRAMES = ["graduated from {x} in 2015.", "a student at {x}.", "Attends {x}, 5th grade.", "Pt is a 3rd grader at {x}, "
          "lives with mother", "Currently enrolled at {x}", "{x} student, 16 y/o, presents with fever",
          "mother is a teacher at {x}", "He transferred to {x} last year.", "studied at {x} until 2019",
          "病人就讀 {x}，三年級", "Hx: bullied at {x}"]


def _school(i: int) -> str:
    return f"{PREFIXES[i % len(PREFIXES)]}{NAMES[i % len(NAMES)]} {KINDS[i % len(KINDS)]}"


def _leaks(texts: list[str], names: list[str]) -> list[tuple[str, str]]:
    out = scrub_texts(texts)
    # (the school's own word gone, and a mask in its place: <ADDRESS>, or <NAME> where a name
    # finder covered the same words)
    return [(t, o) for t, o, n in zip(texts, out, names) if n.split()[-2] in o or "<" not in o]


@pytest.mark.parametrize("frame", FRAMES)
def test_school_names_in_english(frame):
    names = [_school(i * 3 + FRAMES.index(frame)) for i in range(len(KINDS) * 2)]
    texts = [frame.format(x=n) for n in names]
    leaks = _leaks(texts, names)
    assert not leaks, leaks


@pytest.mark.parametrize("frame", FRAMES[:6])
def test_school_names_in_capitals(frame):
    names = [_school(i * 5 + FRAMES.index(frame)).upper() for i in range(len(KINDS))]
    texts = [frame.format(x=n) for n in names]
    leaks = _leaks(texts, names)
    assert not leaks, leaks


@pytest.mark.parametrize("lead", ["graduated from", "a student at", "attends", "studied at", "enrolled at",
                                  "goes to", "went to", "teacher at", "transferred to", "alumnus of"])
def test_school_names_in_lower_case_after_an_attending_word(lead):
    names = [_school(i * 7 + len(lead)).lower() for i in range(len(KINDS))]
    texts = [f"pt {lead} {n}, no fever" for n in names]
    leaks = _leaks(texts, names)
    assert not leaks, leaks


@pytest.mark.parametrize("text, secret", [
    ("graduated from Taipei Municipal Jianguo High School", "Jianguo"),
    ("a student at National Taiwan University", "Taiwan"), ("attends Kang Chiao International School", "Chiao"),
    ("St. Mary's Elementary", "Mary"), ("University of Taipei graduate", "Taipei"),
    ("The Affiliated Senior High School of National Taiwan Normal University", "Affiliated"),
    ("Taipei American School, grade 7", "Taipei"), ("Morrison Academy student", "Morrison"),
])
def test_the_reported_school_names(text, secret):
    out = scrub_texts([text])[0]
    assert secret not in out and "<" in out, out


ACRONYMS = ["NTU", "NCKU", "NTHU", "NYCU", "NTNU", "NCCU", "NSYSU", "NCHU", "TMU", "KMU", "CMU", "FJU", "TKU", "CGU"]


@pytest.mark.parametrize("frame", ["graduated from {a} in 2012", "{a} graduate, 24 y/o", "a student at {a}.",
                                   "works at {a} as a cleaner", "{a} alumnus", "transferred to {a}"])
def test_universities_known_by_their_initials(frame):
    texts = [frame.format(a=a) for a in ACRONYMS]
    out = scrub_texts(texts)
    leaks = [(t, o) for t, o, a in zip(texts, out, ACRONYMS) if a in o]
    assert not leaks, leaks


ORDINARY = [
    "graduated from high school", "went to the local elementary school", "attends nursing school",
    "Medical School graduate", "seen at National Taiwan University Hospital", "Primary care follow-up",
    "High blood pressure", "School-age child with asthma", "Patient is a college student",
    "finished university in 2010", "dropped out of school", "School nurse called mother",
    "kindergarten teacher", "Department of Medicine", "College of Medicine", "school performance declined",
    "elementary school grade 3", "after school program", "Institute of Medicine guidelines",
    "per American Academy of Pediatrics guideline", "American College of Cardiology criteria",
    "National Cancer Institute criteria", "Middle East travel",
    "Attends Elementary School", "Graduate School of Public Health", "attended the public high school nearby",
    "She attends junior high school", "College student, 20 y/o", "University Hospital ER visit",
    "turbidity 5 NTU", "NTU value within range", "CMU score 3",
]


def test_ordinary_school_words_are_left_alone():
    out = scrub_texts(ORDINARY)
    changed = [(t, o) for t, o in zip(ORDINARY, out) if t != o]
    assert not changed, changed
