"""Round 10 of unseen DICOM files (D1): a study's date left in a value that is not a date.

The profile empties every DA/DT/TM attribute; a date written anywhere else gives the study's
day back (and with it the shift a longitudinal release would hide).  The classes:

- **date-label**: a date in a label or a device value, in the shapes devices and people write
  (``2023_05_14``, ``14MAY2023``, ``May-14-2023``, ``20230514101500``, ``230514``, ``14 May``,
  ``2023-05``, ``1120514`` Minguo, ``5月14日``), in every kept-label place and device value;
- **date-code**: the same in a code string (capitals, digits, "_" only: ``MAY_14_2023``,
  ``CT_14052023``), as a content label, a body part, an image type value;
- **date-number**: a date as a number (series, acquisition, instance numbers, a DS, an SR
  NUM value, a UL in a per-frame group);
- **date-sr**: the same shapes in SR text, alone or in a sentence;
- **date-adjacent**: RT ROI names, waveform annotations, per-frame frame labels, DICOMDIR
  records, items nested four deep (round 9's places);
- **date-wide**: the same dates in full-width forms or other scripts' digits (２０２３_０５_１４,
  ١٤ May), in labels and SR text.

Seeded (``random.Random(10)``).  Each member is ``Member(cls, name, data, secrets)``: nothing
in ``secrets`` may be anywhere in the cleaned file."""
from __future__ import annotations

import random

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from tests.deidentify.dicom_round3_files import Member, _code, base, to_bytes
from tests.deidentify.dicom_round8_files import LABEL_PLACES, _place
from tests.deidentify.dicom_round9_files import ADJACENT, _adjacent, _sr

# (day, month, year) drawn per member; each shape writes it one way
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
TEXT_SHAPES = [
    "{Y}_{m}_{d}", "{Y} {m} {d}", "{d}{MON}{Y}", "{Mon}-{d}-{Y}", "{Y}{m}{d}{H}", "{y}{m}{d}", "{d} {Mon}",
    "{Mon} {d}", "{Y}-{m}", "{m}/{Y}", "{R}{m}{d}", "{R}.{m}.{d}", "{n}月{j}日", "{R}年{n}月", "{Mon} {Y}",
    "{Y}{MON}{d}", "{d}-{Mon}-{y}", "{Y}{m}{d}T{H4}", "{j}/{n}/{y}", "{Mon}. {j}th, {Y}",
]
CODE_SHAPES = ["{Y}_{m}_{d}", "{d}_{m}_{Y}", "{MON}_{d}_{Y}", "{d}{MON}{Y}", "{R}{m}{d}", "{m}{d}{Y}", "{d}{m}{Y}",
               "{y}{m}{d}", "{Y}{MON}{d}", "{Y}{m}{d}_{H4}", "{Y}_{n}_{j}"]
PREFIXES = ["CT ", "", "scan ", "Lesion A ", "FU ", "pre-op "]
CODE_PREFIXES = ["CT_", "", "SCAN_", "FU_"]
DEVICE_PLACES = ["SoftwareVersions", "SequenceName", "ConvolutionKernel", "AlgorithmVersion", "ViewName"]
CODE_PLACES = ["ContentLabel", "BodyPartExamined", "ImageTypeValue"]
NUMBER_PLACES = ["SeriesNumber", "AcquisitionNumber", "InstanceNumber", "SliceLocation", "SRNumeric", "PerFrameUL"]
SR_FORMS = ["{v}", "Compared with {v}.", "Prior study {v}: stable", "Follow up on {v}"]


def _day(rng: random.Random) -> dict[str, str]:
    y, m, d = rng.randint(1995, 2030), rng.randint(1, 12), rng.randint(13, 28)   # a day past 12: no M/D mix-up
    h = f"{rng.randint(7, 20):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}"
    return {"Y": str(y), "y": f"{y % 100:02d}", "m": f"{m:02d}", "d": f"{d:02d}", "n": str(m), "j": str(d),
            "MON": MONTHS[m - 1], "Mon": MONTHS[m - 1].title(), "R": f"{y - 1911:03d}", "H": h, "H4": h[:4]}


def _written(shape: str, day: dict[str, str]) -> str:
    return shape.format(**day)


def _secret(written: str) -> tuple[str, ...]:
    """What must not remain: the date as written (a short one, "14 May", is searched whole)."""
    return (written,)


def label_members(rng: random.Random) -> list[Member]:
    out = []
    places = LABEL_PLACES + DEVICE_PLACES + ["SRCode"]
    for i, shape in enumerate(TEXT_SHAPES):
        for j, where in enumerate(places):
            if (i + j) % 2:
                continue
            date = _written(shape, _day(rng))
            value = PREFIXES[(i + j) % len(PREFIXES)] + date
            ds = base()
            if where in DEVICE_PLACES:
                setattr(ds, where, value)
            else:
                _place(ds, where, value)
            out.append(Member("date-label", f"{where}:{value}", to_bytes(ds), _secret(date)))
    return out


