"""Throughput of scrub_texts vs a plain Presidio pass over the same clinical short texts.

    python bench/deidentify_text.py [--n 200000] [--pii-rate 0.03] [--seed 7]

Prints texts/s for: scrub_texts (cold, first call incl. engine start-up excluded), scrub_texts on
distinct texts, scrub_texts on a repetitive column, and AnalyzerEngine.analyze on every text
(same offline recognisers, no prefilter) on a sample, plus the ratio; and the prefilter's
pass rate and a leak check (no planted identifier survives).
"""
from __future__ import annotations

import argparse
import random
import time

from deidentify.identifiers import taiwan_id
from deidentify.text import find_identifiers_batch, scrub_texts
from deidentify.text.recognizers import analyzer

SYMPTOMS = ["咳嗽", "發燒", "頭痛", "腹痛", "胸悶", "喉嚨痛", "流鼻水", "頭暈", "噁心", "腹瀉", "關節痛", "皮疹",
            "呼吸困難", "下背痛", "失眠", "心悸", "水腫", "血尿", "黃疸", "高血壓"]
DIAG = ["上呼吸道感染", "急性支氣管炎", "第二型糖尿病", "高血壓性心臟病", "尿路感染", "胃食道逆流", "退化性關節炎",
        "慢性腎臟病第三期", "氣喘急性發作", "白血球偏高待查", "結石", "蜂窩性組織炎", "帶狀疱疹"]
PLANS = ["持續服藥", "兩週後回診", "安排抽血檢查", "處方 Amoxicillin 500mg TID", "衛教飲食控制", "轉介復健科",
         "施打流感疫苗", "安排胸部X光", "追蹤 HbA1c", "調整降血壓藥物", "住院觀察", "門診追蹤"]
EN = ["URI, cough x3d", "DM f/u, HbA1c {v}", "HTN, BP {v}/80", "s/p PCI, stable", "CKD stage 3, eGFR {v}",
      "r/o pneumonia, CXR arranged", "ICD E11.9 I10", "NHI code AC12345100 x 30 tabs"]
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝洪郭"
GIVEN = "志明怡君建宏雅婷俊傑淑芬家豪美玲宗翰佳穎"


def clinical(rng: random.Random) -> str:
    v = rng.randint(5, 160)
    if rng.random() < 0.35:
        return rng.choice(EN).format(v=v)
    return f"{rng.choice(SYMPTOMS)}{rng.randint(1, 14)}天，{rng.choice(DIAG)}，{rng.choice(PLANS)}"


def with_pii(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
    pid = taiwan_id.generate(rng, rng.choice(["national", "resident_new", "resident_old"]))
    phone = f"09{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}"
    kind = rng.randrange(4)
    base = clinical(rng)
    if kind == 0:
        return f"病患{name}，{base}", name
    if kind == 1:
        return f"{base}，身分證 {pid}", pid
    if kind == 2:
        return f"{base}，家屬電話 {phone}", phone
    return f"{base}，住臺北市大安區復興南路一段{rng.randint(1, 300)}號", "復興南路"


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f} texts/s"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--pii-rate", type=float, default=0.03)
    ap.add_argument("--baseline-n", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    texts, planted = [], []
    for i in range(args.n):
        if rng.random() < args.pii_rate:
            t, secret = with_pii(rng)
            planted.append((i, secret))
        else:
            t = clinical(rng)
        # a visit counter makes every text distinct: the worst case for de-duplication
        texts.append(f"{t} #{i}")
    repetitive = [t.rsplit(" #", 1)[0] for t in texts]

    t0 = time.perf_counter()
    scrub_texts(["病患陳大明 A123456789 電話0912-345-678"])
    print(f"cold start (engine, jieba, tables): {time.perf_counter() - t0:.2f} s")

    t0 = time.perf_counter()
    out = scrub_texts(texts)
    dt = time.perf_counter() - t0
    print(f"scrub_texts, {args.n:,} distinct texts, {args.pii_rate:.0%} with PII: {rate(args.n, dt)} ({dt:.2f} s)")
    leaks = [(i, s) for i, s in planted if s in out[i]]
    changed = sum(a != b for a, b in zip(texts, out))
    print(f"  planted identifiers: {len(planted):,}; surviving: {len(leaks)}; texts changed: {changed:,}")

    t0 = time.perf_counter()
    scrub_texts(repetitive)
    dt = time.perf_counter() - t0
    print(f"scrub_texts, {args.n:,} texts, {len(set(repetitive)):,} distinct: {rate(args.n, dt)} ({dt:.2f} s)")

    engine = analyzer()
    sample = texts[:args.baseline_n]
    t0 = time.perf_counter()
    for t in sample:
        engine.analyze(t, language="zh")
    dt_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    scrub_texts(sample)
    dt_ours = time.perf_counter() - t0
    print(f"plain Presidio AnalyzerEngine (same recognisers, every text), {len(sample):,} texts: "
          f"{rate(len(sample), dt_base)}")
    print(f"scrub_texts on the same {len(sample):,} texts: {rate(len(sample), dt_ours)}; "
          f"ratio {dt_base / dt_ours:.1f}x")

    # Chinese-name recall on random surname + two given characters, with and without context.
    given = "志明怡君建宏雅婷俊傑淑芬家豪美玲宗翰佳穎冠宇欣承恩詩涵柏宜蓁子晴品妍彥廷思妤宥辰"
    for label, frames in (("with context", ["病患{n}發燒", "家屬{n}陪同", "{n}先生頭痛", "轉介{n}醫師"]),
                          ("no context", ["{n}今天回診", "{n}咳嗽三天", "{n}，男，65歲", "與{n}討論病情"])):
        names = [rng.choice(SURNAMES + "周葉蘇莊呂江何蕭羅高潘簡朱") + "".join(rng.sample(given, 2)) for _ in range(500)]
        texts_n = [rng.choice(frames).format(n=n) for n in names]
        found = sum(any(n in h.text for h in hits if h.kind == "NAME")
                    for n, hits in zip(names, find_identifiers_batch(texts_n)))
        print(f"Chinese names found ({label}): {found / len(names):.1%} of {len(names)}")


if __name__ == "__main__":
    main()
