"""DICOM de-identification: PS3.15 basic-profile headers and burned-in text masking (D1)."""
from deidentify.dicom.burned_in import HeldForReview
from deidentify.dicom.deid import DicomReport, deidentify_dataset, deidentify_dicom, deidentify_dicom_many
from deidentify.dicom.pixels import OcrUnavailable, PixelOptions

__all__ = ["DicomReport", "HeldForReview", "OcrUnavailable", "PixelOptions", "deidentify_dataset",
           "deidentify_dicom", "deidentify_dicom_many"]
