# JupyterHub configuration for the enclave (loaded with `jupyterhub -f`).
# Runtime values come from the hub.json written by hub_config.launch.prepare
# ($ENCLAVE_HUB_CONFIG); every threshold comes from the policy (rule IDs in policies/).
import json
import os
import sys
from pathlib import Path

from hub_config.auth import booking_pre_spawn_hook
from hub_config.pages import HUB_HEADERS, TEMPLATES
from hub_config.pages import template_vars as page_template_vars
from hub_config.singleuser.config import GUARD_ENV
from hub_config.singleuser.config import from_policy as guard_from_policy
from hub_config.broker_launch import broker_settings, warden_socket
from hub_config.sandbox_binds import unix_url
from enclave.settings import SETTINGS_LOCATIONS
from policies import load_policy

c = get_config()  # noqa: F821
cfg = json.loads(Path(os.environ["ENCLAVE_HUB_CONFIG"]).read_text())
policy = load_policy(cfg["policy_dir"] or None)
sess = policy.sessions
state = Path(cfg["state_dir"])
socks = Path(cfg["socket_root"])
hub_sock = str(socks / "hub" / "hub.sock")

# --- hub, proxy, hub API on a unix socket (sessions have no network, only this socket) ---
c.JupyterHub.bind_url = f"http://{cfg['bind_host']}:{cfg['port']}/"
c.JupyterHub.hub_bind_url = unix_url(hub_sock)
# every hub response: a strict CSP, no framing, no caching (hub_config.pages.HUB_HEADERS)
_hub_headers = dict(HUB_HEADERS)
if cfg.get("ssl_cert"):  # HTTPS on the public port (launch.py passes cert, key and https bind_url)
    _hub_headers["Strict-Transport-Security"] = "max-age=31536000"
c.JupyterHub.tornado_settings = {"headers": _hub_headers}
c.JupyterHub.hub_socket_mode = 0o666  # any session uid may connect; tokens authenticate
c.JupyterHub.proxy_class = "hub_config.proxy.UnixSocketProxy"
# The proxy's routing API on a unix socket in a root-only directory (no TCP port at all: the
# routing table decides who reaches which session, so only the hub - root - may change it)
_proxy_dir = socks / "proxy"
_proxy_dir.mkdir(mode=0o700, exist_ok=True)
if os.geteuid() == 0:
    os.chown(_proxy_dir, 0, 0)
os.chmod(_proxy_dir, 0o700)
c.ConfigurableHTTPProxy.api_url = unix_url(str(_proxy_dir / "api.sock"))
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.allow_named_servers = False  # S4: one seat, one server
c.JupyterHub.shutdown_on_logout = True
# S1/S2: tokens live no longer than a slot; cookies are re-checked against the booking.
c.JupyterHub.oauth_token_expires_in = sess.token_lifetime_seconds
c.JupyterHub.cookie_max_age_days = max(sess.token_lifetime_seconds / 86400, 0.01)

# S1: no token outlives a slot, whatever the token page or API asks for
c.JupyterHub.token_expires_in_max_seconds = sess.token_lifetime_seconds

# --- the hub's pages: Traditional Chinese first, then English, the booked slot's countdown,
# no links out of the enclave (hub_config/templates over JupyterHub's own, hub_config.pages)
c.JupyterHub.template_paths = [str(TEMPLATES)]
c.JupyterHub.template_vars = page_template_vars(cfg["db_url"], policy)

# --- identity and the booking gate ---
c.JupyterHub.authenticator_class = "hub_config.auth.EnclaveAuthenticator"
c.EnclaveAuthenticator.backend = cfg["backend"]
c.EnclaveAuthenticator.db_url = cfg["db_url"]
c.EnclaveAuthenticator.policy_dir = cfg["policy_dir"]
if cfg["backend"] == "ldap":
    ld = cfg["ldap"]
    c.EnclaveAuthenticator.ldap_server_uri = ld["server_uri"]
    c.EnclaveAuthenticator.ldap_user_dn_template = ld["user_dn_template"]
    c.EnclaveAuthenticator.ldap_group_search_base = ld["group_search_base"]
    if ld.get("group_filter"):
        c.EnclaveAuthenticator.ldap_group_filter = ld["group_filter"]
    c.EnclaveAuthenticator.ldap_group_roles = ld.get("group_roles", {})
