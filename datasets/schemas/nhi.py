"""NHIRD / Health and Welfare Data Center-like layouts of the files the centre receives.

Names follow the HWDC (older NHIRD names in brackets in ``old_name``).  The source files carry
the identifying columns a data centre receives from the insurer (names, addresses, phones, full
birth dates, national IDs); the ``action`` of each column says what the steward loader does with
it (RULES.md D1).  A deployment's policy may override an
action (``data.columns``, to tighten it); see :func:`datasets.schemas.effective_actions`.
"""
from __future__ import annotations

from datasets.schemas.model import Column as C
from datasets.schemas.model import Family

ICD10 = r"[A-TV-Z][0-9][0-9A-Z][0-9A-Z]{0,4}"
HOSP = r"[0-9]{10}"
DRUG_CODE = r"[A-Z]{2}[0-9]{8}"
FEE_CODE = r"[0-9]{5}[A-C]"
AREA = r"[0-9]{4}"
YN = ("Y", "N")
SEX = ("M", "F")
OP_CASE_TYPES = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "11", "12", "13", "14",
                 "15", "16", "19", "21", "22", "23", "24", "25", "28", "29", "A3", "B1", "B6",
                 "B7", "B8", "B9", "C1", "D1", "E1")
IP_CASE_TYPES = ("1", "2", "3", "4", "5", "6", "A", "B", "C", "D", "E")
FUNC_TYPES = ("00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13",
              "14", "15", "22", "40", "60", "81", "82", "83", "84", "AA", "AB", "AC")
ORDER_TYPES = ("0", "1", "2", "3", "4", "5", "9", "G")
DRUG_FRE = ("QD", "BID", "TID", "QID", "HS", "PRN", "Q4H", "Q6H", "Q8H", "STAT", "QOD", "QW",
            "ASORDER")
DRUG_PATH = ("PO", "IV", "IM", "SC", "TOP", "INH", "SL", "EXT", "OPH", "ID")
MODALITIES = ("CT", "CR", "MR", "DX", "US", "MG")


def _claim_key(hosp_desc: str = "institution that filed the claim") -> tuple[C, ...]:
    return (
        C("FEE_YM", "ym", "fee year-month (費用年月)", required=True, width=6),
        C("APPL_TYPE", "code", "application type: 1 first filing, 2 supplementary", required=True,
          domain=("1", "2"), width=1),
        C("HOSP_ID", "pattern", hosp_desc + " (醫事機構代號)", required=True, pattern=HOSP,
          action="recode", id_class="institution", pii=True, width=10),
        C("APPL_DATE", "date", "application date (申報日期)", required=True, width=8),
        C("CASE_TYPE", "code", "case type (案件分類)", required=True, domain=OP_CASE_TYPES + IP_CASE_TYPES,
          width=2),
        C("SEQ_NO", "int", "serial number within the application (流水號)", required=True, width=8),
    )


CLAIM_KEY = ("FEE_YM", "APPL_TYPE", "HOSP_ID", "APPL_DATE", "CASE_TYPE", "SEQ_NO")


def _person(birthday: bool = True) -> tuple[C, ...]:
    cols = [
        C("ID", "twid", "insured person's national ID / resident certificate number (身分證號)",
          required=True, action="recode", id_class="person", pii=True, width=10),
        C("NAME", "str", "insured person's name (source only)", action="drop", pii=True, width=6),
    ]
    if birthday:
        cols.append(C("ID_BIRTHDAY", "date", "birth date; generalised per policy (出生日期)",
                      required=True, action="generalise", generalise="birthday",
                      quasi_identifier=True, width=8))
    cols.append(C("ID_SEX", "code", "sex M/F", required=True, domain=SEX, quasi_identifier=True,
                  width=1))
    return tuple(cols)


_CONTACT = (
    C("TEL", "str", "phone number (source only)", action="drop", pii=True, width=12),
    C("ADDRESS", "str", "residential address (source only)", action="drop", pii=True, width=40),
)

