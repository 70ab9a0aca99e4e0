"""De-identification: keyed re-coding, generalisation, free-text and DICOM scrubbing (D1)."""
