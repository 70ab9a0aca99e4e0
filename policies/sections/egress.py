"""E: egress of results (RULES.md E1–E8, O2)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from policies.fields import setting


class EgressPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_units_per_cell: int = setting(
        6, rule="E2", ge=1,
        description="Every statistic must rest on at least this many units ('more than five').")
    zero_cells_need_review: bool = setting(
        True, rule="E2", description="Zero cells are flagged for a reviewer's judgement.")
    nk_rule_n: int = setting(2, rule="E3", ge=1, description="Dominance (n,k) rule: n largest.")
    nk_rule_k: float = setting(
        0.85, rule="E3", gt=0, le=1, description="Dominance (n,k) rule: share k of the total.")
    p_percent: float = setting(
        0.10, rule="E3", gt=0, le=1, description="p% rule: estimate precision that is disclosive.")
    max_cells_per_unit: float = setting(
        0.2, rule="E6", gt=0,
        description="A table with more cells than this fraction of its units is over-fine.")
    max_decimal_places: int = setting(
        6, rule="E7", ge=0, description="Numbers with more decimals look like smuggled data.")
    entropy_bits_per_char: float = setting(
        4.5, rule="E7", gt=0, description="Strings above this entropy are treated as blobs.")
    min_units_for_percentile: int = setting(
        10, rule="E2", ge=1,
        description="A median/percentile is one person's value: it needs at least this many units.")
    min_dof_dispersion: int = setting(
        6, rule="E2", ge=1,
        description="A standard deviation or variance rests on n - 1 degrees of freedom: "
                    "it needs at least this many (n - 1 >= this).")
    min_residual_dof: int = setting(
        10, rule="E2", ge=1,
        description="A regression's residual degrees of freedom must be at least this.")
    header_percentiles: bool = setting(
        True, rule="E2",
        description="A statistic column whose header names a percentile (p99, pct1, 第99百分位) "
                    "needs min_units_per_cell units beyond that percentile, whatever was declared.")
    header_rate_scale: bool = setting(
        True, rule="E2",
        description="A statistic column whose header states a rate's scale (per_1000, 每千人) "
                    "gives away rate x units / scale as a count, whatever was declared.")
    header_ratio_mode: bool = setting(
        True, rule="E2",
        description="A statistic column whose header names a ratio of counts (ratio, 比值, x_to_y) "
                    "or a mode (眾數) goes to a reviewer, whatever was declared: neither count of a "
                    "ratio is shown, and a small group's mode is a person's value.")
    prose_singling_out: bool = setting(
        True, rule="E3",
        description="A sentence that picks out one institution, person or place (the only "
                    "hospital in X, ranked first, highest in 台東, 唯一, 排名第一, 最多的一家) goes "
                    "to a reviewer with the sentence marked.")
    histogram_densities: bool = setting(
        True, rule="E2",
        description="A density column over numeric bins gives each bin's count as density x width "
                    "x units: a bin under min_units_per_cell blocks, no units -> review.")
    histogram_edges: bool = setting(
        True, rule="E2",
        description="A histogram of equal-width bins whose edges are off the grid of their width "
                    "(numpy's default range) shows the data's minimum and maximum as its outer "
                    "edges: review.")
    survival_named_columns: bool = setting(
        True, rule="E2",
        description="A column headed as survival, cumulative incidence or hazard is checked by "
                    "the Kaplan-Meier step rule even when the table is not declared a survival output.")
    survival_min_events_per_step: int = setting(
        6, rule="E2", ge=1,
        description="Each step of a Kaplan-Meier curve (a drop in survival) must rest on at least "
                    "this many events; fewer reveals one person's event time.")
    survival_at_risk_round_to: int = setting(
        5, rule="E2", ge=1,
        description="Numbers at risk under a survival curve are published rounded to a multiple "
                    "of this (1: unrounded allowed).")
    survival_at_risk_window: float = setting(
        0.0, rule="E2", ge=0,
        description="Numbers at risk may instead be shown unrounded at times that are multiples "
                    "of this window only (a windowed at-risk table); 0: rounding only.")
    regression_forbidden_columns: list[str] = setting(
        [r"resid", r"fitted", r"predict", r"leverage", r"^hat", r"cook", r"influence", r"dfbeta",
         r"dffit", r"殘差", r"預測"],
        rule="E1", description="Columns (regex) of per-person values in a regression output: "
                               "only coefficients and their statistics may leave.")
    missing_share_review: float = setting(
        0.0, rule="E2", ge=0, le=1,
        description="A statistic's cell where more than this share of its persons have no value "
                    "goes to a reviewer (its n is not the group's n).")
    missing_share_block: float = setting(
        0.5, rule="E2", ge=0, le=1,
        description="A statistic's cell where more than this share of its persons have no value "
                    "is blocked (it describes a few persons of a larger group).")
    allow_extremes_with_treatment: bool = setting(
        False, rule="E2",
        description="Min/max may leave only if rounded or top/bottom-coded (evidence in the manifest).")
    placeholder_patterns: list[str] = setting(
        [r"^[<>≤≥≦≧]=?\s*\d", r"^\*+$", r"^[-–—]+$", r"^\[?redacted\]?$", r"^n/?a$", r"^nan$",
         r"^null$", r"^none$", r"^suppressed$", r"^s$", r"^x$", r"^c$", r"^\.\.?$", r"^#+$", r"^†$",
         r"^(少於|小於|低於)\s*\d", r"^(不足|遮蔽|隱藏)"],
        rule="E6", description="Cell texts that mark a suppressed or small count (forbidden symbols).")
    institution_column_patterns: list[str] = setting(
        [r"^(tran_in_|orig_)?(hosp|prsn|phar)_?id$", r"hosp(ital)?_?(id|code|name)", r"physician",
         r"doctor", r"pharmacy", r"prsn", r"clinic_?(id|name)", r"醫院", r"院所", r"醫師", r"醫事機構",
         r"藥局", r"診所"],
        rule="E3", description="Column names (regex, case-insensitive) of an institution, physician "
                               "or pharmacy key: grouping by them identifies an institution.")
    institution_key_header_patterns: list[str] = setting(
        [r"(?:^|[^a-z])(?:hosp|hospitals?|clinics?|facilit(?:y|ies)|providers?|prescribers?|surgeons?|"
         r"attendings?|practitioners?|practices?|gps?|pharm|dispensar(?:y|ies)|nursing[\s_-]?homes?|"
         r"(?:site|cent(?:er|re))[\s_-]?(?:id|code|no|key|pseudo\w*))(?:$|[^a-z])",
         r"機構|院區|分院|院別|院代號|特約|執業|處方者|主治|開刀"],
        rule="E3", description="Column names (regex, case-insensitive) that say the groups are institutions "
                               "or practitioners (hospital, provider, facility …): each value that is not a "
                               "level, a type or a total is one institution (a code or pseudonym blocks, a "
                               "word the engine cannot place goes to review).")
    institution_attribute_header_patterns: list[str] = setting(
        [r"(?:^|[^a-z])(?:type|types|level|levels|kind|class|category|categories|grade|tier|ownership|owner|"
         r"size|beds?|region|area|county|city|district|accredit\w*|status|teaching|specialt(?:y|ies)|"
         r"visits?|days?|stay|admi\w*|referr\w*|transfer\w*)(?:$|[^a-z])",
         r"層級|類別|等級|權屬|規模|床數|區域|縣市|鄉鎮|評鑑|別$"],
        rule="E3", description="Header words that make an institution header an attribute of institutions "
                               "(hospital_type, provider_level, 醫院層級), not their key.")
    institution_site_header_patterns: list[str] = setting(
        [r"^(?:(?:study|trial|recruit\w*)[\s_-]?(?:sites?|cent(?:er|re)s?)|cent(?:er|re)s?)$", r"^(?:收案中心|收案醫院|中心)$"],
        rule="E3", description="Column names that may mean an institution (a trial site, a centre) or "
                               "something else: coded values under them go to review.  A bare 'site' or "
                               "'unit' is not among them (cancer sites, r1 … r40 regions).")
    institution_value_patterns: list[str] = setting(
        [r".+(醫院|診所|藥局|醫療社團法人.*|衛生所)$", r"(?i).+\b(hospital|clinic|pharmacy)$",
         r"^\d{10}$"],
        rule="E3", description="Grouping values that name or code an institution (regex; tried "
                                "on the last 120 characters of each line of a value).")
    institution_known_names: list[str] = setting(
        ["台大", "臺大", "北榮", "中榮", "高榮", "榮總", "長庚", "馬偕", "國泰", "新光", "亞東", "萬芳", "北醫",
         "雙和", "奇美", "成大", "彰基", "中國附醫", "中山附醫", "慈濟", "高醫", "和信", "三總", "三軍總",
         "耕莘", "恩主公", "童綜合", "光田", "秀傳", "嘉基", "聖馬爾定", "羅東博愛", "門諾",
         "NTUH", "NTUCH", "TVGH", "VGHTPE", "VGHTC", "VGHKS", "TCVGH", "KSVGH", "CGMH", "MMH", "KMUH",
         "NCKUH", "CMUH", "CSMUH", "TSGH", "TMUH", "SKMH", "FEMH", "TPECH", "EDAH", "CHIMEI",
         "Chang Gung", "Mackay Memorial", "Cathay General", "Shin Kong", "Far Eastern Memorial",
         "Tzu Chi", "Tzu-Chi", "Changhua Christian", "Chi Mei", "E-Da", "Koo Foundation",
         "Veterans General", "Wan Fang", "Shuang Ho", "Kaohsiung Medical University",
         "China Medical University", "Chung Shan Medical", "Tri-Service General",
         "Taipei Medical University", "National Taiwan University Hospital"],
        rule="E3", description="Short names and initials of institutions (台大, 北榮, 林口長庚, NTUH, CGMH, Chang "
                               "Gung): a group value or count header holding one names that institution, "
                               "with no suffix to mark it.  Han names anywhere in the value, Latin ones as "
                               "whole words in any case.")
    institution_level_labels: list[str] = setting(
        ["醫學中心", "區域醫院", "地區醫院", "基層診所", "診所", "藥局", "西醫診所", "中醫診所",
         "牙醫診所", "medical centre", "medical center", "regional hospital", "district hospital", "clinic",
         "pharmacy"],
        rule="E3", description="Institution levels/types (not one institution): allowed as groups.")
    institution_type_words: list[str] = setting(
        ["教學", "公立", "私立", "精神科", "精神", "牙醫", "中醫", "西醫", "社區", "綜合", "專科", "區域", "地區", "基層",
         "軍方", "婦產科", "眼科", "兒科", "小兒科", "耳鼻喉科", "皮膚科", "骨科", "家醫科", "內科", "外科",
         "復健科", "身心科", "慢性", "一般", "連鎖", "獨立",
         "teaching", "general", "public", "private", "psychiatric", "mental", "health", "dental", "community",
         "regional", "district", "rural", "urban", "military", "chinese", "traditional", "medicine",
         "western", "specialist", "specialty", "eye", "paediatric", "pediatric", "children's", "women's",
         "maternity", "rehabilitation", "orthopaedic", "orthopedic", "primary", "care", "local", "small", "large",
         "academic", "chain", "independent", "outpatient", "day", "other", "all", "any", "non-profit", "for-profit"],
        rule="E3", description="Words that make a hospital, clinic or pharmacy a type, not one institution "
                               "(teaching hospital, 精神科醫院): a value made only of them and the suffix passes.")
    id_column_patterns: list[str] = setting(
        [r"^id$", r"(^|_)(person|patient|pt|subject|member)_?(id|no|key)$", r"^pid$",
         r"pseudonym", r"身分證", r"病歷號", r"^ins_id$", r"^id_?no$"],
        rule="E1", description="Column names (regex) of a person identifier or pseudonym.")
    microdata_unit_fraction: float = setting(
        0.5, rule="E1", gt=0, le=1,
        description="A table where at least this share of rows rest on one unit is microdata.")
    max_table_cells: int = setting(
        5000, rule="E6", ge=1,
        description="More published cells (rows × value columns, long or wide alike) than this "
                    "is 'too many records' for a table.")
    suppression_min_width: int = setting(
        6, rule="E3", ge=1,
        description="An attacker's interval for each suppressed cell must be at least this wide.")
    differencing_max_atoms: int = setting(
        20000, rule="E3", ge=100,
        description="Largest linked-table system solved exactly; larger ones go to a reviewer.")
    differencing_exact_atoms: int = setting(
        1500, rule="E3", ge=10,
        description="Up to this many finest cells, differencing is exact (elimination + full scan).")
    engine_cpu_seconds: int = setting(
        300, rule="E4", ge=1,
        description="The automatic check of one request runs with at most this much CPU; past "
                    "it the check is stopped and the request waits, blocked, for a reviewer with "
                    "the reason (a check that cannot finish never passes).")
    words_cpu_seconds: int = setting(
        5, rule="E4", ge=1,
        description="A comment or reason the requester will read (outside too) is checked with "
                    "at most this much CPU; past it the words are refused and the writer is "
                    "asked to shorten them.")
    prose_difference_max_counts: int = setting(
        40, rule="E3", ge=0,
        description="Counts of persons in one text compared pairwise for a small difference (two "
                    "counts a few apart give the gap away); 0 turns the comparison off.")
    prose_table_difference_max_cells: int = setting(
        20000, rule="E3", ge=0,
        description="Count cells of the request's tables a count in its texts is compared with "
                    "for a small difference (a table's 'Diabetes 103', the text's 'of whom 100 were "
                    "treated'); more cells go to a reviewer; 0 turns the comparison off.")
    prose_history_difference_max_cells: int = setting(
        20000, rule="E3", ge=0,
        description="Count cells and text counts released earlier for the case a count in the "
                    "request's texts is compared with for a small difference; more go to a "
                    "reviewer; 0 turns the comparison off.")
    differencing_max_lp: int = setting(
        300, rule="E3", ge=1, description="Hidden cells checked by LP in a large linked system.")
    literal_max_items: int = setting(
        30, rule="E7", ge=2, description="A literal list/array in code with more items is data.")
    blob_min_length: int = setting(
        40, rule="E7", ge=8, description="Base64/hex/high-entropy runs this long are blobs.")
    literal_file_max_items: int = setting(
        200, rule="E7", ge=2,
        description="Items of all literal lists/arrays/maps of one program together: more go to "
                    "a reviewer (data split over many small literals).")
    covert_invisible_max: int = setting(
        16, rule="E7", ge=1,
        description="Invisible characters (zero-width, format, variation selectors, tags) in one "
                    "text: any go to a reviewer, this many or more are refused.")
    covert_trailing_space_max: int = setting(
        64, rule="E7", ge=0,
        description="Whitespace characters at line ends of one text above which a reviewer looks "
                    "(whitespace steganography).")
    covert_mixed_script_words: int = setting(
        3, rule="E7", ge=1,
        description="Words mixing Latin, Greek or Cyrillic letters (look-alikes) from which a "
                    "reviewer looks.")
    covert_prose_min_words: int = setting(
        80, rule="E7", ge=10,
        description="English words a text needs before it is judged as reading like language.")
    covert_prose_function_share: float = setting(
        0.08, rule="E7", ge=0, le=1,
        description="Share of function words (the, of, and …) below which a text of enough words "
                    "does not read as language (a code-word alphabet) and goes to a reviewer.")
    covert_symbol_run_min: int = setting(
        64, rule="E7", ge=8,
        description="Symbols of a closed alphabet (Chinese numerals, stems and branches, Bopomofo, "
                    "Braille, emoji, hexagrams …) in one run from which it is encoded data.")
    covert_han_min_chars: int = setting(
        150, rule="E7", ge=20,
        description="Han characters a text needs before it is judged as reading like Chinese.")
    covert_han_word_share: float = setting(
        0.45, rule="E7", ge=0, le=1,
        description="Share of Han characters in dictionary words of two or more below which the "
                    "text does not read as Chinese (review; under half of it with twice the "
                    "characters, refused).")
    raster_covert_checks: bool = setting(
        True, rule="E7",
        description="Raster pictures (files, notebook images, data: URIs) are decoded and checked "
                    "for data a viewer cannot see: colour under transparent pixels, palette "
                    "tricks, 16-bit low bytes, extra frames, low-bit noise in flat colours.")
    raster_hidden_max_pixels: int = setting(
        8, rule="E7", ge=0,
        description="Transparent pixels keeping another colour than the rest, or 16-bit values whose "
                    "low byte varies apart from what is shown, above which a picture is refused.")
    raster_palette_unused_max: int = setting(
        4, rule="E7", ge=0,
        description="Unused palette entries holding colours (not empty, not a standard web or grey "
                    "palette) above which a picture is refused: the palette carries bytes.")
    raster_lsb_min_points: int = setting(
        64, rule="E7", ge=1,
        description="Pixels in flat colour areas standing 1-3 levels above or below all four "
                    "neighbours (low-bit embedding) from which a picture goes to a reviewer ...")
    raster_lsb_min_share: float = setting(
        0.00002, rule="E7", ge=0, le=1,
        description="... when they are also at least this share of the flat-area pixel values.")
    raster_review_pixels: int = setting(
        16_000_000, rule="E7", ge=1,
        description="Pictures with more pixels go to a reviewer: on screen they are seen scaled down.")
    raster_review_side: int = setting(
        8000, rule="E7", ge=1,
        description="Pictures wider or taller than this go to a reviewer (seen scaled down).")
    raster_icc_max_bytes: int = setting(
        4096, rule="E7", ge=0,
        description="A picture's colour profile (ICC) larger than this goes to a reviewer: its tables "
                    "are not shown and can carry data (a standard sRGB profile is 0.5-3 KB).")
    raster_max_pixels: int = setting(
        100_000_000, rule="E7", ge=1,
        description="Pictures with more pixels are not decoded but refused: they cannot be checked.")
    image_hash_max_distance: int = setting(
        8, rule="E5", ge=0,
        description="Perceptual-hash distance (of 64 bits) at or below which an image is an original.")
    committee_kinds: list[str] = setting(
        ["figure", "model"], rule="E5",
        description="File kinds that never pass automatically: committee path.")
    data_figures_need_committee: bool = setting(
        False, rule="E5",
        description="Figures drawn by the helpers from a checked table of the same request "
                    "(sealed together) still go to the committee; false: they pass as their numbers do.")
    reviews_required: int = setting(
        2, rule="E4", ge=1, le=2, description="Independent reviews before approval.")
    approve_over_review_min_reason: int = setting(
        20, rule="E4", ge=1, le=2000,
        description="Characters of reason a reviewer must write to approve a request the "
                    "automatic check sent to review (what was checked, why it is safe).")
    release_download_days: int = setting(
        14, rule="O2", ge=1, description="Days after approval during which files can be fetched.")
    committee_reviews_required: int = setting(
        1, rule="E5", ge=1, le=3,
        description="Committee approvals needed for models, figures and imaging results.")
    max_request_bytes: int = setting(
        50_000_000, rule="E1", ge=1,
        description="Largest egress request accepted (results are aggregates, not data).")
    release_zip_min_password_length: int = setting(
        10, rule="O2", ge=8, description="Shortest password accepted for an encrypted download.")
    # --- import review (D4) and sharing between cases (P13): egress_review/ingress ---
    import_max_file_bytes: int = setting(
        2_000_000_000, rule="D4", ge=1, description="Largest single file an import may bring in.")
    import_max_unpacked_bytes: int = setting(
        1_000_000_000, rule="D4", ge=1,
        description="Total bytes an import's archives may unpack to (zip bombs are refused).")
    import_max_compression_ratio: float = setting(
        100.0, rule="D4", gt=1,
        description="Unpacked/packed size ratio above which an archive member is a zip bomb.")
    import_max_archive_depth: int = setting(
        3, rule="D4", ge=1, description="Archives nested deeper than this are refused.")
    import_max_archive_members: int = setting(
        10_000, rule="D4", ge=1, description="Archives with more members than this are refused.")
    import_model_suffixes: list[str] = setting(
        [".pt", ".pth", ".ckpt", ".onnx", ".safetensors", ".h5", ".hdf5", ".keras", ".npy",
         ".npz", ".pb", ".tflite", ".pkl", ".pickle", ".joblib", ".bin"],
        rule="D4", description="Model/weight formats an imaging case may bring in (review + committee).")
    import_pickle_suffixes: list[str] = setting(
        [".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt"],
        rule="D4", description="Model formats that run code when loaded (pickle): flagged for review.")
    import_dob_column_patterns: list[str] = setting(
        [r"birth", r"\bdob\b", r"^dob", r"生日", r"出生"],
        rule="D4", description="Column names (regex) of a date of birth: personal data, blocked.")
    import_medical_column_patterns: list[str] = setting(
        [r"icd", r"diag", r"^op_code", r"drug_no", r"order_code", r"診斷", r"病歷", r"處方"],
        rule="D4", description="Column names (regex) of medical-record content (blocks with a person key).")
    import_institution_min_values: int = setting(
        3, rule="D4", ge=1,
        description="Distinct institution names/codes in one file from which it is an institution list.")
    import_committee_reviews_required: int = setting(
        1, rule="D4", ge=1, le=3,
        description="Committee approvals for imaging models and training sets brought in.")
    import_name_list_min: int = setting(
        3, rule="D4", ge=1,
        description="Distinct personal names found in one file from which it is a name list (block).")
    import_identifier_column_patterns: list[str] = setting(
        [r"card_?(no|num|number|id)", r"健保卡", r"卡號", r"passport", r"護照", r"居留證", r"(^|_)arc(_|$)",
         r"(^|_)(mrn|chart_?no|chart_?number|record_?no)($|_)", r"病歷號", r"(^|_)(phone|tel|mobile|cell)(_|$|no)",
         r"電話", r"手機", r"(^|_)(e_?mail|address|addr)(_|$)", r"地址", r"住址", r"信箱", r"(^|_)ip_?addr",
         r"(bank_?)?account_?(no|number)", r"帳號", r"車牌", r"plate_?(no|number)"],
        rule="D4", description="Column names (regex) of personal numbers or contact details: blocked.")
    import_person_rows_min: int = setting(
        5, rule="D4", ge=2,
        description="Rows from which a column of distinct long numbers, or dated rows beside sex or "
                    "medical codes, read as persons.")
    import_key_list_min: int = setting(
        5, rule="D4", ge=2,
        description="Distinct hex keys/digests in one reference text from which it is a hashed person list.")
    import_ocr_max_images: int = setting(
        100, rule="D4", ge=0,
        description="Pictures in one import whose pixels are read for text; the rest go to review.")
    import_ocr_max_pixels: int = setting(
        40_000_000, rule="D4", ge=1,
        description="Largest picture (width x height) read for text; larger ones go to review.")
    import_name_column_patterns: list[str] = setting(
        [r"姓名", r"(patient|person|subject|full)_?name", r"^chname$", r"^fullname$"],
        rule="D4", description="Column names (regex) holding persons' names: personal data, blocked.")