H_NHI_OPDTE = Family(
    "H_NHI_OPDTE", "CD", "outpatient visits (門診處方及治療明細檔)",
    _claim_key() + (
        C("FUNC_TYPE", "code", "department (就醫科別)", required=True, domain=FUNC_TYPES, width=2),
        C("FUNC_DATE", "date", "visit date (就醫日期)", required=True, action="generalise",
          generalise="date", width=8),
    ) + _person() + _CONTACT + (
        C("CITY", "pattern", "area code of the institution (院所所在地區)", pattern=AREA,
          quasi_identifier=True, width=4),
        C("ICD9CM_CODE", "pattern", "principal diagnosis, ICD-10-CM without dot", required=True,
          pattern=ICD10, width=7),
        C("ICD9CM_CODE_1", "pattern", "secondary diagnosis 1", pattern=ICD10, width=7),
        C("ICD9CM_CODE_2", "pattern", "secondary diagnosis 2", pattern=ICD10, width=7),
        C("DRUG_DAYS", "int", "days of drug supply", width=3),
        C("PRSN_ID", "twid", "physician's national ID (醫師代號)", required=True, action="recode",
          id_class="physician", pii=True, width=10),
        C("PHAR_ID", "twid", "pharmacist's national ID (藥師代號)", action="recode",
          id_class="pharmacist", pii=True, width=10),
        C("DRUG_DOT", "int", "drug fee points", width=7),
        C("CURE_DOT", "int", "treatment fee points", width=7),
        C("DIAG_DOT", "int", "diagnosis fee points", width=7),
        C("T_DOT", "int", "total points", required=True, width=8),
        C("PART_AMT", "int", "co-payment (部分負擔)", width=6),
        C("T_APPL_DOT", "int", "points applied for", required=True, width=8),
        C("CHIEF_COMPLAINT", "text", "chief complaint, free text (主訴); scrubbed", action="scrub",
          width=120),
    ),
    year_from="FEE_YM", key=CLAIM_KEY, person_column="ID")

_ORDER_COMMON = (
    C("ORDER_SEQ_NO", "int", "order serial number", required=True, width=4),
    C("ORDER_TYPE", "code", "order type (醫令類別)", required=True, domain=ORDER_TYPES, width=1),
)

H_NHI_OPDTO = Family(
    "H_NHI_OPDTO", "OO", "outpatient orders (門診醫令明細檔)",
    _claim_key() + _ORDER_COMMON + (
        C("DRUG_NO", "pattern", "order code: NHI drug code or fee-schedule code", required=True,
          pattern=f"{DRUG_CODE}|{FEE_CODE}", width=10),
        C("DRUG_USE", "dec", "dose per use", width=6),
        C("DRUG_FRE", "code", "frequency", domain=DRUG_FRE, width=7),
        C("DRUG_PATH", "code", "route", domain=DRUG_PATH, width=3),
        C("PAY_RATE", "dec", "payment rate", width=5),
        C("ORDER_UPRICE", "dec", "unit price", width=9),
        C("ORDER_QTY", "dec", "quantity", required=True, width=7),
        C("ORDER_DOT", "int", "order points", required=True, width=8),
    ),
    year_from="FEE_YM", parent="H_NHI_OPDTE", key=CLAIM_KEY)

