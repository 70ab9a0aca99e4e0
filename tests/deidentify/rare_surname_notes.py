"""Notes naming people whose surname opens ordinary words or is left out of the general list
(曹, 岳, 萬, 車, 高, 白, 金 …), with no context word around the name, and a control set of
clinical sentences that use those characters as ordinary words (D1, rare surnames).

``names(seed, n)`` → [(text, name)]: the name must be masked.  ``control()`` → sentences in
which nothing may be masked.  Deterministic for a seed.
"""
from __future__ import annotations

import random

# Surnames of the household registers' top 200 that the general list leaves out (their
# character opens common words), and listed ones whose character does so too.
UNLISTED = "曹莫萬岳車畢談宗艾華單全季商常辜成戚花時楚谷史向米齊苗"
WORD_OPENING = "高石田白金夏龍江溫古管戴方文包易左甘牛房祝武連唐馬程康童柳池雷伍章凌官任紀湯"
# Given names made of common given-name characters (two and one character).
GIVEN2 = ("國平", "雅婷", "志明", "明德", "美玲", "家豪", "淑芬", "俊傑", "怡君", "建宏", "宗翰", "欣怡",
          "佳穎", "冠宇", "詩涵", "承恩", "秀玉", "麗華", "春梅", "玉蘭", "文雄", "榮輝", "正義", "金鳳",
          "惠珍", "瑞祥", "素娥", "志豪", "美惠", "俊宏")
GIVEN1 = ("平", "婷", "傑", "玲", "豪", "芬", "鳳", "輝", "珍", "娟")

# Frames: {n} is the name, written without a context word before it.
FRAMES = (
    "{n}今天回診，血壓穩定。", "{n}主訴胸悶兩天。", "{n}血壓偏高，續觀察。", "S:{n} fall at home",
    "I:{n} B:DM", "{n}，男，72歲，因發燒入院。", "交班：{n}，術後第二天。", "{n}明早來辦出院。",
    "今天{n}回診追蹤。", "昨天{n}來電詢問報告。", "{n}表示頭暈改善。", "{n}自述夜間咳嗽。",
    "{n}、林美玲、陳志明今日出院。", "出院名單：{n}、張家豪", "{n}說藥吃完了。", "{n}血糖控制不佳。",
    "{n}因跌倒送急診。", "{n}已完成衛教。", "{n}拒絕抽血。", "床邊交班 {n} 生命徵象穩定",
    "{n}的女兒明天來接。", "{n}與家屬討論後同意手術。", "{n}今日體溫37.8。", "{n}，請追蹤腎功能。",
    "{n} 下午轉普通病房", "{n}來電改約。", "{n}尚未進食。", "{n}有糖尿病史。", "{n}仍訴腹痛。",
    "和{n}討論用藥。",
)


# Held out: written after the finder, other frames and given names (the honest figure).
FRAMES_HELD_OUT = (
    "{n}昨晚睡不好。", "{n}，女，81歲，CHF。", "SBAR S:{n} B:HTN A:stable", "{n}術後第一天，傷口乾。",
    "{n}仍有喘，O2 2L。", "下午{n}家屬來電。", "ISBAR I:{n}", "{n}跌倒，右髖疼痛。", "{n} 84F 胸痛",
    "{n}同意做胃鏡。", "{n}想回家。", "{n}的太太在陪病。", "今日{n}精神佳。", "{n}、{n2}同住。",
    "{n}：BP 150/90", "交接 {n} NPO", "{n}下週回門診。", "{n}會自行服藥。", "{n}覺得頭暈。",
    "{n}需要輪椅。", "由{n}陪同就醫。", "{n}在等床。", "{n}吃了半碗粥。", "{n}咳嗽有痰。",
)
GIVEN2_HELD_OUT = ("麗珠", "秀蘭", "志偉", "建國", "宏明", "淑惠", "玉珍", "雅雯", "俊賢", "美雲",
                   "明輝", "智勇", "文彬", "嘉慧", "家瑜", "佳蓉", "怡萱", "哲宇", "柏翰", "思妤")


def names(seed: int, n: int = 600, *, held_out: bool = False) -> list[tuple[str, str]]:
    """[(note, name)]: one name a note (a held-out list beside it is a second person)."""
    rnd = random.Random(seed)
    out = []
    surnames = UNLISTED + WORD_OPENING
    frames, given2 = (FRAMES_HELD_OUT, GIVEN2_HELD_OUT) if held_out else (FRAMES, GIVEN2)
    for k in range(n):
        s = surnames[k % len(surnames)]
        g = rnd.choice(given2) if rnd.random() < 0.8 else rnd.choice(GIVEN1)
        name = s + g
        other = rnd.choice(surnames) + rnd.choice(given2)
        out.append((rnd.choice(frames).format(n=name, n2=other), name))
    return out