c.Authenticator.allow_all = False  # allow_all would skip check_allowed (the gate)
c.Authenticator.auth_refresh_age = sess.auth_refresh_seconds
c.Authenticator.auth_refresh_strict = True
c.Authenticator.refresh_pre_spawn = True

# --- sessions ---
if cfg["spawner"] == "plain":
    c.JupyterHub.spawner_class = "hub_config.spawner.PlainSpawner"
    c.Spawner.args = ["--allow-root"]
    # benchmark baseline: the browser guard on, as for a seat on this host (no sandbox, no desktop)
    c.Spawner.environment = {"JUPYTER_CONFIG_PATH": cfg["session_jupyter"],
                             GUARD_ENV: guard_from_policy(sess, mode="on_site",
                                                          seat_addresses=["127.0.0.1"]).to_env()}
else:
    c.JupyterHub.spawner_class = "hub_config.spawner.EnclaveSpawner"
    # the remote desktop's execute-only programs (hub_config.exec_only): copied now, once per
    # host, rather than inside the first spawn (a few hundred megabytes)
    try:
        from hub_config.exec_only import desktop_binds

        desktop_binds()
    except OSError as e:  # the spawn tries again and says why if it cannot
        print(f"enclave: execute-only desktop programs not made yet: {e}", file=sys.stderr)
    c.Spawner.pre_spawn_hook = booking_pre_spawn_hook
    c.EnclaveSpawner.projects_dir = cfg["projects_dir"]
    c.EnclaveSpawner.socket_root = cfg["socket_root"]
    c.EnclaveSpawner.sandbox_root = cfg["sandbox_root"]
    c.EnclaveSpawner.system_config_dir = cfg["session_jupyter"]
    c.EnclaveSpawner.egress_url = cfg["egress_url"]
    c.EnclaveSpawner.limits = {"memory_mb": sess.sandbox_memory_mb,
                               "cpu_percent": sess.sandbox_cpu_percent,
                               "max_processes": sess.sandbox_max_processes,
                               "workspace_mb": sess.workspace_quota_mb,  # S1: the disk too
                               "scratch_mb": sess.scratch_tmpfs_mb,
                               "log_mb": sess.sandbox_log_max_mb}
    # the workspace images stay mounted while the hub runs; its exit (sessions stopped by
    # then) lets them go (hub_config.workspace_disk)
    import atexit

    from hub_config import workspace_disk

    atexit.register(workspace_disk.release_all, Path(cfg["projects_dir"]))
    c.EnclaveSpawner.require_limits = sess.sandbox_require_cgroups  # S1
    # the server made non-dumpable first: a kernel (same uid) cannot rewrite it via /proc
    c.EnclaveSpawner.cmd = [sys.executable, "-m", "hub_config.session_server"]
    c.EnclaveSpawner.id_bases = {"uid_base": sess.sandbox_uid_base,
                                 "gid_base": sess.sandbox_gid_base}
    c.EnclaveSpawner.broker = broker_settings(policy)
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
# S1: in remote mode the browser gets the desktop (pixels); JupyterLab runs inside it
c.Spawner.default_url = "/desktop/" if sess.access_mode == "remote" else "/lab"
c.Spawner.disable_user_config = True
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120  # a loaded 2-core host took >30 s for 20 at once
c.Spawner.oauth_client_allowed_scopes = []

# --- the warden: slot-end cut-off, no-shows, session query log ---
c.JupyterHub.services = [{
    "name": "enclave-warden",
    "command": [sys.executable, "-m", "hub_config.warden"],
    "environment": {
        "ENCLAVE_DB_URL": cfg["db_url"],
        "ENCLAVE_POLICY": cfg["policy_dir"] or os.environ.get("ENCLAVE_POLICY", ""),
        "ENCLAVE_WARDEN_SOCKET": str(warden_socket(socks)),
        "ENCLAVE_HOME": cfg["home"],
        "ENCLAVE_HUB_CONFIG": os.environ["ENCLAVE_HUB_CONFIG"],  # for overnight runs (S5)
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        # where the hub's settings put keys, journal and data (an operator may move any of
        # them): the warden must seal the audit chain with the same master key
        **{k: v for k, v in os.environ.items()
           if k in SETTINGS_LOCATIONS and k not in ("ENCLAVE_HOME", "ENCLAVE_DB_URL")},
    },
}]
c.JupyterHub.load_roles = [{
    "name": "enclave-warden",
    "scopes": ["list:users", "read:users", "admin:servers", "admin:server_state", "tokens"],
    "services": ["enclave-warden"],
}]