H_NHI_IPDTE = Family(
    "H_NHI_IPDTE", "DD", "admissions (住院醫療費用清單明細檔)",
    _claim_key() + _person() + _CONTACT + (
        C("IN_DATE", "date", "admission date", required=True, action="generalise", generalise="date",
          width=8),
        C("OUT_DATE", "date", "discharge date", action="generalise", generalise="date", width=8),
        C("ACU_BED_DAYS", "int", "acute bed days", width=4),
        C("CHR_BED_DAYS", "int", "chronic bed days", width=4),
        C("PRSN_ID", "twid", "attending physician's national ID", required=True, action="recode",
          id_class="physician", pii=True, width=10),
        C("TW_DRGS", "pattern", "Tw-DRG code", pattern=r"[0-9]{4}[0-9A-Z]", width=5),
        C("ICD9CM_CODE", "pattern", "principal diagnosis", required=True, pattern=ICD10, width=7),
        C("ICD9CM_CODE_1", "pattern", "secondary diagnosis 1", pattern=ICD10, width=7),
        C("ICD9CM_CODE_2", "pattern", "secondary diagnosis 2", pattern=ICD10, width=7),
        C("ICD9CM_CODE_3", "pattern", "secondary diagnosis 3", pattern=ICD10, width=7),
        C("ICD9CM_CODE_4", "pattern", "secondary diagnosis 4", pattern=ICD10, width=7),
        C("MED_DOT", "int", "medical points", required=True, width=8),
        C("PART_AMT", "int", "co-payment", width=7),
        C("APPL_DOT", "int", "points applied for", required=True, width=8),
        C("DISCHARGE_SUMMARY", "text", "discharge summary, free text (出院摘要); scrubbed",
          action="scrub", width=120),
    ),
    year_from="FEE_YM", key=CLAIM_KEY, person_column="ID")

H_NHI_IPDTO = Family(
    "H_NHI_IPDTO", "DO", "inpatient orders (住院醫療費用醫令清單明細檔)",
    _claim_key() + _ORDER_COMMON + (
        C("ORDER_CODE", "pattern", "order code", required=True, pattern=f"{DRUG_CODE}|{FEE_CODE}",
          width=10),
        C("DRUG_NUM", "dec", "dose", width=6),
        C("DRUG_FRE", "code", "frequency", domain=DRUG_FRE, width=7),
        C("DRUG_PATH", "code", "route", domain=DRUG_PATH, width=3),
        C("BED_NO", "str", "bed number (identifies a stay on a ward)", action="drop", pii=True,
          width=6),
        C("ORDER_UPRICE", "dec", "unit price", width=9),
        C("ORDER_QTY", "dec", "quantity", required=True, width=7),
        C("ORDER_DOT", "int", "order points", required=True, width=8),
        C("PART_ACCO_DATA", "text", "order note, free text holding a date (醫令執行記錄); scrubbed",
          action="scrub", width=80),
    ),
    year_from="FEE_YM", parent="H_NHI_IPDTE", key=CLAIM_KEY)

H_NHI_DRUGE = Family(
    "H_NHI_DRUGE", "GD", "pharmacy dispensing (特約藥局處方及調劑明細檔)",
    _claim_key("dispensing pharmacy") + (
        C("ORIG_HOSP_ID", "pattern", "prescribing institution", required=True, pattern=HOSP,
          action="recode", id_class="institution", pii=True, width=10),
        C("FUNC_DATE", "date", "prescription date", required=True, action="generalise",
          generalise="date", width=8),
        C("DRUG_DATE", "date", "dispensing date", required=True, action="generalise",
          generalise="date", width=8),
    ) + _person() + (
        C("DRUG_DAY", "int", "days of supply", width=3),
        C("PRSN_ID", "twid", "prescribing physician's national ID", action="recode",
          id_class="physician", pii=True, width=10),
        C("PHAR_ID", "twid", "dispensing pharmacist's national ID", required=True, action="recode",
          id_class="pharmacist", pii=True, width=10),
        C("DRUG_AMT", "int", "drug amount", width=7),
        C("DSVC_AMT", "int", "dispensing fee", width=6),
        C("PART_AMT", "int", "co-payment", width=6),
        C("T_AMT", "int", "total amount", required=True, width=8),
    ),
    year_from="FEE_YM", key=CLAIM_KEY, person_column="ID")

