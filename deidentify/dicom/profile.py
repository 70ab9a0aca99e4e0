"""DICOM PS3.15 Annex E, Basic Application Level Confidentiality Profile: header actions.

Action codes as in the standard's Table E.1-1: X remove, Z zero-length (or replaced here by the
pseudonym for the patient), D dummy value, U replace a UID by a consistent new one, K keep.
Where the table allows a choice (X/Z, X/D, Z/D, X/Z/D, X/Z/U*), the more removing choice that
keeps the object valid is taken: Z for type-2 attributes, X otherwise, U for UID references.
Anything not listed gets a default by value representation (see ``default_action``): person
names emptied, instance UIDs re-mapped, dates and times emptied, private tags removed.
"""
from __future__ import annotations

# keyword → action.  Grouped as in Table E.1-1 (alphabetical there).
BASIC_PROFILE: dict[str, str] = {
    "AccessionNumber": "Z", "AcquisitionComments": "X", "AcquisitionContextSequence": "X",
    "AcquisitionDate": "Z", "AcquisitionDateTime": "X", "AcquisitionDeviceProcessingDescription": "X",
    "AcquisitionProtocolDescription": "X", "AcquisitionTime": "Z", "ActualHumanPerformersSequence": "X",
    "AdditionalPatientHistory": "X", "AdmissionID": "X", "AdmittingDate": "X",
    "AdmittingDiagnosesCodeSequence": "X", "AdmittingDiagnosesDescription": "X", "AdmittingTime": "X",
    "AffectedSOPInstanceUID": "X", "Allergies": "X", "Arbitrary": "X", "AuthorObserverSequence": "X",
    "BranchOfService": "X", "CassetteID": "X", "CommentsOnThePerformedProcedureStep": "X",
    "ConcatenationUID": "U", "ConfidentialityConstraintOnPatientDataDescription": "X",
    "ContentCreatorName": "Z", "ContentCreatorIdentificationCodeSequence": "X", "ContentDate": "Z",
    "ContentSequence": "X", "ContentTime": "Z", "ContextGroupExtensionCreatorUID": "U",
    "ContrastBolusAgent": "Z", "ContributionDescription": "X", "CountryOfResidence": "X",
    "CreatorVersionUID": "U", "CurrentPatientLocation": "X", "CurveDate": "X", "CurveTime": "X",
    "CustodialOrganizationSequence": "X", "DataSetTrailingPadding": "X", "DerivationDescription": "X",
    "DetectorID": "X", "DeviceSerialNumber": "X", "DeviceUID": "U", "DigitalSignatureUID": "U",
    "DigitalSignaturesSequence": "X", "DimensionOrganizationUID": "U",
    "DischargeDiagnosisDescription": "X", "DistributionAddress": "X", "DistributionName": "X",
    "DoseReferenceUID": "U", "EthnicGroup": "X", "FailedSOPInstanceUIDList": "U", "FiducialUID": "U",
    "FillerOrderNumberImagingServiceRequest": "Z", "FrameComments": "X", "FrameOfReferenceUID": "U",
    "GantryID": "X", "GeneratorID": "X", "GraphicAnnotationSequence": "X", "HumanPerformerName": "X",
    "HumanPerformerOrganization": "X", "IconImageSequence": "X", "IdentifyingComments": "X",
    "ImageComments": "X", "ImagePresentationComments": "X", "ImagingServiceRequestComments": "X",
    "Impressions": "X", "InstanceCreationDate": "X", "InstanceCreationTime": "X",
    "InstanceCreatorUID": "U", "InstitutionAddress": "X", "InstitutionCodeSequence": "X",
    "InstitutionName": "X", "InstitutionalDepartmentName": "X", "InsurancePlanIdentification": "X",
    "IntendedRecipientsOfResultsIdentificationSequence": "X", "InterpretationApproverSequence": "X",
    "InterpretationAuthor": "X", "InterpretationDiagnosisDescription": "X",
    "InterpretationIDIssuer": "X", "InterpretationRecorder": "X", "InterpretationText": "X",
    "InterpretationTranscriber": "X", "IrradiationEventUID": "U", "IssuerOfAdmissionID": "X",
    "IssuerOfPatientID": "X", "IssuerOfServiceEpisodeID": "X", "LargePaletteColorLookupTableUID": "U",
    "MAC": "X", "MediaStorageSOPInstanceUID": "U", "MedicalAlerts": "X", "MedicalRecordLocator": "X",
    "MilitaryRank": "X", "ModifiedAttributesSequence": "X", "ModifiedImageDate": "X",
    "ModifiedImageDescription": "X", "ModifiedImageID": "X", "ModifiedImageTime": "X",
    "ModifyingDeviceID": "X", "ModifyingDeviceManufacturer": "X", "NameOfPhysiciansReadingStudy": "X",
    "NamesOfIntendedRecipientsOfResults": "X", "Occupation": "X",
    "OperatorIdentificationSequence": "X", "OperatorsName": "X", "OriginalAttributesSequence": "X",
    "OrderCallbackPhoneNumber": "X", "OrderEnteredBy": "X", "OrderEntererLocation": "X",
    "OtherPatientIDs": "X", "OtherPatientIDsSequence": "X", "OtherPatientNames": "X",
    "ParticipantSequence": "X", "PatientAddress": "X", "PatientAge": "X", "PatientBirthDate": "Z",
    "PatientBirthName": "X", "PatientBirthTime": "X", "PatientComments": "X", "PatientID": "Z",
    "PatientInsurancePlanCodeSequence": "X", "PatientMotherBirthName": "X", "PatientName": "Z",
    "PatientPrimaryLanguageCodeSequence": "X", "PatientPrimaryLanguageModifierCodeSequence": "X",
    "PatientReligiousPreference": "X", "PatientSex": "Z", "PatientSexNeutered": "X", "PatientSize": "X",
    "PatientState": "X", "PatientTelecomInformation": "X", "PatientTelephoneNumbers": "X",
    "PatientTransportArrangements": "X", "PatientWeight": "X", "PerformedLocation": "X",
    "PerformedProcedureStepDescription": "X", "PerformedProcedureStepEndDate": "X",
    "PerformedProcedureStepEndTime": "X", "PerformedProcedureStepID": "X",
    "PerformedProcedureStepStartDate": "X", "PerformedProcedureStepStartTime": "X",
    "PerformedStationAETitle": "X", "PerformedStationGeographicLocationCodeSequence": "X",
    "PerformedStationName": "X", "PerformedStationNameCodeSequence": "X",
    "PerformingPhysicianIdentificationSequence": "X", "PerformingPhysicianName": "X",
    "PersonAddress": "X", "PersonIdentificationCodeSequence": "X", "PersonName": "Z",
    "PersonTelephoneNumbers": "X", "PersonTelecomInformation": "X",
    "PhysicianApprovingInterpretation": "X", "PhysiciansOfRecord": "X",
    "PhysiciansOfRecordIdentificationSequence": "X", "PhysiciansReadingStudyIdentificationSequence": "X",
    "PlacerOrderNumberImagingServiceRequest": "Z", "PlateID": "X", "PreMedication": "X",
    "PregnancyStatus": "X", "ProtocolName": "X", "ReasonForTheImagingServiceRequest": "X",
    "ReasonForStudy": "X", "ReferencedDigitalSignatureSequence": "X",
    "ReferencedFrameOfReferenceUID": "U", "ReferencedGeneralPurposeScheduledProcedureStepTransactionUID": "U",
    "ReferencedImageSequence": "U", "ReferencedPatientAliasSequence": "X",
    "ReferencedPatientSequence": "X", "ReferencedPerformedProcedureStepSequence": "X",
    "ReferencedSOPInstanceMACSequence": "X", "ReferencedSOPInstanceUID": "U",
    "ReferencedSOPInstanceUIDInFile": "U", "ReferencedStudySequence": "X",
    "ReferringPhysicianAddress": "X", "ReferringPhysicianIdentificationSequence": "X",
    "ReferringPhysicianName": "Z", "ReferringPhysicianTelephoneNumbers": "X", "RegionOfResidence": "X",
    "RelatedFrameOfReferenceUID": "U", "RequestAttributesSequence": "X", "RequestedContrastAgent": "X",
    "RequestedProcedureComments": "X", "RequestedProcedureDescription": "X",
    "RequestedProcedureID": "X", "RequestedProcedureLocation": "X", "RequestedSOPInstanceUID": "U",
    "RequestingPhysician": "X", "RequestingService": "X", "ResponsibleOrganization": "X",
    "ResponsiblePerson": "X", "ResultsComments": "X", "ResultsDistributionListSequence": "X",
    "ResultsIDIssuer": "X", "ReviewerName": "X", "ScheduledHumanPerformersSequence": "X",
    "ScheduledPatientInstitutionResidence": "X", "ScheduledPerformingPhysicianIdentificationSequence": "X",
    "ScheduledPerformingPhysicianName": "X", "ScheduledProcedureStepDescription": "X",
    "ScheduledProcedureStepEndDate": "X", "ScheduledProcedureStepEndTime": "X",
    "ScheduledProcedureStepID": "X", "ScheduledProcedureStepLocation": "X",
    "ScheduledProcedureStepStartDate": "X", "ScheduledProcedureStepStartTime": "X",
    "ScheduledStationAETitle": "X", "ScheduledStationGeographicLocationCodeSequence": "X",
    "ScheduledStationName": "X", "ScheduledStationNameCodeSequence": "X", "ScheduledStudyLocation": "X",
    "ScheduledStudyLocationAETitle": "X", "SeriesDate": "X", "SeriesDescription": "X",
    "SeriesInstanceUID": "U", "SeriesTime": "X", "ServiceEpisodeDescription": "X",
    "ServiceEpisodeID": "X", "SmokingStatus": "X", "SOPInstanceUID": "U", "SourceImageSequence": "U",
    "SpecialNeeds": "X", "StationName": "X", "StorageMediaFileSetUID": "U", "StudyComments": "X",
    "StudyDate": "Z", "StudyDescription": "X", "StudyID": "Z", "StudyIDIssuer": "X",
    "StudyInstanceUID": "U", "StudyTime": "Z", "SynchronizationFrameOfReferenceUID": "U",
    "TemplateExtensionCreatorUID": "U", "TemplateExtensionOrganizationUID": "U", "TextComments": "X",
    "TextString": "X", "TimezoneOffsetFromUTC": "X", "TopicAuthor": "X", "TopicKeywords": "X",
    "TopicSubject": "X", "TopicTitle": "X", "TransactionUID": "U", "UID": "U",
    "VerifyingObserverIdentificationCodeSequence": "Z", "VerifyingObserverName": "Z",
    "VerifyingObserverSequence": "X", "VerifyingOrganization": "X", "VisitComments": "X",
}

# Standard (non-private) attributes the profile leaves alone although their VR would
# otherwise trigger a default action.
KEEP = {"SpecificCharacterSet", "PatientIdentityRemoved", "DeidentificationMethod",
        "BurnedInAnnotation", "TransferSyntaxUID", "ImplementationVersionName"}


def default_action(keyword: str, vr: str, value: object) -> str:
    """Action for an attribute Table E.1-1 does not name."""
    if keyword in KEEP:
        return "K"
    if vr == "PN":
        return "Z"
    if vr == "UI":
        return "U"
    if vr in ("DA", "DT", "TM"):
        return "Z"
    return "K"
