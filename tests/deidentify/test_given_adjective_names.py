"""A given name that is also a rare adjective (秀逸, 俊秀) right after a context word and before
what only a person does (表示, 來電) is a name; a common adjective there says how the person did
it (平靜表示, 主動告知) and stays (issue 14)."""
from __future__ import annotations

import pytest

from deidentify.text import scrub_texts


@pytest.mark.parametrize("text, masked", [
    ("病患秀逸表示頭痛三天", "病患<NAME>表示頭痛三天"),
    ("家屬秀逸來電詢問檢查結果", "家屬<NAME>來電詢問檢查結果"),
    ("病人俊秀表示願意配合", "病人<NAME>表示願意配合"),
])
def test_rare_adjective_given_name_is_masked(text, masked):
    assert scrub_texts([text]) == [masked]


@pytest.mark.parametrize("text", ["病患平靜表示已了解", "病患清楚表示拒絕插管", "病患主動告知過敏史",
                                  "家屬明確表示同意"])
def test_common_adjective_before_the_verb_stays(text):
    assert scrub_texts([text]) == [text]