H_NHI_DRUGO = Family(
    "H_NHI_DRUGO", "GO", "pharmacy orders (特約藥局處方調劑醫令檔)",
    _claim_key("dispensing pharmacy") + (
        C("ORDER_SEQ_NO", "int", "order serial number", required=True, width=4),
        C("DRUG_NO", "pattern", "NHI drug code", required=True, pattern=DRUG_CODE, width=10),
        C("DRUG_USE", "dec", "dose per use", width=6),
        C("TOTAL_QTY", "dec", "total quantity", required=True, width=7),
        C("UNIT_PRICE", "dec", "unit price", width=9),
        C("TOTAL_AMT", "int", "total amount", required=True, width=8),
        C("PAY_RATE", "dec", "payment rate", width=5),
    ),
    year_from="FEE_YM", parent="H_NHI_DRUGE", key=CLAIM_KEY)

H_NHI_ENROL = Family(
    "H_NHI_ENROL", "ID", "enrollment by month (承保資料檔)",
    (
        C("PREM_YM", "ym", "premium year-month", required=True, width=6),
        C("ID", "twid", "insured person's national ID", required=True, action="recode",
          id_class="person", pii=True, width=10),
        C("NAME", "str", "insured person's name (source only)", action="drop", pii=True, width=6),
        C("ID_S", "code", "sex M/F", required=True, domain=SEX, quasi_identifier=True, width=1),
        C("ID_BIRTH_Y", "year", "birth year", required=True, quasi_identifier=True, width=4),
        C("INS_ID", "twid", "insured head of household's national ID", required=True,
          action="recode", id_class="person", pii=True, width=10),
        C("RELATION", "code", "relation to the insured head (0 self)", required=True,
          domain=("0", "1", "2", "3", "4", "5", "6"), width=1),
        C("UNIT_TYPE", "code", "insured category 1-6 (投保類別)", required=True,
          domain=("1", "2", "3", "4", "5", "6"), width=1),
        C("STATUS", "code", "status: 1 insured, 2 withdrawn, 3 suspended", required=True,
          domain=("1", "2", "3"), width=1),
        C("UNIT_ID", "pattern", "insured unit code (投保單位代號)", pattern=r"[0-9]{8}",
          action="recode", id_class="unit", pii=True, width=8),
        C("BAN", "pattern", "employer's tax ID (統一編號)", pattern=r"[0-9]{8}", action="recode",
          id_class="employer", pii=True, width=8),
        C("INS_AMT", "int", "insured salary (投保金額)", required=True, width=7),
        C("ZIP", "pattern", "postal code of the address (source only)", pattern=r"[0-9]{3}",
          action="drop", pii=True, width=3),
        C("HOME_CITY", "pattern", "area code of residence (戶籍地區)", required=True, pattern=AREA,
          quasi_identifier=True, width=4),
    ) + _CONTACT,
    year_from="PREM_YM", person_column="ID")

H_NHI_MEDFA = Family(
    "H_NHI_MEDFA", "HOSB", "contracted institutions (醫事機構基本資料檔)",
    (
        C("HOSP_ID", "pattern", "institution code", required=True, pattern=HOSP, action="recode",
          id_class="institution", pii=True, width=10),
        C("HOSP_NAME", "str", "institution name (source only)", action="drop", pii=True, width=12),
        C("HOSP_CONT_TYPE", "code", "contract type: 1 medical centre, 2 regional, 3 district, "
          "4 clinic, 5 pharmacy", required=True, domain=("1", "2", "3", "4", "5", "6", "7"), width=1),
        C("HOSP_TYPE_ID", "pattern", "institution type", pattern=r"[0-9]{2}", width=2),
        C("HOSP_GRAD_ID", "code", "accreditation grade", domain=("1", "2", "3", "4", "9"), width=1),
        C("AREA_NO_H", "pattern", "area code", required=True, pattern=AREA, width=4),
        C("HOSP_OWN_ID", "twid", "owner / responsible physician's national ID", action="recode",
          id_class="physician", pii=True, width=10),
        C("HOSP_BED_NO", "int", "number of beds", width=5),
        C("HOSP_OPEN_DATE", "date", "opening date", width=8),
        C("HOSP_ADDR", "str", "institution address (source only)", action="drop", pii=True, width=40),
        C("HOSP_TEL", "str", "institution phone (source only)", action="drop", pii=True, width=12),
    ))

