"""Vocabularies for the synthetic generator: names, places, codes and free-text templates.

All characters are in Big5 so the same data can be written Big5-encoded.  Name characters are
chosen so that a full name (surname + two given characters) never occurs in the clinical phrases,
which keeps the leak scan free of false alarms.
"""
from __future__ import annotations

# (surname, weight in %): the most common Taiwanese surnames, roughly by frequency.
SURNAMES = [("陳", 11.1), ("林", 8.3), ("黃", 6.0), ("張", 5.3), ("李", 5.1), ("王", 4.1),
            ("吳", 4.0), ("劉", 3.2), ("蔡", 2.9), ("楊", 2.7), ("許", 2.3), ("鄭", 1.9),
            ("謝", 1.8), ("郭", 1.7), ("洪", 1.6), ("曾", 1.4), ("邱", 1.4), ("廖", 1.3),
            ("賴", 1.3), ("周", 1.2), ("徐", 1.1), ("蘇", 1.1), ("葉", 1.0), ("莊", 0.9),
            ("呂", 0.9), ("江", 0.9), ("何", 0.8), ("蕭", 0.8), ("羅", 0.8), ("高", 0.8),
            ("歐陽", 0.1), ("司馬", 0.05)]
GIVEN = list("志明雅婷怡君豪俊宏淑芬玲建宗翰佳穎冠宇詩涵承恩欣萱柏品妤彥廷晴嘉秀英麗傑"
             "信良靜琪瑋哲昱郁凱翔鈺珊振德蘭春鳳貞惠珍燕慧蓉瑜筠倫銘鴻峰")

# (city, two-digit code, districts, population share)
CITIES = [
    ("臺北市", "01", ["中正區", "大同區", "中山區", "松山區", "大安區", "萬華區", "信義區", "士林區",
                    "北投區", "內湖區", "南港區", "文山區"], 11.0),
    ("新北市", "31", ["板橋區", "三重區", "中和區", "永和區", "新莊區", "新店區", "土城區", "蘆洲區"], 17.0),
    ("桃園市", "32", ["桃園區", "中壢區", "平鎮區", "八德區", "楊梅區"], 9.5),
    ("臺中市", "06", ["西屯區", "北屯區", "南屯區", "豐原區", "大里區", "太平區"], 12.0),
    ("臺南市", "05", ["東區", "永康區", "安南區", "北區", "新營區"], 8.0),
    ("高雄市", "02", ["鳳山區", "三民區", "左營區", "苓雅區", "前鎮區", "楠梓區"], 11.8),
    ("基隆市", "11", ["仁愛區", "信義區", "中正區"], 1.6),
    ("新竹市", "12", ["東區", "北區", "香山區"], 1.9),
    ("新竹縣", "33", ["竹北市", "竹東鎮", "湖口鄉"], 2.4),
    ("苗栗縣", "35", ["苗栗市", "頭份市", "竹南鎮"], 2.3),
    ("彰化縣", "37", ["彰化市", "員林市", "和美鎮"], 5.3),
    ("南投縣", "38", ["南投市", "草屯鎮", "埔里鎮"], 2.1),
    ("雲林縣", "39", ["斗六市", "虎尾鎮", "西螺鎮"], 2.9),
    ("嘉義市", "22", ["東區", "西區"], 1.1),
    ("嘉義縣", "40", ["太保市", "民雄鄉", "朴子市"], 2.1),
    ("屏東縣", "43", ["屏東市", "潮州鎮", "東港鎮"], 3.5),
    ("宜蘭縣", "34", ["宜蘭市", "羅東鎮", "蘇澳鎮"], 1.9),
    ("花蓮縣", "45", ["花蓮市", "吉安鄉", "玉里鎮"], 1.4),
    ("臺東縣", "46", ["臺東市", "成功鎮", "關山鎮"], 0.9),
    ("澎湖縣", "44", ["馬公市", "湖西鄉"], 0.4),
    ("金門縣", "90", ["金城鎮", "金湖鎮"], 0.6),
    ("連江縣", "91", ["南竿鄉", "北竿鄉"], 0.1),
]
ROADS = ["中山路", "中正路", "民生路", "民權路", "復興路", "建國路", "和平東路", "忠孝東路", "仁愛路",
         "信義路", "光復路", "自由路", "成功路", "民族路", "公園路", "文化路", "大同路", "環河路"]

