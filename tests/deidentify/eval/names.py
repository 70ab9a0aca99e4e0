"""Personal names as Taiwanese clinical notes write them (class NAME of the evaluation set)."""
from __future__ import annotations

import random

# Common surnames (in every list) and rarer ones missing from most lists.
COMMON = "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴范方宋"
RARE = "滕闕粘佘酆冉竇藺卜嵇戚蒲荊柴廉畢遲甯寇鄔鞠閻萬樊應談晏屠蓋仇郎封褚岳卞韋敖"
COMPOUND = ["歐陽", "張簡", "范姜", "司馬", "諸葛", "上官"]
GIVEN = ("志明怡君建宏雅婷俊傑淑芬家豪美玲宗翰佳穎冠宇欣承恩詩涵柏宜蓁子晴品妍彥廷思妤宥辰文華國惠秀玉麗春"
         "偉嘉慧芳靜瑞信世育哲依芷昱博德仁銘忠勝榮振耀光安正立平清永成新中興政益賢順福祥雄龍鴻輝彬斌凱威"
         "誠毅軒睿宸瑋琪琳珊瑜萍芸蓉菁蘭梅鳳珍珠貞娟娥英月霞雪燕鈺真如若蕙綺薇筠嫻潔庭亭瑄萱璇儀韻語郁馨"
         "倩伶純敏蓮菊桂香琴婉姿容璋瑩鈞鑫峰浩翔皓緯達逸泰啟弘仲剛強民富貴財義坤和松源智勇群亮揚楷竣豐朝元")
INDIGENOUS = [("瓦歷斯", "諾幹"), ("巴奈", "庫穗"), ("比令", "亞布"), ("伊斯坦大", "霍松安"), ("撒可努", "亞榮隆"),
              ("尤幹", "達道"), ("阿烈", "哈露"), ("拉娃", "谷輦"), ("馬躍", "比吼"), ("夏曼", "藍波安")]
INDIGENOUS_LATIN = [("Walis", "Nokan"), ("Panay", "Kusui"), ("Pisuy", "Tali"), ("Yapit", "Tali"), ("Sakinu", "Yalonglong")]
DOTS = ["·", "‧", "•", "・", "．"]
ROMAN_SURNAMES = ["Chen", "Lin", "Wang", "Huang", "Chang", "Lee", "Wu", "Liu", "Tsai", "Yang", "Hsu", "Cheng", "Hsieh",
                  "Kuo", "Tseng", "Lai", "Chou", "Yeh", "Su", "Chuang", "Lu", "Kao", "Pan", "Chu", "Hu", "Shih"]
ROMAN_SYLL = ["Ming", "Hsiao", "Yi", "Ling", "Chih", "Wei", "Hsin", "Ya", "Ting", "Chun", "Chieh", "Shu", "Fen", "Chia",
              "Hao", "Mei", "Tsung", "Han", "Kuan", "Yu", "Pin", "Yen", "Xiao", "Jun", "Zhi", "Qing", "Hui", "Jia"]
WESTERN_FIRST = ["John", "Mary", "Michael", "Sarah", "David", "Emily", "James", "Anna", "Robert", "Linda", "Thomas",
                 "Jennifer", "Kevin", "Jessica", "Daniel", "Laura", "Peter", "Susan", "Mark", "Karen"]
WESTERN_LAST = ["Smith", "Johnson", "Brown", "Davis", "Miller", "Wilson", "Moore", "Taylor", "Anderson", "Jackson",
                "White", "Harris", "Martin", "Thompson", "Garcia", "Clark", "Lewis", "Walker", "O'Brien", "McDonald"]

BEFORE = ["病患", "病人", "患者", "個案", "主治醫師", "主治醫師：", "案母", "案父", "案妻", "案夫", "案女", "案子", "家屬",
          "轉介", "聯絡人", "聯絡人：", "姓名：", "簽名：", "陪同者", "照顧者", "主護", "值班醫師", "會診醫師", "申請人",
          "緊急聯絡人", "個管師", "社工師", "案主"]
TITLES = ["先生", "小姐", "太太", "女士", "醫師", "護理師", "阿姨", "伯伯", "主任"]


def _given(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(GIVEN) for _ in range(n))


def surname(rng: random.Random, rare: bool) -> str:
    if rare:
        return rng.choice(RARE)
    if rng.random() < 0.08:
        return rng.choice(COMPOUND)
    return rng.choice(COMMON)


def chinese_name(rng: random.Random, rare: bool = False) -> str:
    """Surname + one or two given characters, sometimes a married four-character name."""
    s = surname(rng, rare)
    style = rng.random()
    if style < 0.15:
        return s + _given(rng, 1)
    if style < 0.25 and len(s) == 1:
        return s + rng.choice(COMMON) + _given(rng, 2)     # 冠夫姓: 陳林美玲
    return s + _given(rng, 2)


def nickname(rng: random.Random) -> str:
    return rng.choice(["阿", "小"]) + rng.choice(GIVEN)


def given_alone(rng: random.Random) -> str:
    return _given(rng, 2)


def indigenous(rng: random.Random) -> str:
    if rng.random() < 0.3:
        a, b = rng.choice(INDIGENOUS_LATIN)
    else:
        a, b = rng.choice(INDIGENOUS)
    return a + rng.choice(DOTS) + b


def romanised(rng: random.Random) -> str:
    s = rng.choice(ROMAN_SURNAMES)
    a, b = rng.sample(ROMAN_SYLL, 2)
    style = rng.randrange(8)
    if style == 0:
        return f"{s} {a}-{b.lower()}"          # Wang Xiao-ming
    if style == 1:
        return f"{s} {a}{b.lower()}"           # Wang Xiaoming
    if style == 2:
        return f"{a}{b.lower()} {s}"           # Xiaoming Wang
    if style == 3:
        return f"{s.upper()}, {a.upper()}-{b.upper()}"
    if style == 4:
        return f"{s}, {a} {b}"                 # Chen, Yi Ling
    if style == 5:
        return f"{a}-{b} {s}"
    if style == 6:
        return f"{s.upper()} {a.upper()} {b.upper()}"
    return f"{s} {a} {b}"


def western(rng: random.Random) -> str:
    f, last = rng.choice(WESTERN_FIRST), rng.choice(WESTERN_LAST)
    return rng.choice([f"{f} {last}", f"{last}, {f}", f"{f} {rng.choice('ABCDEJKMRST')}. {last}", f"{last.upper()} {f.upper()}"])