H_IMG_INDEX = Family(
    "H_IMG_INDEX", "IMG", "medical imaging index with DICOM files (影像資料索引)",
    _person() + (
        C("HOSP_ID", "pattern", "imaging institution", required=True, pattern=HOSP, action="recode",
          id_class="institution", pii=True, width=10),
        C("ACCESSION_NO", "pattern", "accession number", required=True, pattern=r"[A-Z0-9]{8,16}",
          action="recode", id_class="accession", pii=True, width=16),
        C("STUDY_DATE", "date", "study date", required=True, action="generalise", generalise="date",
          width=8),
        C("MODALITY", "code", "modality", required=True, domain=MODALITIES, width=2),
        C("BODY_PART", "str", "body part examined", width=12),
        C("REPORT", "text", "radiology report, free text; scrubbed", action="scrub", width=120),
        C("DICOM_FILE", "dicom", "DICOM file (headers cleaned per PS3.15, burned-in text masked)",
          required=True, action="scrub", width=48),
    ),
    year_from="STUDY_DATE", person_column="ID")

# NHI-card upload (健保卡資料上傳): one record per card use, uploaded by the institution within
# 24 hours of the visit; the card's serial number is dropped, the person and physician re-coded.
VISIT_TYPES = ("01", "02", "03", "04", "05", "06", "07", "08", "AA", "AB", "AC", "AD", "AE",
               "AF", "AG", "AH")
H_IC_UPLOAD = Family(
    "H_IC_UPLOAD", "ICCARD", "NHI-card upload records, one per card use (健保卡就醫資料上傳)",
    (
        C("HOSP_ID", "pattern", "institution that read the card (醫事機構代號)", required=True,
          pattern=HOSP, action="recode", id_class="institution", pii=True, width=10),
        C("UPLOAD_TYPE", "code", "record type: 1 regular upload, 2 correction, 3 late upload "
          "(資料型態)", required=True, domain=("1", "2", "3"), width=1),
        C("ID", "twid", "card holder's national ID / resident certificate number (身分證號)",
          required=True, action="recode", id_class="person", pii=True, width=10),
        C("CARD_NO", "pattern", "NHI card serial number (卡片號碼, source only)",
          pattern=r"[0-9]{12}", action="drop", pii=True, width=12),
        C("ID_BIRTHDAY", "date", "birth date read from the card; generalised per policy (出生日期)",
          required=True, action="generalise", generalise="birthday", quasi_identifier=True,
          width=8),
        C("CARD_DATE", "date", "card-use date (就醫日期)", required=True, action="generalise",
          generalise="date", width=8),
        C("CARD_TIME", "pattern", "card-use time HHMMSS; released as the hour only (就醫時間)",
          required=True, pattern=r"([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]", action="generalise",
          generalise="hour", quasi_identifier=True, width=6),
        C("VISIT_SEQ", "pattern", "visit sequence number on the card: 0001-9999, or an "
          "exception code such as A000 (就醫序號)", required=True,
          pattern=r"[0-9]{4}|[A-Z][0-9]{3}", width=4),
        C("VISIT_TYPE", "code", "visit type: 01 western outpatient, 02 dental, 03 Chinese "
          "medicine, 04 emergency, 05 admission, A* preventive care (就醫類別)", required=True,
          domain=VISIT_TYPES, width=2),
        C("ICD_CODE_1", "pattern", "principal diagnosis, ICD-10-CM without dot (主診斷碼)",
          required=True, pattern=ICD10, width=7),
        C("ICD_CODE_2", "pattern", "secondary diagnosis (次診斷碼)", pattern=ICD10, width=7),
        C("ORDER_CODE_1", "pattern", "first order: NHI drug code or fee-schedule code (醫令代碼)",
          pattern=f"{DRUG_CODE}|{FEE_CODE}", width=10),
        C("ORDER_CODE_2", "pattern", "second order code", pattern=f"{DRUG_CODE}|{FEE_CODE}",
          width=10),
        C("ORDER_CODE_3", "pattern", "third order code", pattern=f"{DRUG_CODE}|{FEE_CODE}",
          width=10),
        C("PRSN_ID", "twid", "physician's national ID (醫事人員身分證號)", action="recode",
          id_class="physician", pii=True, width=10),
        C("UPLOAD_DATE", "date", "date the record was uploaded (上傳日期)", required=True, width=8),
    ),
    year_from="CARD_DATE", person_column="ID")

