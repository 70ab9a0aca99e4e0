"""Backup and restore of the enclave's state (SATRE 2.4.05): the state database, the keys
(encrypted with a passphrase), the audit checkpoint journal and the warehouse/extract manifests.
``enclave backup`` / ``enclave restore``; a restore ends with the audit chain and its checkpoints
verified, or it changes nothing."""
from enclave.backup.archive import BackupError, create_backup, restore_backup

__all__ = ["BackupError", "create_backup", "restore_backup"]
