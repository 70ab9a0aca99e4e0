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
    # issue 14, session 11: fifty notes in other styles (emergency, social work, consent, pathology,
    # psychiatry, home care, insurance appeals), written before the scrubber was changed for them
    ("outpatient", "急診檢傷：{{DOB:58.03.12}}生之女性，由119送入，自述胸痛2小時。身分證{{ID:h 2 2 1 0 3 4 5 6 7}}，[[ICD:I20.0]]待排除，[[DRUG:Aspirin]] 300 mg 嚼服。"),
    ("outpatient", "ER note: 病人{{NAME:邰曉雯}}，意識清醒，GCS 15，[[LAB:Troponin I 0.02 ng/mL]]。聯絡 {{PHONE:0921.556.789}}。"),
    ("nursing", "社工紀錄：案主{{NAME:黎秀鳳}}與案夫{{NAME:龔文雄}}同住，經濟來源為低收入戶補助，住所位於{{ADDRESS:雲林縣口湖鄉下崙村7鄰}}。"),
    ("nursing", "家訪：案家位於{{ADDRESS:嘉義縣番路鄉公田村10鄰 45之2號}}，案孫{{NAME:阿凱}}協助翻身，主要照顧者{{NAME:林黃玉蘭}}女士。"),
    ("referral", "同意書：立同意書人{{NAME:詹益銘}}（病人之子），身分證統一編號{{ID:Ｒ１２２３３４４５６}}，電話{{PHONE:(07)381-2233}}，已了解[[CLINICAL:心導管]]風險。"),
    ("referral", "法定代理人：{{NAME:溫淑惠}}，與病人關係：配偶。聯絡地址：{{ADDRESS:新北市 板橋區 文化路一段 188巷 12弄 5號 地下一樓}}。"),
    ("lab", "病理報告：Specimen: stomach, biopsy。Diagnosis: [[ICD:C16.9]] adenocarcinoma。病理醫師：{{NAME:蕭 志 明}}；送檢醫師：{{NAME:潘怡君}}。"),
    ("lab", "Surgical pathology #S113-04521. Patient: {{NAME:Kao Chun Hsien}}; DOB {{DOB:12/05/1961}}; chart {{MRN:00875632}}. Dx: [[ICD:C18.7]]."),
    ("outpatient", "精神科會談：個案{{NAME:品妤}}表示最近常失眠，與男友{{NAME:俊傑}}爭吵。[[DRUG:Sertraline]] 50 mg QD，[[CLINICAL:情緒]]低落。"),
    ("outpatient", "Psych consult: pt's mother Mrs. {{NAME:Liao}} reports pt stopped [[DRUG:Lithium]]. Pt's sister {{NAME:Jessica Liao}} lives at {{ADDRESS:台中市西屯區市政北二路 238號 12樓}}."),
    ("nursing", "居家護理：{{NAME:莊}}阿嬤今日血壓 142/86，[[LAB:血糖 180 mg/dL]]；家中電話{{PHONE:2345 6789}}，女兒手機{{PHONE:0988 123 456}}。"),
    ("nursing", "訪視對象：{{NAME:林 淑 芬}}，民國{{DOB:四十一年二月三日}}出生，獨居於{{ADDRESS:宜蘭縣大同鄉英士村 2 鄰 英士 15 號}}。"),
    ("referral", "申復說明：保險對象{{NAME:符家豪}}，健保卡號{{NHI_CARD:0000-4567-8912}}，身分證號{{ID:A 123 456 789}}，於[[VISIT_DATE:113/05/02]]就診，申報[[ORDER:47041C]]。"),
    ("referral", "Appeal: Beneficiary {{NAME:Huang Mei Ling}}, ID no. {{ID:b223456781}}, NHI card no. {{NHI_CARD:000045671234}}, service date [[VISIT_DATE:2024-06-18]], code [[ORDER:18005C]]."),
    ("outpatient", "門診：{{NAME:欒瑞祥}}先生，[[ICD:E11.9]]，[[LAB:HbA1c 7.9%]]，續用[[DRUG:Metformin]] 500mg BID。病歷號{{MRN:2024-018832}}。"),
    ("outpatient", "S: 病人{{NAME:佟若涵}}主訴頭痛。病患{{NAME:晏子軒}}的母親陪同。O: BP 118/76。P: [[DRUG:Acetaminophen]] 500 mg PRN。"),
    ("outpatient", "主治醫師{{NAME:查文正}}：建議[[DEPT:神經內科]]追蹤；住院醫師{{NAME:嵇佳玲}}記錄。"),
    ("outpatient", "病患家屬{{NAME:陳大文}}、{{NAME:陳小文}}及{{NAME:李美玉}}均在場，說明[[CLINICAL:手術]]風險。"),
    ("outpatient", "藥師諮詢：{{NAME:孫}}小姐詢問[[DRUG:Warfarin]]與[[DRUG:葉酸]]交互作用，[[LAB:INR 2.8]]。"),
    ("outpatient", "護理師{{NAME:曾怡萱}}量測生命徵象；[[CLINICAL:曾經]]有藥物過敏史（[[DRUG:Penicillin]]）。"),
    ("outpatient", "病人{{NAME:吳陳月娥}}，{{DOB:1939年12月8日}}生，居留證號{{ID:FC 0123 4567}}之外籍配偶{{NAME:Nguyen Thi Lan}}陪同。"),
    ("outpatient", "Dr. {{NAME:Robert Miller}} from [[HOSPITAL:台大醫院]] called re: pt {{NAME:Tsai Wen Hsiung}}; callback {{PHONE:+886-2-2312-3456 ext 6601}}."),
    ("discharge", "出院病摘：{{NAME:尤美華}}，病歷號碼 No.{{MRN:0456721}}，入院日[[VISIT_DATE:2024/11/02]]，出院日[[VISIT_DATE:2024/11/09]]，[[ICD:N39.0]] UTI，[[DRUG:Cefazolin]] 1 g q8h。"),
    ("discharge", "主要照護者：媳婦{{NAME:Maria Santos}}（菲律賓籍）；聯絡電話：{{PHONE:886-937-112-233}}；回診[[DEPT:泌尿科]]。"),
    ("discharge", "病人為{{NAME:Yapit Tali}}（泰雅族），傳統名{{NAME:尤幹·達利}}，戶籍{{ADDRESS:桃園市復興區三光里 6 鄰 爺亨 30 號}}。"),
    ("nursing", "交班：12床{{NAME:翁}}伯伯夜間躁動，已約束；13床{{NAME:甄美琪}}術後疼痛 VAS 6，給予[[DRUG:Morphine]] 2 mg IV。"),
    ("nursing", "家屬來電（{{PHONE:04-2201-5566}}）詢問探病時間，自稱是病人{{NAME:卓志豪}}的舅舅{{NAME:邵明德}}。"),
    ("nursing", "{{NAME:小美}}（案女）今日來院，帶來[[CLINICAL:安寧]]意願書。"),
    ("nursing", "住址更新：{{ADDRESS:臺北市中正區重慶南路1段 122號 B2}}；{{ADDRESS:新竹縣尖石鄉玉峰村}}老家暫無人居住。"),
    ("radiology", "CXR PA: no active lung lesion. Ordered by Dr {{NAME:Chang Ming Hui}}, reported by Dr. {{NAME:Emily Carter}}. Compared with [[VISIT_DATE:2023.08.15]]."),
    ("radiology", "影像號 [[ORDER:33070B]]：右腎結石 0.8 cm。受檢者{{NAME:祁立偉}}，出生{{DOB:1975.10.03}}。"),
    ("lab", "檢驗：[[LAB:Cr 1.4 mg/dL]]，[[LAB:eGFR 48]]；通知值班醫師{{NAME:鄔建國}}（分機 [[LAB:5521]]）。"),
    ("lab", "Critical: [[LAB:Na 118 mmol/L]] called to RN {{NAME:Chiu Ya Ting}} at 02:15."),
    ("referral", "轉介至[[HOSPITAL:高雄榮總]][[DEPT:放射腫瘤科]]：病人{{NAME:柴慧玲}}，{{ID:E2 2 0 1 1 2 2 3 3}}，手機{{PHONE:0912 345678}}，{{EMAIL:chai.hl@yahoo.com.tw}}。"),
    ("referral", "病人{{NAME:羅}}先生（{{DOB:民國七十年}}次），住{{ADDRESS:澎湖縣白沙鄉後寮村}}，轉診[[DEPT:骨科]]。"),
    ("mixed", "處方：[[DRUG_CODE:AC12345100]] [[DRUG:Lipitor]] 20mg QD；[[DRUG_CODE:BC24681357]]；[[DRUG_CODE:AB49361100]]。"),
    ("mixed", "[[DRUG_CODE:AC58123100]] 1# QD x 28d; [[DRUG_CODE:NC00123456]]."),
    ("mixed", "病人{{NAME:郝靜怡}}（{{ID:G220123456}}）今日[[CLINICAL:黃疸]]改善，[[CLINICAL:白血球]]下降，[[CLINICAL:高燒]]已退，[[CLINICAL:石膏]]拆除。"),
    ("mixed", "家族史：父{{NAME:方國華}}（[[ICD:I25.10]]），母{{NAME:方林美雲}}（[[ICD:E11.9]]），[[CLINICAL:方案]]待討論。"),
    ("mixed", "聯絡方式：室內 {{PHONE:02 2771 3456}}、行動 {{PHONE:0918-22-3344}}、國際 {{PHONE:00886 918 223 344}}。"),
    ("mixed", "Pt {{NAME:Liu Chih Hao}} and wife {{NAME:Liu Wang Shu Fen}} attended; email {{EMAIL:liu_ch@ntu.edu.tw}}."),
    ("mixed", "病患{{NAME:歐陽娜娜}}，生日{{DOB:88/1/5}}（民國），{{ADDRESS:台北市信義區松仁路 100號 地下二樓}}。"),
    ("mixed", "健保IC卡號 {{NHI_CARD:0000 5555 1234}} 讀卡失敗，改以身分證 {{ID:M1.2345.6789}} 查詢。"),
    ("mixed", "緊急聯絡人{{NAME:汪美玲}}（母），{{PHONE:0955-123-456}}；[[CLINICAL:江湖]]醫術不可信。"),
    ("mixed", "Old ARC {{ID:HD12345678}} renewed as {{ID:H812345678}}; pt {{NAME:Sari Dewi}} works as caregiver."),
    ("mixed", "病人{{NAME:柯}}女士與先生{{NAME:韓志明}}到院；[[CLINICAL:柯氏]]徵候陰性。"),
    ("mixed", "主訴：{{NAME:阿嬌}}姨摔倒；用藥：[[DRUG:Amlodipine]] 5 mg；病歷 {{MRN:MR-00451277}}。"),
    ("mixed", "受檢者：{{NAME:Chen Wei}}；檢查日 [[VISIT_DATE:2025/02/11]]；報告醫師 {{NAME:Lin Chia Hung}}, MD."),
    ("mixed", "病人由{{NAME:王}}院長轉介，[[DEPT:心臟外科]]{{NAME:黃}}主任會診。"),
    ("mixed", "本人{{NAME:陳冠宇}}同意捐贈器官。見證人：{{NAME:黃淑貞}}、{{NAME:劉志明}}。日期：[[VISIT_DATE:2024年3月5日]]。"),
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
