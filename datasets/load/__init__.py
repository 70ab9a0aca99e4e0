"""Steward loader: validate, de-identify and write an atomic warehouse release."""
from datasets.load.files import LoadError
from datasets.load.loader import (FileReport, LoadReport, connect_release, list_releases,
                                  load_release, release_path, releases_dir)

__all__ = ["LoadError", "LoadReport", "FileReport", "load_release", "list_releases",
           "release_path", "releases_dir", "connect_release"]