# ICD-10-CM (no dot) with relative weights; separate lists for under and over 50.
ICD_YOUNG = [("J069", 16), ("J029", 5), ("J209", 4), ("J309", 6), ("K219", 4), ("M545", 4),
             ("L309", 3), ("A090", 3), ("B349", 4), ("R51", 3), ("R05", 3), ("H1013", 2),
             ("F329", 2), ("G4700", 2), ("N390", 2), ("K5900", 2), ("J45909", 1), ("S0990XA", 1),
             ("O800", 1), ("K3580", 0.5), ("E039", 1), ("I10", 2), ("E119", 1.5), ("E785", 1.5),
             ("Z0000", 1), ("R1010", 1.5)]
ICD_OLD = [("I10", 12), ("E119", 9), ("E785", 8), ("J069", 6), ("K219", 4), ("M545", 3),
           ("M1990", 4), ("I2510", 3), ("N400", 2.5), ("M810", 2), ("E1122", 2), ("N184", 1.5),
           ("I4891", 1.2), ("I639", 1), ("I5020", 0.8), ("C509", 0.6), ("C3490", 0.5),
           ("J189", 1.2), ("G4700", 2), ("R42", 2), ("K5900", 2), ("H2510", 1.5), ("F329", 1),
           ("J449", 1.5), ("R51", 1)]
# Tw-DRG codes used for admissions
DRGS = ["12701", "08901", "14001", "37101", "11601", "20801", "08801", "09001"]
FEE_CODES = ["00101B", "00109C", "01021C", "08011C", "09001C", "09005C", "09015C", "09026C",
             "12015C", "47017C", "57001B", "33070B", "32001C"]
DRUG_PREFIXES = ["AC", "AB", "AA", "BC", "NC", "KC", "BB", "AN"]
BODY_PARTS = {"CT": ["CHEST", "HEAD", "ABDOMEN"], "CR": ["CHEST", "KNEE", "SPINE"],
              "MR": ["BRAIN", "KNEE", "SPINE"], "DX": ["CHEST", "HAND"], "US": ["ABDOMEN"],
              "MG": ["BREAST"]}

# Free text.  {name} {phone} {id} {addr} {email} {date} {staff} are filled from the person.
CC_PLAIN = ["咳嗽三天，有痰", "發燒兩天，喉嚨痛", "頭暈，血壓偏高", "腹痛，腹瀉一天", "糖尿病回診拿藥",
            "腰痛一週", "皮膚癢疹，夜間加劇", "胸悶心悸", "流鼻水打噴嚏", "膝關節疼痛", "失眠兩週",
            "慢性病連續處方箋領藥", "頻尿，解尿疼痛", "右眼紅癢"]
CC_PII = ["病人{name}自述咳嗽三天", "{name}，電話{phone}，頭痛兩天", "身分證{id}回診拿藥",
          "家屬陪同，聯絡電話{phone}", "患者{name}（{id}）發燒", "聯絡信箱{email}，追蹤血糖"]
DS_PLAIN = ["因肺炎入院，給予抗生素治療，病情穩定出院，門診追蹤。",
            "因急性腸胃炎住院，補充水分後改善出院。",
            "冠狀動脈疾病接受心導管檢查，術後恢復良好。",
            "糖尿病血糖控制不佳住院調整胰島素，出院衛教。"]
DS_PII = ["病患{name}因肺炎入院，病情穩定出院。聯絡電話{phone}。",
          "{name}（身分證字號{id}）術後恢復良好，住址：{addr}。",
          "出院後由家屬照顧，聯絡人電話{phone}，信箱{email}。",
          "病人{name}住院期間由{staff}醫師照護，門診追蹤。"]