# Lab/exam result upload (檢驗檢查結果上傳).  Medical images are the H_IMG_INDEX family.
H_LAB_RESULT = Family(
    "H_LAB_RESULT", "LABRS", "lab and exam results uploaded by institutions (檢驗檢查結果上傳)",
    (
        C("HOSP_ID", "pattern", "institution that did the test (醫事機構代號)", required=True,
          pattern=HOSP, action="recode", id_class="institution", pii=True, width=10),
        C("ID", "twid", "patient's national ID / resident certificate number (身分證號)",
          required=True, action="recode", id_class="person", pii=True, width=10),
        C("ID_BIRTHDAY", "date", "birth date; generalised per policy (出生日期)", required=True,
          action="generalise", generalise="birthday", quasi_identifier=True, width=8),
        C("EXAM_DATE", "date", "specimen collection / exam date (採檢日期)", required=True,
          action="generalise", generalise="date", width=8),
        C("REPORT_DATE", "date", "report date (報告日期)", action="generalise", generalise="date",
          width=8),
        C("ORDER_CODE", "pattern", "fee-schedule order code of the test (醫令代碼)", required=True,
          pattern=FEE_CODE, width=6),
        C("ITEM_NAME", "str", "lab item / exam name (檢驗項目名稱)", required=True, width=24),
        C("RESULT_VALUE", "str", "result: a number or a short term such as Negative, 2+ "
          "(檢驗結果值)", required=True, width=40),
        C("UNIT", "str", "unit of the result (單位)", width=10),
        C("REF_RANGE", "str", "reference range (參考值)", width=16),
        C("ABN_FLAG", "code", "H above, L below, N within the reference range, A abnormal "
          "(異常註記)", domain=("H", "L", "N", "A"), width=1),
        C("REPORT_TEXT", "text", "report / comment, free text (報告內容/備註); scrubbed",
          action="scrub", width=120),
    ),
    year_from="EXAM_DATE", person_column="ID")

# VPN uploads (VPN 上傳): each batch an institution sends through the NHI private network.
# The batch id is assigned by the insurer and points back to the institution: re-coded.
VPN_DATA_TYPES = ("11", "12", "13")
H_VPN_UPLOAD = Family(
    "H_VPN_UPLOAD", "VPNUP", "claim batches uploaded through the NHI VPN (VPN 上傳受理紀錄)",
    (
        C("BATCH_ID", "pattern", "upload batch id (受理編號)", required=True,
          pattern=r"[0-9A-Z]{12}", action="recode", id_class="batch", pii=True, width=12),
        C("HOSP_ID", "pattern", "uploading institution (醫事機構代號)", required=True, pattern=HOSP,
          action="recode", id_class="institution", pii=True, width=10),
        C("FEE_YM", "ym", "fee year-month the batch claims for (費用年月)", required=True, width=6),
        C("DATA_TYPE", "code", "data type: 11 outpatient, 12 inpatient, 13 pharmacy claims "
          "(資料類別)", required=True, domain=VPN_DATA_TYPES, width=2),
        C("UPLOAD_DATE", "date", "upload date (上傳日期)", required=True, width=8),
        C("RECORD_COUNT", "int", "records in the batch (筆數)", required=True, width=7),
        C("ERROR_COUNT", "int", "records returned with errors (錯誤筆數)", width=7),
        C("STATUS", "code", "1 accepted, 2 accepted with records returned, 3 batch rejected, "
          "9 in process (處理狀態)", required=True, domain=("1", "2", "3", "9"), width=1),
    ),
    year_from="FEE_YM")