def code_members(rng: random.Random) -> list[Member]:
    out = []
    for i, shape in enumerate(CODE_SHAPES):
        for j, where in enumerate(CODE_PLACES):
            for prefix in CODE_PREFIXES[(i + j) % 2::2]:
                date = _written(shape, _day(rng)).upper()
                value = (prefix + date)[:16]
                ds = base()
                if where == "BodyPartExamined":
                    ds.BodyPartExamined = value
                else:
                    _place(ds, where, value)
                out.append(Member("date-code", f"{where}:{value}", to_bytes(ds), _secret(date)))
    return out


def _number(ds: Dataset, where: str, value: str) -> None:
    if where == "SRNumeric":
        item = Dataset()
        item.RelationshipType, item.ValueType = "CONTAINS", "NUM"
        item.ConceptNameCodeSequence = Sequence([_code("121071", "Finding", "DCM")])
        measured = Dataset()
        measured.NumericValue = value
        measured.MeasurementUnitsCodeSequence = Sequence([_code("1", "no units", "UCUM")])
        item.MeasuredValueSequence = Sequence([measured])
        ds.ContentSequence = Sequence([item])
    elif where == "PerFrameUL":
        content = Dataset()
        content.FrameAcquisitionNumber = 1
        content.DimensionIndexValues = [1, int(value.split(".")[0])]
        group = Dataset()
        group.FrameContentSequence = Sequence([content])
        ds.PerFrameFunctionalGroupsSequence = Sequence([group])
    else:
        setattr(ds, where, value)


def number_members(rng: random.Random) -> list[Member]:
    out = []
    shapes = ["{Y}{m}{d}", "{Y}{m}{d}{H4}", "{R}{m}{d}", "{Y}{m}{d}.{H4}"]
    for i in range(36):
        where = NUMBER_PLACES[i % len(NUMBER_PLACES)]
        shape = shapes[(i // len(NUMBER_PLACES)) % len(shapes)]
        if where != "SliceLocation" and "." in shape:
            shape = "{Y}{m}{d}"
        if where in ("SeriesNumber", "AcquisitionNumber", "InstanceNumber", "PerFrameUL") and "{H4}" in shape:
            shape = "{Y}{m}{d}"   # IS and UL hold at most 12 and 10 digits
        value = _written(shape, _day(rng))
        ds = base()
        _number(ds, where, value)
        out.append(Member("date-number", f"{where}:{value}", to_bytes(ds), (value.split(".")[0],)))
    return out


def sr_members(rng: random.Random) -> list[Member]:
    out = []
    for i, shape in enumerate(TEXT_SHAPES):
        for form in SR_FORMS[i % 2::2]:
            date = _written(shape, _day(rng))
            text = form.format(v=date)
            out.append(Member("date-sr", text, to_bytes(_sr(text)), _secret(date)))
    return out


def adjacent_members(rng: random.Random) -> list[Member]:
    out = []
    places = [p for p in ADJACENT if p not in ("IconImage", "SiemensCSA", "GEPrivate", "PhilipsPrivate")]
    for i, where in enumerate(places):
        for shape in TEXT_SHAPES[i % 4::4]:
            date = _written(shape, _day(rng))
            value = "Liver " + date
            out.append(Member("date-adjacent", f"{where}:{value}", to_bytes(_adjacent(where, value)), _secret(date)))
    return out


_WIDE = {"full-width": str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}),
         "arabic-indic": str.maketrans({str(d): chr(0x660 + d) for d in range(10)}),
         "devanagari": str.maketrans({str(d): chr(0x966 + d) for d in range(10)}),
         "wide digits": str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)})}


def wide_members(rng: random.Random) -> list[Member]:
    """The same dates in other scripts' digits or full-width forms, one character for one."""
    out = []
    for i, shape in enumerate(TEXT_SHAPES):
        for j, (script, table) in enumerate(_WIDE.items()):
            if (i + j) % 2:
                continue
            date = _written(shape, _day(rng)).translate(table)
            value = "CT " + date
            if j % 2:
                text = f"Compared with {date}."
                out.append(Member("date-wide", f"SR:{script}:{text}", to_bytes(_sr(text)), _secret(date)))
            else:
                ds = base()
                _place(ds, LABEL_PLACES[i % len(LABEL_PLACES)], value)
                out.append(Member("date-wide", f"{script}:{value}", to_bytes(ds), _secret(date)))
    return out


def all_members() -> list[Member]:
    rng = random.Random(10)
    return (label_members(rng) + code_members(rng) + number_members(rng) + sr_members(rng) + adjacent_members(rng)
            + wide_members(rng))


__all__ = ["CODE_SHAPES", "TEXT_SHAPES", "all_members"]