# Ordinary words opening with those characters, as clinical notes write them.
WORDS = (
    "萬一", "車禍", "高血壓", "白血球", "金額", "方便", "文件", "石膏", "花費", "常常", "全身", "左側", "包紮",
    "田野", "易怒", "向來", "夏天", "龍眼", "江湖", "溫度", "古早", "管路", "戴口罩", "艾草", "米飯", "曹操",
    "岳父", "萬分", "車子", "全家", "全部", "常見", "高興", "高雄", "白天", "金門", "文明", "方法", "成功",
    "時間", "季節", "單純", "商量", "花蓮", "齊全", "莫名", "宗教", "華人", "谷底", "史上", "向上", "米粥",
    "苗栗", "楚楚", "戚戚", "辜負", "畢業", "談話", "常規", "全天", "高燒", "高度", "白蛋白", "金屬", "文字",
    "方向", "石頭", "田間", "夏季", "龍骨", "江邊", "溫水", "古老", "管灌", "戴眼鏡", "包括", "易於", "左手",
    "甘草", "牛奶", "房間", "祝福", "武術", "連續", "唐氏", "馬上", "程度", "康復", "童年", "柳丁", "池塘",
    "雷射", "伍氏", "章節", "凌晨", "官方", "任何", "紀錄", "湯匙", "岳母", "萬全", "車上", "華氏", "成人",
)
CONTROL_FRAMES = (
    "{w}需注意。", "病人{w}，續觀察。", "{w}後傷口乾燥。", "家屬表示{w}沒問題。", "今日{w}，無不適。",
    "{w}，血壓穩定。", "衛教{w}相關事項。", "{w}已說明。", "追蹤{w}情形。", "S:{w} O:stable",
)
SENTENCES = (
    "病人萬一跌倒要立即通知護理站。", "車禍後全身多處擦傷。", "高血壓控制良好，白血球正常。",
    "自付金額已告知家屬。", "行動不方便，需助行器。", "文件已交給社工。", "右手石膏固定中。",
    "住院花費由子女負擔。", "常常忘記吃藥。", "全身無力兩天。", "左側肢體無力。", "傷口包紮後無滲液。",
    "易怒、失眠，轉介身心科。", "向來身體健康。", "夏天容易中暑。", "喜歡吃龍眼乾。", "溫度37.5度。",
    "管路固定良好。", "外出請戴口罩。", "艾草泡腳後皮膚紅。", "米飯半碗。", "全家搬到高雄。",
    "高興地說要出院了。", "常見副作用已說明。", "白天嗜睡，夜間清醒。", "金門轉診來院。",
    "時間到再抽血。", "季節交替易過敏。", "單純疱疹，給予藥膏。", "商量後決定安寧照護。",
    "花蓮的女兒明早來。", "莫名胸悶。", "宗教信仰為佛教。", "華人常見的體質。", "心情跌到谷底。",
    "史上最熱的夏天。", "向上提升床頭。", "米粥少量進食。", "苗栗轉入。", "畢業後在工廠上班。",
    "談話中情緒平穩。", "常規抽血已完成。", "全天禁食。", "高燒不退。", "白蛋白偏低。", "文字說明已給。",
    "方向感差。", "石頭卡在輸尿管。", "夏季皮膚癢。", "溫水擦澡。", "古早味飲食。", "管灌飲食每日四次。",
    "左手打點滴。", "牛奶過敏。", "房間整潔。", "凌晨發燒。", "任何不適請告知。", "岳父陪同。",
    "岳母明天來。", "車上暈倒。", "全民健保給付。", "成人劑量。", "萬全準備。", "高度懷疑肺炎。",
    "包括血壓及血糖。", "易於疲倦。", "連續三天腹瀉。", "馬上通知醫師。", "程度輕微。", "康復良好。",
)


# Ordinary words whose second character is a given-name character, placed where a name would
# stand (sentence start, after a comma or a time word, before a verb): the hard cases.
HARD = (
    "全家今天來探望。", "全家明天來。", "高雄榮總轉入。", "白天來探視。", "金門來的病人。", "文明病衛教。",
    "方便時來電。", "常見於老人。", "成功戒菸。", "全程陪同。", "高明的手術。", "華美的衣服。", "全國平均值。",
    "高雅的房間。", "金華街附近。", "萬安演習停診。", "花生過敏。", "時間已到。", "季節性過敏。",
    "商量後同意。", "宗教人士來訪。", "史上最高。", "向來健康。", "苗栗來的。", "全民健保。", "常規檢查。",
    "高興地說要出院。", "早上全家來，下午回去。", "今天白天嗜睡。", "昨天全家到院。", "全家都來了。",
    "高血壓、高血脂、糖尿病。", "白血球、血小板正常。", "金額已繳清。", "溫度正常。", "石膏固定。",
    "成人劑量給予。", "時常頭暈。", "常常忘記。", "全身癢。", "左側無力。", "江湖郎中的偏方。",
    "文件已簽。", "龍眼乾少吃。", "古早味。", "管路通暢。", "包紮完成。", "易怒。", "向上提。", "夏天熱。",
    "萬一發燒請回診。", "車禍後來診。", "車上嘔吐。", "岳父來訪。", "曹操的故事。", "連續兩天發燒。",
    "馬上處理。", "程度中等。", "康復中。", "童年創傷。", "凌晨來電。", "官方說明。", "任何問題請來電。",
    "紀錄完成。", "湯匙餵食。", "武術課停課。", "祝福早日康復。", "牛奶過敏。", "甘草片。", "房間安靜。",
    "單純感冒。", "畢業典禮。", "談話順利。", "米粥。", "齊全。", "莫名緊張。", "華人。", "戚戚然。",
    # after a Han character a name may follow (是, 為, 叫, 等, 中 …)
    "是高雄來的。", "為全家人著想。", "等全身麻醉退了再說。", "對高血壓有效。", "叫全家來。", "問常見問題。",
    "給金額收據。", "找方便的時間。", "中文明顯進步。", "是常見的副作用。", "讓全家安心。", "幫忙換石膏。",
    "是成功的手術。", "等高燒退了再出院。", "是文明病。", "問時間。", "治療中全身倦怠。", "是車禍來的。",
)


def control() -> list[str]:
    """Sentences without names: every ordinary word in every frame, the plain sentences and the
    hard cases."""
    return [f.format(w=w) for w in WORDS for f in CONTROL_FRAMES[:5]] + list(SENTENCES) + list(HARD)
