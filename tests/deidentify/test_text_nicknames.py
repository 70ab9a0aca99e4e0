"""D1: a bare nickname opening a sentence (阿財陪同就醫, 小芳是案子, 明仔今天有來).

A nickname built on a name character (阿/小 before a common given-name character, or one before
仔) is an identifier; a kinship or ordinary word (阿伯, 阿嬤, 小孩, 小心, 阿弟仔) is not.  The probe
found ~75-80 % of them (only after an introducing word).  Generated over nickname characters,
what opens the sentence and what the person then does; ordinary sentences opening with 阿/小
words must stay.
"""
from __future__ import annotations

import pytest

from deidentify.text.scrub import scrub_texts

CHARS = "明美德雄芳珠輝玲忠華宏財萍秀榮惠龍英文傑豪婷君強玉鳳蘭"
OPENERS = ["", "主訴腹痛。", "【護理紀錄】", "Note: ", "社工訪視：", "血壓 130/80。"]
AFTER = ["陪同就醫。", "是案子。", "今天有來。", "說腳很痛。", "來電詢問。", "表示同意。", "幫忙買菜。", "已返家。"]


def _members():
    out = []
    for i, c in enumerate(CHARS):
        for j, form in enumerate(("阿{}", "小{}", "{}仔")):
            if (i + j) % 2:
                continue
            nick = form.format(c)
            out.append(pytest.param(OPENERS[(i + j) % len(OPENERS)], nick, AFTER[(2 * i + j) % len(AFTER)],
                                    id=f"{nick}-{i}-{j}"))
    return out


@pytest.mark.parametrize("before,nick,after", _members())
def test_a_bare_nickname_is_masked(before, nick, after):
    assert scrub_texts([f"{before}{nick}{after}"])[0] == f"{before}<NAME>{after}"


ORDINARY = ["阿伯說腳痛。", "阿嬤會來。", "阿姨來探視。", "阿公說頭暈。", "小孩發燒。", "小便量少。", "小心跌倒。",
            "小時後回來。", "小量出血。", "小兒科會診。", "小腿水腫。", "小組討論。", "小姐來電。", "小朋友說肚子痛。",
            "小弟來探視。", "小妹來電。", "阿弟仔說要回家。", "阿爸來了。", "阿母說。", "阿舅陪同。",
            "小手術後回病房。", "小玉西瓜一片。", "小平頭。", "牛仔褲已換。", "阿斯匹靈一顆。", "小腸阻塞。",
            "小夜班交班。", "小吃攤買飯。"]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_words_opening_with_a_or_xiao_stay(text):
    assert scrub_texts([text])[0] == text