PA_PLAIN = ["{date} 執行", "{date} 給藥完成", "{date} 停用", "{date} 檢驗送出"]
PA_PII = ["{date} 家屬{name}同意，電話{phone}", "{date} 由{staff}執行給藥", "{date} 病人{id}拒絕服藥"]
REPORT_PLAIN = ["No acute cardiopulmonary lesion.", "肺野清晰，無明顯異常。", "輕度退化性變化。"]
REPORT_PII = ["病人{name}胸部影像：無明顯異常。", "Patient {id}: mild cardiomegaly. 聯絡電話{phone}"]

# Lab and exam items (檢驗檢查): NHI fee-schedule code, item name, unit, reference range text,
# low / high limits (None: open), mean and SD of the results, decimals, lowest value.
LAB_NUMERIC = [
    ("09005C", "Glucose AC", "mg/dL", "70-99", 70, 99, 105, 30, 0, 40),
    ("09006C", "HbA1c", "%", "4.0-5.6", 4.0, 5.6, 6.1, 1.1, 1, 3.5),
    ("09001C", "T-Cholesterol", "mg/dL", "<200", None, 200, 190, 38, 0, 80),
    ("09004C", "Triglyceride", "mg/dL", "<150", None, 150, 135, 70, 0, 30),
    ("09015C", "Creatinine", "mg/dL", "0.7-1.3", 0.7, 1.3, 1.0, 0.4, 2, 0.3),
    ("09002C", "BUN", "mg/dL", "7-20", 7, 20, 15, 6, 0, 3),
    ("09025C", "GOT(AST)", "U/L", "<40", None, 40, 27, 15, 0, 8),
    ("09026C", "GPT(ALT)", "U/L", "<40", None, 40, 28, 18, 0, 5),
    ("09043C", "HDL-C", "mg/dL", ">40", 40, None, 50, 13, 0, 15),
    ("09044C", "LDL-C", "mg/dL", "<130", None, 130, 115, 35, 0, 30),
    ("08011C", "WBC", "10^3/uL", "4.0-10.0", 4.0, 10.0, 7.0, 2.2, 1, 1.5),
    ("08011C", "Hb", "g/dL", "12.0-16.0", 12.0, 16.0, 13.5, 1.8, 1, 6.0),
    ("08011C", "PLT", "10^3/uL", "150-400", 150, 400, 250, 70, 0, 20),
    ("12015C", "CRP", "mg/dL", "<0.5", None, 0.5, 0.5, 0.9, 2, 0.01),
]
# text results: code, item, reference, [(result, weight)]; the first result is the normal one
LAB_TEXT = [
    ("06013C", "Urine protein", "Negative", [("Negative", 80), ("Trace", 10), ("1+", 6), ("2+", 4)]),
    ("14032C", "HBsAg", "Negative", [("Negative", 88), ("Positive", 12)]),
    ("18001C", "ECG", "", [("Normal sinus rhythm", 70), ("Sinus tachycardia", 10),
                           ("Sinus bradycardia", 10), ("Left ventricular hypertrophy", 5),
                           ("Atrial fibrillation", 5)]),
    ("19001C", "腹部超音波", "", [("未見異常", 55), ("輕度脂肪肝", 30), ("膽結石", 8), ("肝囊腫", 7)]),
]
LAB_PLAIN = ["檢體溶血，建議重抽", "空腹採檢", "結果已複驗", "檢體量不足，僅部分項目", "危急值已通知醫師",
             "Specimen lipemic", "Repeat test confirmed"]
LAB_PII = ["危急值已電話通知病人{name}，電話{phone}", "病人{id}檢體重抽", "報告已通知家屬{name}",
           "{staff}醫檢師複驗，聯絡信箱{email}", "Critical value called to {phone}"]
# 就醫序號 exception codes written when the card could not be used normally
VISIT_SEQ_EXCEPTIONS = ["A000", "A001", "A010", "A011", "E000"]