# Reference files: the fee schedule (醫療服務給付項目及支付標準) and the drug benefit items
# (藥品給付項目及支付標準).  No personal data; kept as received, not split by year.  A code has
# one row per price period (EFF_DATE..END_DATE; END_DATE empty = in force).
H_NHI_FEESCH = Family(
    "H_NHI_FEESCH", "PAYCODE", "fee schedule: medical service benefit items and points "
    "(醫療服務給付項目及支付標準)",
    (
        C("FEE_CODE", "pattern", "fee-schedule code (診療項目代碼)", required=True, pattern=FEE_CODE,
          width=6),
        C("FEE_NAME_C", "str", "item name in Chinese (中文名稱)", required=True, width=24),
        C("FEE_NAME_E", "str", "item name in English (英文名稱)", width=40),
        C("CATEGORY", "pattern", "section: the code's first two digits (節別), e.g. 09 "
          "biochemistry", required=True, pattern=r"[0-9]{2}", width=2),
        C("POINTS", "int", "payment points (支付點數)", required=True, width=7),
        C("EFF_DATE", "date", "effective from (生效起日)", required=True, width=8),
        C("END_DATE", "date", "effective to, empty while in force (生效迄日)", width=8),
    ))

H_NHI_DRUGITEM = Family(
    "H_NHI_DRUGITEM", "DRUGCODE", "drug benefit items and prices (藥品給付項目及支付標準)",
    (
        C("DRUG_NO", "pattern", "NHI drug code (藥品代碼)", required=True, pattern=DRUG_CODE,
          width=10),
        C("DRUG_NAME_E", "str", "product name in English (英文品名)", required=True, width=40),
        C("DRUG_NAME_C", "str", "product name in Chinese (中文品名)", width=24),
        C("INGREDIENT", "str", "active ingredient (成分)", required=True, width=30),
        C("SPEC", "str", "strength and unit (規格量及單位)", width=12),
        C("DOSAGE_FORM", "str", "dosage form (劑型)", width=8),
        C("ATC_CODE", "pattern", "WHO ATC code", pattern=r"[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}", width=7),
        C("PRICE", "dec", "payment price per unit, points (支付價)", required=True, width=9),
        C("EFF_DATE", "date", "effective from (生效起日)", required=True, width=8),
        C("END_DATE", "date", "effective to, empty while in force (生效迄日)", width=8),
    ))

FAMILIES: dict[str, Family] = {f.name: f for f in (
    H_NHI_OPDTE, H_NHI_OPDTO, H_NHI_IPDTE, H_NHI_IPDTO, H_NHI_DRUGE, H_NHI_DRUGO,
    H_NHI_ENROL, H_NHI_MEDFA, H_IMG_INDEX, H_IC_UPLOAD, H_LAB_RESULT, H_VPN_UPLOAD,
    H_NHI_FEESCH, H_NHI_DRUGITEM)}
# reference files: no persons, no institutions; never filtered by a cohort
REFERENCE_FAMILIES = ("H_NHI_FEESCH", "H_NHI_DRUGITEM")
CLAIM_FAMILIES = ("H_NHI_OPDTE", "H_NHI_OPDTO", "H_NHI_IPDTE", "H_NHI_IPDTO", "H_NHI_DRUGE",
                  "H_NHI_DRUGO")
