"""Hand-written notes in the style of real records; ``{{CLASS:text}}`` marks an identifier,
``[[KIND:text]]`` a distractor that must stay."""
from __future__ import annotations

import re

from tests.deidentify.eval.notes import Case

NOTES = [
    ("outpatient", "S: 72歲男性，{{NAME:滕振邦}}先生，因[[CLINICAL:高血壓]]控制不佳回診。O: BP 168/92。A: [[ICD:I10]]。P: 加開 [[DRUG:Amlodipine]] 5 mg QD，兩週後回診。"),
    ("outpatient", "病患{{NAME:粘雅琪}}（病歷號 {{MRN:0034127}}），主訴右膝疼痛，X光示退化性關節炎，[[CLINICAL:石膏]]固定後返家。"),
    ("outpatient", "Pt {{NAME:Lin Yi-chen}} c/o cough x 3 days. DOB {{DOB:1958/07/21}}. Dx [[ICD:J06.9]]. Rx [[DRUG:Augmentin]] 1# TID."),
    ("discharge", "出院摘要：個案{{NAME:陳林秀英}}，{{DOB:民國32年5月8日}}生，住{{ADDRESS:臺南市永康區中華路 425巷 7號 3樓之1}}。入院診斷[[ICD:J18.9]]，[[CLINICAL:白血球]]上升，經 [[DRUG:Ceftriaxone]] 治療後改善。"),
    ("discharge", "Discharge summary: Mr. {{NAME:Chen Ta-wei}} (chart no. {{MRN:A2219834}}) admitted for STEMI, s/p PCI at [[HOSPITAL:林口長庚]]. Follow-up at [[DEPT:心臟內科]] OPD."),
    ("nursing", "護理紀錄：案母{{NAME:美惠}}陪伴在側，表示案子{{NAME:阿哲}}昨夜睡眠差。家屬手機 {{PHONE:0933.128.456}}，[[CLINICAL:管路]]固定良好。"),
    ("nursing", "交班：病人{{NAME:巴奈‧庫穗}}，原住民，住{{ADDRESS:花蓮縣秀林鄉富世村12鄰富世 157號}}，主要照顧者為女兒{{NAME:莎韻}}（電話 {{PHONE:03-8612345}}）。"),
    ("radiology", "CT abdomen: 3.2 cm hypodense lesion in liver S7. 申請醫師：{{NAME:闕俊宏}}醫師。報告醫師 {{NAME:WANG, HSIAO-MING}}。Impression: r/o HCC, 建議 MRI。"),
    ("radiology", "胸部X光：左下肺浸潤。比較 [[VISIT_DATE:113.02.14]] 片子，範圍增加。主治醫師{{NAME:冉家瑜}}已告知。"),
    ("referral", "敬啟者：茲轉介病人{{NAME:佘美蘭}}女士（身分證 {{ID:F 2 2 3 4 5 6 7 8 6}}，生日 {{DOB:039/11/23}}）至貴院[[DEPT:血液腫瘤科]]，聯絡電話 {{PHONE:(02)2771-3456}}。"),
    ("referral", "Referral: to Dr. {{NAME:Sarah Johnson}}, [[DEPT:復健科]], re: {{NAME:Xiaoming Wang}}, NHI card {{NHI_CARD:0000 1234 5678}}, tel {{PHONE:+886 912 345 678}}."),
    ("lab", "檢驗備註：檢體溶血，已通知{{NAME:林}}護理師重抽。[[LAB:K 5.8 mmol/L]]（溶血影響）。"),
    ("lab", "Lab comment: critical value [[LAB:K 6.2]] reported to Dr. {{NAME:Huang}} by phone at 14:20; 回報者 {{NAME:蔡宜蓁}}。"),
    ("mixed", "A/P: DM f/u，[[LAB:HbA1c 8.4%]]，加 [[DRUG:Insulin glargine]] 10 U HS。家屬 {{NAME:Wang Xiaoming}} 同意。e-mail {{EMAIL:wxm1975@gmail.com}}"),
    ("mixed", "S/O: 病人 s/p TKR，主治{{NAME:歐陽志遠}}醫師查房，plan: 出院，回診[[VISIT_DATE:2024/03/15]]。病歷號碼：{{MRN:12-3456-7}}"),
    ("outpatient", "個案{{NAME:王明}}（{{ID:ａ１２３４５６７８９}}），[[CLINICAL:黃疸]]待查，安排腹部超音波。聯絡人{{NAME:王陳素珠}}，{{PHONE:2771 5566}}（市話）。"),
    ("discharge", "住院經過：入院後[[CLINICAL:高燒]]不退，血液培養陽性，會診[[DEPT:感染科]]。出院帶藥 [[DRUG_CODE:BC23456100]] [[DRUG:Levofloxacin]] 500 mg QD。"),
    ("nursing", "夜班：個案躁動，家屬{{NAME:小芬}}在旁安撫。案家住址{{ADDRESS:屏東縣三地門鄉大武村 3 鄰 22 號}}，返家需長照資源。"),
    ("referral", "轉診單：病患姓名：{{NAME:蒲雅雯}}　出生日期：{{DOB:1988-02-29}}　身分證號：{{ID:Q2 8765 4328}}　地址：{{ADDRESS:高雄市 鳳山區 光復路二段 132號 B1}}"),
    ("radiology", "MRI L-spine: L4-5 HNP. Referring physician: {{NAME:Yi-Ling Chen}}; patient {{NAME:CHANG CHIH WEI}}, MRN {{MRN:8834521}}."),
    ("outpatient", "外籍看護{{NAME:Siti Rahayu}}陪同，居留證 {{ID:AC01234567}}。目前服用 [[DRUG_CODE:AC45856100]] 及 [[DRUG:Metformin]]。"),
    ("lab", "報告說明：[[ORDER:09005C]] 血糖 [[LAB:血糖 236 mg/dL]]，通知{{NAME:簡}}醫師。"),
    ("mixed", "Hx: HTN, DM，[[CLINICAL:方案]]討論後採保守治療。Family: {{NAME:Lee, Mei-Hua}} (daughter), {{PHONE:0912-345-678}}."),
    ("discharge", "出院指導：回診[[DEPT:家醫科]]，若有[[CLINICAL:白內障]]症狀加劇請提早回診。緊急聯絡人：{{NAME:莊國榮}}，{{PHONE:00886-2-2312-3456}}。"),
    ("nursing", "護理評估：病人{{NAME:瓦歷斯·諾幹}}意識清楚，家屬{{NAME:陳}}先生、{{NAME:陳}}太太輪流照顧。"),
    ("referral", "茲有{{NAME:卜志強}}君，民國 {{DOB:45年6月1日}}生，住{{ADDRESS:南投縣信義鄉東埔村5鄰一鄰路 88 號}}，因[[CLINICAL:高血壓]]轉介。"),
    ("outpatient", "病歷號：{{MRN:P1234567}}，健保卡號：{{NHI_CARD:000098765432}}，病人{{NAME:寇欣怡}}，Email {{EMAIL:KOU.HY@MS1.HINET.NET}}。"),
    ("mixed", "S: 病人自述[[CLINICAL:江湖]]郎中給藥後不適。O: [[LAB:ALT 120 U/L]]。A: drug-induced hepatitis。"),
    ("radiology", "Bone scan: multiple mets. 報告：{{NAME:遲 佳 穎}}醫師"),
    ("lab", "Specimen from {{NAME:Michael O'Brien}}, collected [[VISIT_DATE:2025-01-05]], accession [[LAB:WBC 12000/uL]]."),
    # issue 14, session 9: forms that leaked from notes no test had seen
    ("referral", "轉診單：病患 {{NAME:Lin, Mei-Hua}}，身分證字號 {{ID:F123456788}}（檢查碼待確認），護照號碼 {{ID:312345678}}，轉[[DEPT:家醫科]]。"),
    ("discharge", "Addr: {{ADDRESS:3F., No. 12, Alley 5, Lane 100, Minquan Rd., Xinyi Dist., Taipei City 110}}; [[CLINICAL:高血壓]] f/u."),
    ("nursing", "家屬（兒子）{{NAME:鄭家豪}} LINE ID: {{ACCOUNT:jiahao0815}}，白天可聯絡；[[CLINICAL:管路]]固定良好。"),
    ("outpatient", "個案生日為{{DOB:七十二年五月十日}}，陪病者{{NAME:許雅婷}}，身分證末四碼 {{ID:6789}}。"),
    ("mixed", "病人騎機車（車號 {{PLATE:MAB-2231}}）自撞，由救護車送至[[HOSPITAL:馬偕紀念醫院]]。"),
    ("lab", "系統紀錄：報告自 {{IP:10.20.30.44}} 上傳，影像連結 {{URL:https://pacs.example.org/view?pid=998877}}。[[LAB:CRP 5.2 mg/dL]]"),
    ("nursing", "本院員工（護理部 {{NAME:王OO}}）住院，要求保密；老太太姓{{NAME:歐陽}}，名{{NAME:美惠}}。"),
    ("referral", "The patient's daughter, {{NAME:Mei-Ling}}, will pick him up. 簽署人：{{NAME:王　小　明}}。"),
    ("mixed", "補助款匯入銀行帳號 {{ACCOUNT:012-345678-901}}，由案女代領；IG: {{ACCOUNT:amy.lee88}}。"),
]

_MARK = re.compile(r"\{\{([A-Z_]+):([^}]*)\}\}|\[\[([A-Z_]+):([^\]]*)\]\]")


def cases() -> list[Case]:
    out = []
    for note_type, marked in NOTES:
        c = Case(note_type)
        pos = 0
        for m in _MARK.finditer(marked):
            c.add(marked[pos:m.start()])
            if m.group(1):
                c.pii(m.group(1), m.group(2), "handwritten")
            else:
                c.dist(m.group(3), m.group(4))
            pos = m.end()
        c.add(marked[pos:])
        out.append(c)
    return out
