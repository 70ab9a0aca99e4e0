"""DICOM de-identification: PS3.15 basic-profile headers and burned-in text masking (D1)."""
from deidentify.dicom.deid import DicomReport, deidentify_dataset, deidentify_dicom, deidentify_dicom_many
from deidentify.dicom.pixels import PixelOptions

__all__ = ["DicomReport", "PixelOptions", "deidentify_dataset", "deidentify_dicom", "deidentify_dicom_many"]
