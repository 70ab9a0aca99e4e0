"""NHIRD / Health and Welfare Data Center-like layouts of the files the centre receives.

Names follow the HWDC (older NHIRD names in brackets in ``old_name``).  The source files carry
the identifying columns a data centre receives from the insurer (names, addresses, phones, full
birth dates, national IDs); the ``action`` of each column says what the steward loader does with
it (RULES.md D1).  The policy (``policies/nhi_centre/data.yaml``, ``columns``) restates every
action so a deployment can tighten it; see :func:`datasets.schemas.effective_actions`.
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

FAMILIES: dict[str, Family] = {f.name: f for f in (
    H_NHI_OPDTE, H_NHI_OPDTO, H_NHI_IPDTE, H_NHI_IPDTO, H_NHI_DRUGE, H_NHI_DRUGO,
    H_NHI_ENROL, H_NHI_MEDFA, H_IMG_INDEX)}
CLAIM_FAMILIES = ("H_NHI_OPDTE", "H_NHI_OPDTO", "H_NHI_IPDTE", "H_NHI_IPDTO", "H_NHI_DRUGE",
                  "H_NHI_DRUGO")
