"""Common drugs however a table names them: ATC code, generic name, Chinese name or a brand
sold in Taiwan (E3: a renamed drug must not unlink two releases).

The lead's probe of 6 December: 40 persons on "metformin", then 42 on "A10BA02", passed, as
did 「二甲雙胍」 and "Glucophage".  The table holds the drugs most prescribed for the chronic
diseases NHI studies are about (diabetes, hypertension, lipids, anticoagulation, gout,
thyroid, pain); a drug outside it is compared as written.  Labels are folded as
``linking.fold`` folds them (case and spaces away); one name per drug, its ATC code.
"""
from __future__ import annotations

# ATC code: (generic names, Chinese names, brands)
_DRUGS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "a10ba02": (("metformin", "metforminhcl", "metforminhydrochloride"), ("二甲雙胍",), ("glucophage", "glucomin")),
    "a10bb09": (("gliclazide",), ("格列齊特",), ("diamicron",)),
    "a10bb12": (("glimepiride",), ("格列美脲",), ("amaryl",)),
    "a10bg03": (("pioglitazone",), ("吡格列酮",), ("actos",)),
    "a10bh01": (("sitagliptin",), ("西格列汀",), ("januvia",)),
    "a10bh05": (("linagliptin",), ("利格列汀",), ("trajenta",)),
    "a10bk01": (("dapagliflozin",), ("達格列淨",), ("forxiga", "farxiga")),
    "a10bk03": (("empagliflozin",), ("恩格列淨",), ("jardiance",)),
    "a10ae04": (("insulinglargine", "glargine"), ("甘精胰島素",), ("lantus", "toujeo")),
    "c10aa05": (("atorvastatin",), ("阿托伐他汀",), ("lipitor",)),
    "c10aa07": (("rosuvastatin",), ("瑞舒伐他汀",), ("crestor",)),
    "c10aa01": (("simvastatin",), ("辛伐他汀",), ("zocor",)),
    "c08ca01": (("amlodipine", "amlodipinebesylate"), ("氨氯地平",), ("norvasc",)),
    "c09ca01": (("losartan",), ("氯沙坦",), ("cozaar",)),
    "c09ca03": (("valsartan",), ("纈沙坦",), ("diovan",)),
    "c07ab07": (("bisoprolol",), ("比索洛爾",), ("concor",)),
    "c03ca01": (("furosemide", "frusemide"), ("呋塞米",), ("lasix",)),
    "b01ac06": (("aspirin", "acetylsalicylicacid", "asa"), ("阿斯匹靈", "阿司匹林"), ("bokey", "bayaspirin")),
    "b01ac04": (("clopidogrel",), ("氯吡格雷",), ("plavix",)),
    "b01aa03": (("warfarin",), ("華法林",), ("coumadin",)),
    "b01af01": (("rivaroxaban",), ("利伐沙班",), ("xarelto",)),
    "b01af02": (("apixaban",), ("阿哌沙班",), ("eliquis",)),
    "b01ae07": (("dabigatran",), ("達比加群",), ("pradaxa",)),
    "m04aa01": (("allopurinol",), ("別嘌醇",), ("zyloric",)),
    "m04aa03": (("febuxostat",), ("非布司他",), ("feburic", "uloric")),
    "h03aa01": (("levothyroxine", "levothyroxinesodium", "thyroxine"), ("左旋甲狀腺素",), ("eltroxin", "synthroid")),
    "n02be01": (("acetaminophen", "paracetamol"), ("乙醯胺酚", "對乙酰氨基酚"), ("panadol", "scanol", "tylenol")),
    "a02bc01": (("omeprazole",), ("奧美拉唑",), ("losec",)),
    "a02bc05": (("esomeprazole",), ("埃索美拉唑",), ("nexium",)),
}


def _entries() -> dict[str, tuple[str, ...]]:
    return {atc: (atc, *generic, *zh, *brands) for atc, (generic, zh, brands) in _DRUGS.items()}


_TO_ATC = {label: atc for atc, labels in _entries().items() for label in labels}


def canonical(label: str) -> str | None:
    """The drug's ATC code for a folded ``label`` (code, generic, Chinese or brand name), or None."""
    return _TO_ATC.get(label)
