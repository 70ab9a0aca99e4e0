// The enclave's touches to JupyterLab 4, as a module-federation container written by hand
// (JupyterLab loads this file, calls init() with its shared modules, then get("./extension")).
//
// The slot clock shows the booked slot's end (Taipei time) and a countdown, turns red and
// warns N minutes before the end, and says when the slot has ended.  The slot comes from the
// page config the session's server writes (hub_config.singleuser.slot_clock); the server's own
// clock corrects a workstation clock that is off.  A booking can change while the session runs,
// so the end is re-read from the server (GET <base>enclave/slot, which asks the hub) at start
// and then every pollSeconds the answer gives.  The same clock runs in the remote desktop's
// bar (hub_config.singleuser.desktop_handlers), which loads this file as a plain script and
// calls window.enclaveSlotClock with its own request and notice functions.
//
// The menu-title plugin names the main menu's titles in Traditional Chinese: the zh-TW
// language pack has no entries for most of them, so JupyterLab would show "File", "Edit"...
(function () {
  "use strict";
  var shared = null;

  function sharedModule(name) {
    // the newest version JupyterLab offers in its share scope, or null
    var versions = shared && shared[name];
    if (!versions) { return Promise.resolve(null); }
    var newest = Object.keys(versions).sort(function (a, b) {
      var x = a.split(".").map(Number), y = b.split(".").map(Number);
      for (var i = 0; i < 3; i++) { if ((x[i] || 0) !== (y[i] || 0)) { return (x[i] || 0) - (y[i] || 0); } }
      return 0;
    }).pop();
    return Promise.resolve(versions[newest].get()).then(function (factory) { return factory(); });
  }

  function pageConfig() {
    var el = document.getElementById("jupyter-config-data");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }

  function two(n) { return String(n).padStart(2, "0"); }

  // The clock on `node`.  slot: {ends, endsTaipei, warnMinutes, now} as the server describes
  // it; io.request() resolves to the server's fresh answer (or null), io.notify(kind, text)
  // tells the researcher ("info" or "warning"), io.state(state) is told "ok", "warning",
  // "ended" or "unknown" on every change.
  function startClock(node, slot, io) {
    slot = Object.assign({}, slot || {});
    var ends = Date.parse(slot.ends || ""), skew = Date.parse(slot.now || "") - Date.now();
    if (isNaN(skew)) { skew = 0; }
    var pollMs = 30000, warnAt = 60 * (slot.warnMinutes || 10), warned = false, shown = null;
    node.setAttribute("lang", "zh-Hant");
    node.dataset.ends = slot.ends || "";
    node.dataset.warnMinutes = String(slot.warnMinutes || 10);
    function notify(kind, text) {
      node.title = text;
      if (io.notify) { io.notify(kind, text); }
    }
    function apply(d) {
      // the server's answer: {ends, endsTaipei, warnMinutes, now, booked, pollSeconds}
      var sk = Date.parse(d.now || "") - Date.now();
      if (!isNaN(sk)) { skew = sk; }
      var p = Number(d.pollSeconds);
      if (p >= 5 && p <= 600) { pollMs = 1000 * p; }
      if (d.warnMinutes) {
        slot.warnMinutes = d.warnMinutes; warnAt = 60 * d.warnMinutes;
        node.dataset.warnMinutes = String(d.warnMinutes);
      }
      var e = d.booked === false ? Date.now() + skew : Date.parse(d.ends || "");
      if (isNaN(e) || e === ends) { tick(); return; }
      var later = isNaN(ends) || e > ends;
      ends = e;
      slot.ends = d.ends || "";
      slot.endsTaipei = d.booked === false ? "—" : d.endsTaipei;
      node.dataset.ends = slot.ends;
      if (later && (ends - Date.now() - skew) / 1000 > warnAt) { warned = false; }
      if (d.booked !== false) {
        notify("info", "時段結束時間已更新為 " + slot.endsTaipei + "（台北時間）。 The slot now ends at " +
               slot.endsTaipei + " Taipei.");
      }
      tick();
    }
    function reread() {
      // only to this server; without an answer the page keeps the end it was given
      Promise.resolve()
        .then(function () { return io.request ? io.request() : null; })
        .then(function (d) { if (d) { apply(d); } })
        .catch(function () { /* the hub restarting: keep the end shown */ })
        .then(function () { setTimeout(reread, pollMs); });
    }
    function tick() {
      var state;
      if (isNaN(ends)) {
        node.textContent = "時段結束時間不明 slot end unknown";
        state = "unknown";
      } else {
        var s = Math.max(0, Math.floor((ends - Date.now() - skew) / 1000));
        var left = two(Math.floor(s / 3600)) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
        node.textContent = s > 0
          ? "時段結束 " + slot.endsTaipei + "（台北）剩餘 " + left + " · slot ends " + slot.endsTaipei + " Taipei, " + left + " left"
          : "時段已結束，工作階段即將停止 · Slot ended: the session is stopping";
        state = s <= 0 ? "ended" : (s <= warnAt ? "warning" : "ok");
      }
      node.dataset.state = state;
      if (state !== shown) {
        shown = state;
        if (io.state) { io.state(state); }
      }
      if ((state === "warning" || state === "ended") && !warned) {
        warned = true;
        notify("warning", "距時段結束不到 " + slot.warnMinutes + " 分鐘（" + slot.endsTaipei +
               " 台北時間），屆時工作階段會停止：請儲存筆記本。 Less than " + slot.warnMinutes +
               " minutes to the slot's end (" + slot.endsTaipei + " Taipei): the session will" +
               " stop then - save your notebooks.");
      }
    }
    tick();
    setInterval(tick, 1000);
    setTimeout(reread, 1000);
    return {apply: apply, tick: tick};
  }
  window.enclaveSlotClock = startClock;

  function clockPlugin(widgets, apputils, services) {
    return {
      id: "enclave-slot-clock:plugin",
      description: "Booked slot's end and countdown (NHI enclave).",
      autoStart: true,
      activate: function (app) {
        var node = document.createElement("div");
        node.id = "enclave-slot-clock";
        node.style.cssText = "padding:0 10px;font-size:13px;line-height:28px;white-space:nowrap;" +
                             "border-radius:3px;margin:2px 8px";
        if (widgets && widgets.Widget) {
          var w = new widgets.Widget({node: node});
          w.id = "enclave-slot-clock";
          app.shell.add(w, "top", {rank: 900});
        } else {  // no Lumino in the share scope: a fixed corner, still visible
          node.style.cssText += ";position:fixed;top:2px;right:120px;z-index:10000";
          document.body.appendChild(node);
        }
        startClock(node, pageConfig().enclaveSlot, {
          request: function () {
            // through JupyterLab's own connection (its log-in and XSRF header), this server only
            if (!(services && services.ServerConnection)) { return null; }
            var s = services.ServerConnection.makeSettings();
            return services.ServerConnection.makeRequest(s.baseUrl + "enclave/slot", {}, s)
              .then(function (r) { return r.ok ? r.json() : null; });
          },
          notify: function (kind, text) {
            if (apputils && apputils.Notification) {
              apputils.Notification[kind](text, {autoClose: kind === "info" ? 8000 : false});
            }
          },
          state: function (state) {
            node.style.background = state === "warning" || state === "ended" ? "#8b1a1a" : "";
            node.style.color = state === "warning" || state === "ended" ? "#fff" : "";
          },
        });
      },
    };
  }

  // The main menu's titles, by menu id (English kept here for the reader).
  var MENU_TITLES = {
    "jp-mainmenu-file": ["檔案", "File"], "jp-mainmenu-edit": ["編輯", "Edit"],
    "jp-mainmenu-view": ["檢視", "View"], "jp-mainmenu-run": ["執行", "Run"],
    "jp-mainmenu-kernel": ["核心", "Kernel"], "jp-mainmenu-tabs": ["分頁", "Tabs"],
    "jp-mainmenu-settings": ["設定", "Settings"], "jp-mainmenu-help": ["說明", "Help"],
  };

  function menuPlugin(mainmenu) {
    return {
      id: "enclave-slot-clock:menu-titles",
      description: "Main menu titles in Traditional Chinese (NHI enclave).",
      autoStart: true,
      optional: mainmenu && mainmenu.IMainMenu ? [mainmenu.IMainMenu] : [],
      activate: function (app, mainMenu) {
        function name(menu) {
          var t = MENU_TITLES[menu.id];
          if (!t || menu.title.label === t[0]) { return; }
          menu.title.label = t[0];
          menu.title.mnemonic = -1;
        }
        function all() {
          // the menu bar is filled from the settings after start-up; a menu re-labelled later
          // (a settings reload) is named again
          var menus = (mainMenu && mainMenu.menus) || [];
          menus.forEach(function (m) {
            name(m);
            if (!m.enclaveNamed) {
              m.enclaveNamed = true;
              m.title.changed.connect(function () { name(m); });
            }
          });
        }
        if (!mainMenu) { return; }
        all();
        app.restored.then(function () { all(); setTimeout(all, 3000); });
      },
    };
  }

  var container = {
    init: function (scope) { shared = scope; },
    get: function (module) {
      if (module !== "./extension") {
        return Promise.reject(new Error("enclave-slot-clock has no module " + module));
      }
      return Promise.all([sharedModule("@lumino/widgets"), sharedModule("@jupyterlab/apputils"),
                          sharedModule("@jupyterlab/services"), sharedModule("@jupyterlab/mainmenu")])
        .then(function (mods) {
          var exports = {__esModule: true,
                         default: [clockPlugin(mods[0], mods[1], mods[2]), menuPlugin(mods[3])]};
          return function () { return exports; };
        });
    },
  };
  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB["enclave-slot-clock"] = container;
})();
