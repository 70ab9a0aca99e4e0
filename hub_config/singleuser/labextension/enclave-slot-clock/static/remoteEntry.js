// The enclave's slot clock for JupyterLab 4, as a module-federation container written by hand
// (JupyterLab loads this file, calls init() with its shared modules, then get("./extension")).
// It shows the booked slot's end (Taipei time) and a countdown in the top bar, turns red and
// raises a notification N minutes before the end, and says when the slot has ended.  The slot
// comes from the page config the session's server writes (hub_config.singleuser.slot_clock);
// the server's own clock at page time corrects a workstation clock that is off.  A booking can
// change while the session runs, so the end is re-read from the server (GET <base>enclave/slot,
// which asks the hub) at start and then every pollSeconds the answer gives.
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

  function plugin(widgets, apputils, services) {
    return {
      id: "enclave-slot-clock:plugin",
      description: "Booked slot's end and countdown (NHI enclave).",
      autoStart: true,
      activate: function (app) {
        var slot = pageConfig().enclaveSlot || {};
        var ends = Date.parse(slot.ends || ""), skew = Date.parse(slot.now || "") - Date.now();
        if (isNaN(skew)) { skew = 0; }
        var pollMs = 30000;
        var warnAt = 60 * (slot.warnMinutes || 10);
        var node = document.createElement("div");
        node.id = "enclave-slot-clock";
        node.setAttribute("lang", "zh-Hant");
        node.style.cssText = "padding:0 10px;font-size:13px;line-height:28px;white-space:nowrap;" +
                             "border-radius:3px;margin:2px 8px";
        var warned = false;
        function notify(kind, text) {
          node.title = text;
          if (apputils && apputils.Notification) {
            apputils.Notification[kind](text, {autoClose: kind === "info" ? 8000 : false});
          }
        }
        function apply(d) {
          // the server's answer: {ends, endsTaipei, warnMinutes, now, booked, pollSeconds}
          var sk = Date.parse(d.now || "") - Date.now();
          if (!isNaN(sk)) { skew = sk; }
          var p = Number(d.pollSeconds);
          if (p >= 5 && p <= 600) { pollMs = 1000 * p; }
          if (d.warnMinutes) { slot.warnMinutes = d.warnMinutes; warnAt = 60 * d.warnMinutes; }
          var e = d.booked === false ? Date.now() + skew : Date.parse(d.ends || "");
          if (isNaN(e) || e === ends) { return; }
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
          // only through JupyterLab's own connection (its log-in and XSRF header), only to
          // this server; without it the page keeps the end it was given
          if (!(services && services.ServerConnection)) { return; }
          var s = services.ServerConnection.makeSettings();
          services.ServerConnection.makeRequest(s.baseUrl + "enclave/slot", {}, s)
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (d) { if (d) { apply(d); } })
            .catch(function () { /* the hub restarting: keep the end shown */ })
            .then(function () { setTimeout(reread, pollMs); });
        }
        function tick() {
          if (isNaN(ends)) {
            node.textContent = "時段結束時間不明 slot end unknown";
            node.dataset.state = "unknown";
            return;
          }
          var s = Math.max(0, Math.floor((ends - Date.now() - skew) / 1000));
          var left = two(Math.floor(s / 3600)) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
          node.textContent = s > 0
            ? "時段結束 " + slot.endsTaipei + "（台北）剩餘 " + left + " · slot ends " + slot.endsTaipei + " Taipei, " + left + " left"
            : "時段已結束，工作階段即將停止 · Slot ended: the session is stopping";
          var state = s <= 0 ? "ended" : (s <= warnAt ? "warning" : "ok");
          node.dataset.state = state;
          node.style.background = state === "ok" ? "" : "#8b1a1a";
          node.style.color = state === "ok" ? "" : "#fff";
          if (state !== "ok" && !warned) {
            warned = true;
            var text = "距時段結束不到 " + slot.warnMinutes + " 分鐘（" + slot.endsTaipei +
                       " 台北時間），屆時工作階段會停止：請儲存筆記本。 Less than " + slot.warnMinutes +
                       " minutes to the slot's end (" + slot.endsTaipei + " Taipei): the session will" +
                       " stop then - save your notebooks.";
            notify("warning", text);
          }
        }
        if (widgets && widgets.Widget) {
          var w = new widgets.Widget({node: node});
          w.id = "enclave-slot-clock";
          app.shell.add(w, "top", {rank: 900});
        } else {  // no Lumino in the share scope: a fixed corner, still visible
          node.style.cssText += ";position:fixed;top:2px;right:120px;z-index:10000";
          document.body.appendChild(node);
        }
        node.dataset.ends = slot.ends || "";
        tick();
        setInterval(tick, 1000);
        setTimeout(reread, 1000);
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
                          sharedModule("@jupyterlab/services")])
        .then(function (mods) {
          var exports = {__esModule: true, default: [plugin(mods[0], mods[1], mods[2])]};
          return function () { return exports; };
        });
    },
  };
  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB["enclave-slot-clock"] = container;
})();
