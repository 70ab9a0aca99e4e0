"""Steward loader: validate, de-identify and write an atomic warehouse release."""
from datasets.load.files import LoadError
from datasets.load.loader import load_release
from datasets.load.releases import connect_release, list_releases, release_path, releases_dir
from datasets.load.reports import FileReport, LoadReport

__all__ = ["LoadError", "LoadReport", "FileReport", "load_release", "list_releases",
           "release_path", "releases_dir", "connect_release"]
