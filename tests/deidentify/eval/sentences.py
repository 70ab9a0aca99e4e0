"""Sentences that carry one identifier each, in the words notes use around it."""
from __future__ import annotations

import random

from tests.deidentify.eval import forms as F
from tests.deidentify.eval import names as N
from tests.deidentify.eval.notes import Case, _drug_code_passing_checksum


def s_id(rng: random.Random, c: Case) -> None:
    v = F.write_id(rng)
    ctx = rng.choice(["身分證字號：", "身分證 ", "ID: ", "身份證號", "統一證號 ", "居留證號碼：", "ARC ", "證號", "ID No. ",
                      "身分證字號為", "", "電話0912345678 ", "病歷 12345 "])
    c.add(rng.choice(["", "病人", "個案", "外籍看護", "家屬"])).add(ctx).pii("ID", v, "id").add(
        rng.choice(["，", "。", " ", "；目前服用 Metformin 500mg。", "，藥物 Aspirin 100mg。", " (已核對)"]))


def s_phone(rng: random.Random, c: Case) -> None:
    v, needs_ctx = F.write_phone(rng)
    ctx = rng.choice(["電話：", "手機 ", "聯絡電話", "TEL ", "Tel: ", "家電 ", "市話：", "聯絡方式 ", "行動電話：", "電話"])
    if not needs_ctx and rng.random() < 0.25:
        ctx = rng.choice(["請撥 ", "打", "call ", "", "若有問題 "])
    c.add(rng.choice(["家屬", "案母", "個案", "", "聯絡人"])).add(ctx).pii("PHONE", v, "local" if needs_ctx else "phone").add(
        rng.choice(["。", "，", " ", "，白天可聯絡。"]))


def s_email(rng: random.Random, c: Case) -> None:
    c.add(rng.choice(["Email: ", "電子郵件 ", "信箱：", "e-mail ", "請寄至"])).pii("EMAIL", F.write_email(rng)).add(
        rng.choice(["。", " ", "，"]))


def s_address(rng: random.Random, c: Case) -> None:
    c.add(rng.choice(["住址：", "住在", "地址 ", "居住於", "戶籍地址：", "現住", "Address: ", "住", "案家位於"])).pii(
        "ADDRESS", F.write_address(rng), "address").add(rng.choice(["。", "，", " ", "，獨居。", "，與女兒同住。"]))


def s_dob(rng: random.Random, c: Case) -> None:
    c.add(rng.choice(["生日：", "出生日期 ", "DOB: ", "DOB ", "出生：", "生於", "Birth date: ", "出生年月日：", "b. ",
                      "生日為", "Date of birth "])).pii("DOB", F.write_dob(rng), "dob").add(rng.choice(["，", "。", " ", "）"]))


def s_mrn(rng: random.Random, c: Case) -> None:
    c.add(rng.choice(["病歷號：", "病歷號碼 ", "病歷號", "MRN: ", "Chart No. ", "病歷編號：", "病歷#", "Chart no: ",
                      "住院號 ", "病號："])).pii("MRN", F.write_mrn(rng), "mrn").add(rng.choice(["，", "。", " ", "）"]))


def s_nhi_card(rng: random.Random, c: Case) -> None:
    c.add(rng.choice(["健保卡號：", "健保卡號 ", "NHI card: ", "健保IC卡號", "卡號 ", "健保卡卡號："])).pii(
        "NHI_CARD", F.write_nhi_card(rng), "nhi_card").add(rng.choice(["，", "。", " "]))


def s_name(rng: random.Random, c: Case) -> None:
    style = rng.randrange(14)
    if style <= 2:     # strong context, any surname (also rare ones)
        rare = rng.random() < 0.4
        c.add(rng.choice(N.BEFORE)).pii("NAME", N.chinese_name(rng, rare), "rare_surname" if rare else "context").add(
            rng.choice(["表示", "，", "今日", "陪同", "同意", "。", "說明病情", " "]))
    elif style == 3:   # no context, common surname, sentence start
        c.add("\n").pii("NAME", N.chinese_name(rng), "no_context").add(rng.choice(["今天回診", "主訴頭痛三天", "，男，65歲", "因胸痛來院"]))
    elif style == 4:   # title after
        full = rng.random() < 0.5
        name = N.chinese_name(rng, rng.random() < 0.3) if full else N.surname(rng, rng.random() < 0.2)
        c.add(rng.choice(["請", "由", "經", "與", "會同"])).pii("NAME", name, "title_full" if full else "title_surname").add(
            rng.choice(N.TITLES)).add(rng.choice(["評估", "處理", "說明", "。"]))
    elif style == 5:   # lists
        k = rng.randint(2, 3)
        c.add(rng.choice(["家屬", "參與者：", "在場人員", "陪同者："]))
        for j in range(k):
            if j:
                c.add(rng.choice(["、", "，", "及", "和", ", "]))
            c.pii("NAME", N.chinese_name(rng, rng.random() < 0.2), "list")
        c.add("。")
    elif style == 6:
        c.add(rng.choice(["案子", "家屬稱其", "阿嬤叫他", "案母", "同事", "朋友"])).pii("NAME", N.nickname(rng), "nickname").add(
            rng.choice(["今日陪同", "表示", "來電", "。"]))
    elif style == 7:
        c.add(rng.choice(["病患", "案母", "家屬", "個案"])).pii("NAME", N.given_alone(rng), "given_alone").add(
            rng.choice(["表示", "陪同", "來電", "。"]))
    elif style == 8:
        c.add(rng.choice(["病患", "個案", "家屬", "案夫", ""])).pii("NAME", N.indigenous(rng), "indigenous").add(
            rng.choice(["，", "表示", "。"]))
    elif style in (9, 10):
        c.add(rng.choice(["Patient: ", "Pt ", "referred by Dr. ", "Attending: ", "陪同者 ", "家屬 ", "Name: ", "c/o "])).pii(
            "NAME", N.romanised(rng), "romanised").add(rng.choice([", ", ". ", " ", "。"]))
    elif style == 11:
        c.add(rng.choice(["Dr. ", "Patient ", "Referred by ", "Mr. ", "Ms. ", "signed: ", "cc: "])).pii(
            "NAME", N.western(rng), "western").add(rng.choice([", ", ". ", " "]))
    elif style == 12:  # married four-character name with context
        c.add(rng.choice(N.BEFORE)).pii("NAME", rng.choice(N.COMMON) + rng.choice(N.COMMON) + N._given(rng, 2),
                                        "married").add(rng.choice(["表示", "，", "。"]))
    else:              # two-character name
        c.add(rng.choice(N.BEFORE)).pii("NAME", N.surname(rng, rng.random() < 0.3) + N._given(rng, 1), "two_char").add(
            rng.choice(["表示", "，", "。", "陪同"]))


def s_old_resident_with_drug_words(rng: random.Random, c: Case) -> None:
    """An old-form resident number (checksum valid) next to drug words, with an ID word."""
    from deidentify.identifiers import taiwan_id
    v = taiwan_id.generate(rng, "resident_old")
    c.add(rng.choice(["外籍看護居留證 ", "居留證號 ", "ARC: ", "統一證號"])).pii("ID", v, "resident_old_drug").add(
        f"，目前服用 Metformin 500mg 及 {_drug_code_passing_checksum(rng)}。")


SENTENCES = {"ID": s_id, "PHONE": s_phone, "EMAIL": s_email, "ADDRESS": s_address, "DOB": s_dob, "MRN": s_mrn,
             "NHI_CARD": s_nhi_card, "NAME": s_name, "ID_OLD_DRUG": s_old_resident_with_drug_words}