# Fee schedule (醫療服務給付項目及支付標準): code, Chinese name, English name, points in force.
FEE_SCHEDULE = [
    ("00101B", "門診診察費（一）", "Outpatient consultation fee I", 362),
    ("00109C", "門診診察費（二）", "Outpatient consultation fee II", 254),
    ("01021C", "急診診察費", "Emergency consultation fee", 469),
    ("06013C", "尿一般檢查", "Urinalysis, routine", 75),
    ("08011C", "全套血液檢查", "Complete blood count", 200),
    ("09001C", "總膽固醇", "Total cholesterol", 75),
    ("09002C", "血中尿素氮", "Blood urea nitrogen", 45),
    ("09004C", "三酸甘油脂", "Triglyceride", 75),
    ("09005C", "血液葡萄糖", "Glucose", 45),
    ("09006C", "醣化血紅素", "Glycated haemoglobin (HbA1c)", 200),
    ("09015C", "肌酸酐", "Creatinine", 45),
    ("09025C", "天門冬胺酸轉胺酵素", "AST (GOT)", 45),
    ("09026C", "丙胺酸轉胺酵素", "ALT (GPT)", 45),
    ("09043C", "高密度脂蛋白膽固醇", "HDL cholesterol", 200),
    ("09044C", "低密度脂蛋白膽固醇", "LDL cholesterol", 200),
    ("12015C", "C反應性蛋白", "C-reactive protein", 200),
    ("14032C", "B型肝炎表面抗原", "Hepatitis B surface antigen", 200),
    ("18001C", "心電圖", "Electrocardiogram", 150),
    ("19001C", "腹部超音波", "Abdominal ultrasound", 900),
    ("32001C", "胸部X光", "Chest X-ray", 200),
    ("33070B", "電腦斷層造影", "Computed tomography", 3500),
    ("47017C", "換藥", "Wound dressing", 60),
    ("57001B", "呼吸治療", "Respiratory therapy", 300),
]
# Drug benefit items (藥品給付項目): ingredient, strength, English form, Chinese form, ATC code,
# typical price per unit (points), Chinese product name.
DRUG_ITEMS = [
    ("Amlodipine", "5MG", "TABLETS", "錠劑", "C08CA01", 3.6, "脈寧錠"),
    ("Metformin", "500MG", "TABLETS", "錠劑", "A10BA02", 2.0, "糖寧錠"),
    ("Atorvastatin", "20MG", "F.C. TABLETS", "膜衣錠", "C10AA05", 11.5, "降脂膜衣錠"),
    ("Losartan", "50MG", "F.C. TABLETS", "膜衣錠", "C09CA01", 6.2, "壓平膜衣錠"),
    ("Acetaminophen", "500MG", "TABLETS", "錠劑", "N02BE01", 1.5, "解熱錠"),
    ("Omeprazole", "20MG", "CAPSULES", "膠囊劑", "A02BC01", 7.8, "胃寧膠囊"),
    ("Amoxicillin", "500MG", "CAPSULES", "膠囊劑", "J01CA04", 2.6, "安莫西林膠囊"),
    ("Cetirizine", "10MG", "TABLETS", "錠劑", "R06AE07", 2.0, "敏治錠"),
    ("Glimepiride", "2MG", "TABLETS", "錠劑", "A10BB12", 4.1, "糖利錠"),
    ("Aspirin", "100MG", "E.C. TABLETS", "腸溶錠", "B01AC06", 1.5, "阿斯匹靈腸溶錠"),
    ("Famotidine", "20MG", "TABLETS", "錠劑", "A02BA03", 1.8, "胃舒錠"),
    ("Diclofenac", "25MG", "E.C. TABLETS", "腸溶錠", "M01AB05", 1.5, "消炎腸溶錠"),
    ("Ceftriaxone", "1G", "INJECTION", "注射劑", "J01DD04", 98.0, "頭孢注射劑"),
    ("Insulin glargine", "100IU/ML", "INJECTION", "注射劑", "A10AE04", 346.0, "長效胰島素注射劑"),
    ("Salbutamol", "100MCG", "INHALER", "吸入劑", "R03AC02", 142.0, "氣管擴張吸入劑"),
    ("Zolpidem", "10MG", "F.C. TABLETS", "膜衣錠", "N05CF02", 5.2, "安眠膜衣錠"),
]
