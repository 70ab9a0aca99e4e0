"""Single-user server lock-down: no /files/, no nbconvert, no terminals, no download plugins.

The server side (authorizer, handlers) is the part that refuses; the JupyterLab plugins are
disabled *and* locked so the menus do not offer what the server refuses anyway.  None of this is
the boundary - ``/api/contents`` still returns file bodies to the editor - the boundary is the
namespace sandbox and egress review.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from jupyterhub.singleuser.extension import JupyterHubAuthorizer

# S1: every JupyterLab path for copying data out of the browser session.
LOCKED_PLUGINS = (
    "@jupyterlab/docmanager-extension:download",
    "@jupyterlab/filebrowser-extension:download",
    "@jupyterlab/docmanager-extension:open-browser-tab",
    "@jupyterlab/filebrowser-extension:open-browser-tab",
    "@jupyterlab/filebrowser-extension:share-file",
    "@jupyterlab/notebook-extension:export",
    "@jupyterlab/notebook-extension:copy-output",
    "@jupyterlab/apputils-extension:print",
)
# Links and fetches to the internet (the session has no route out; a dead link or a hanging
# fetch is all they would give): help resources, the forum, news and update checks.
OFFLINE_PLUGINS = (
    "@jupyterlab/help-extension:resources",
    "@jupyterlab/help-extension:jupyter-forum",
    "@jupyterlab/help-extension:open",
    "@jupyterlab/help-extension:about",  # its dialog links to jupyter.org and GitHub
)
# What every session's JupyterLab starts with (settings overrides, read-only): Traditional
# Chinese (the jupyterlab-language-pack-zh-TW package), no news, no update checks.
LAB_OVERRIDES = {
    "@jupyterlab/translation-extension:plugin": {"locale": "zh_TW"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}
REFUSED_RESOURCES = ("nbconvert",)
# Every page the session's server sends: nothing it loads may talk to, fetch from or post to
# another origin, embed plug-ins or be framed; a script that got into the page anyway (kernel
# output is made inert first: singleuser/inert.py) could reach only this server and its guard.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:", "font-src 'self' data:",
    "connect-src 'self'", "media-src 'none'", "object-src 'none'", "frame-src 'self'",
    "worker-src 'self' blob:", "form-action 'self'", "base-uri 'self'",
    "frame-ancestors 'none'"))
SESSION_CONFIG_MOUNT = "/opt/enclave/jupyter"  # where the spawner binds this directory

SERVER_CONFIG = '''\
# Written by hub_config.lockdown; mounted read-only at a system path inside every session.
c = get_config()  # noqa: F821
c.ServerApp.authorizer_class = "hub_config.lockdown.EnclaveAuthorizer"
c.ServerApp.terminals_enabled = False
c.ContentsManager.files_handler_class = None       # /files/ -> 404
c.ContentsManager.allow_hidden = False
c.FileContentsManager.delete_to_trash = False
c.ServerApp.allow_remote_access = True
c.LabApp.collaborative = False
c.MappingKernelManager.cull_idle_timeout = 0
c.ServerApp.tornado_settings = {{"headers": {{"Content-Security-Policy": {csp!r}}}}}
# The browser guard (hub_config.singleuser): every route decided, bodies only of typed work,
# uploads refused, kernel output capped; LSP and terminals not loaded at all.
c.ServerApp.jpserver_extensions = {{"hub_config.singleuser": True, "jupyter_lsp": False,
                                   "jupyter_server_terminals": False}}
c.ServerApp.contents_manager_class = "hub_config.singleuser.contents.GuardedContentsManager"
c.ServerApp.kernel_websocket_connection_class = (
    "hub_config.singleuser.kernelws.CappedKernelWebsocketConnection")
# Kernel specs (the extension also cuts their search path to read-only dirs), lab settings and
# layouts only from read-only places: the user's own dirs are writable by the kernel, and what
# the server reads there it would hand to the browser.
c.KernelSpecManager.allowed_kernelspecs = {{"python3"}}
c.LabApp.user_settings_dir = "{config_dir}/lab/user-settings"
c.LabApp.workspaces_dir = "{config_dir}/lab/workspaces"
c.LabApp.app_settings_dir = "{config_dir}/lab/settings"   # overrides.json: zh_TW, no news
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
# the slot clock (hub_config.singleuser.slot_clock), a prebuilt lab extension, read-only
c.LabApp.extra_labextensions_path = [{labextensions!r}]
'''


class EnclaveAuthorizer(JupyterHubAuthorizer):
    """Hub scopes as usual, but nobody may use nbconvert (export/download of notebooks)."""

    def is_authorized(self, handler, user, action, resource):
        if resource in REFUSED_RESOURCES:
            self.log.warning("enclave lock-down: refused %s on %s for %s", action, resource,
                             getattr(user, "username", user))
            return False
        return super().is_authorized(handler, user, action, resource)


def write_system_config(directory: Path) -> Path:
    """Write the read-only Jupyter config directory the sessions use (returns it)."""
    directory.mkdir(parents=True, exist_ok=True)
    from hub_config.singleuser.slot_clock import LABEXTENSIONS

    (directory / "jupyter_server_config.py").write_text(SERVER_CONFIG.format(
        config_dir=SESSION_CONFIG_MOUNT, labextensions=os.path.realpath(LABEXTENSIONS),
        csp=CONTENT_SECURITY_POLICY))
    for sub in ("lab", "lab/user-settings", "lab/workspaces", "lab/settings"):
        (directory / sub).mkdir(exist_ok=True)
    (directory / "lab/settings/overrides.json").write_text(
        json.dumps(LAB_OVERRIDES, indent=1, ensure_ascii=False))
    os.chmod(directory / "lab/settings/overrides.json", 0o444)
    for sub in ("lab", "lab/user-settings", "lab/workspaces", "lab/settings"):
        os.chmod(directory / sub, 0o555)
    lab = directory / "labconfig"
    lab.mkdir(exist_ok=True)
    page = {"disabledExtensions": {p: True for p in LOCKED_PLUGINS + OFFLINE_PLUGINS},
            "lockedExtensions": {p: True for p in LOCKED_PLUGINS + OFFLINE_PLUGINS}}
    (lab / "page_config.json").write_text(json.dumps(page, indent=1))
    for p in (directory / "jupyter_server_config.py", lab / "page_config.json"):
        os.chmod(p, 0o444)
    for d in (directory, lab):
        os.chmod(d, 0o555)
    return directory
