// Security keys (WebAuthn) on the log-in pages of every front end (control plane, review
// service, release area, hub) and on the control plane's two-step page: ask the server for
// options, let the browser talk to the key (navigator.credentials.create/get), send the answer
// back.  Every POST carries the page's CSRF token (the enclave's csrf_token, or the hub's _xsrf);
// the browser adds the Origin header itself.  The log-in button may name its steps:
//   data-begin  - where the password goes (default /api/webauthn/login/begin);
//   data-finish - where the key's answer goes (default /api/webauthn/login/finish), or "form":
//                 the answer is put in the log-in form (webauthn_attempt, webauthn_credential)
//                 and the form is submitted, for a front end whose own log-in handler sets the
//                 session (JupyterHub).
(function () {
  "use strict";

  function b64uToBuf(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function bufToB64u(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // [header, value] of the form's CSRF token: the enclave's apps or JupyterHub's
  function csrf(form) {
    var f = form && form.querySelector("input[name=csrf_token]");
    if (f) return ["X-CSRF-Token", f.value];
    f = form && form.querySelector("input[name=_xsrf]");
    return f ? ["X-XSRFToken", f.value] : null;
  }

  async function post(url, body, form) {
    var headers = {"Content-Type": "application/json"};
    var token = csrf(form);
    if (token) headers[token[0]] = token[1];
    var r = await fetch(url, {method: "POST", headers: headers, body: JSON.stringify(body),
                              credentials: "same-origin"});
    var data = {};
    try { data = await r.json(); } catch (e) { /* not JSON: report the status */ }
    if (!r.ok) {
      var d = data.detail;
      if (Array.isArray(d)) d = d.map(function (x) { return x.msg; }).join("; ");
      throw new Error(d || ("HTTP " + r.status));
    }
    return data;
  }

  function creationOptions(pk) {
    pk.challenge = b64uToBuf(pk.challenge);
    pk.user.id = b64uToBuf(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) { c.id = b64uToBuf(c.id); });
    return pk;
  }

  function requestOptions(pk) {
    pk.challenge = b64uToBuf(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) { c.id = b64uToBuf(c.id); });
    return pk;
  }

  function credentialJSON(cred) {
    var r = cred.response, out = {id: cred.id, rawId: bufToB64u(cred.rawId), type: cred.type,
                                  clientExtensionResults: cred.getClientExtensionResults(), response: {
                                    clientDataJSON: bufToB64u(r.clientDataJSON)}};
    if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
    if (r.attestationObject) {
      out.response.attestationObject = bufToB64u(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = bufToB64u(r.authenticatorData);
      out.response.signature = bufToB64u(r.signature);
      if (r.userHandle) out.response.userHandle = bufToB64u(r.userHandle);
    }
    return out;
  }

  function say(el, text) {
    el.textContent = text;
    el.hidden = false;
  }

  function unsupported(errorEl) {
    if (window.PublicKeyCredential && navigator.credentials) return false;
    say(errorEl, "此瀏覽器不支援安全金鑰 This browser cannot use security keys (it needs HTTPS and WebAuthn).");
    return true;
  }

  // a key button: hide the last error, stop where the browser has no WebAuthn, say what failed
  function onKeyButton(id, failed, act) {
    var button = document.getElementById(id);
    if (!button) return;
    button.addEventListener("click", async function () {
      var errorEl = document.getElementById("key-error");
      errorEl.hidden = true;
      if (unsupported(errorEl)) return;
      try {
        await act(button, button.form);
      } catch (e) {
        say(errorEl, failed + e.message);
      }
    });
  }

  // log-in page: password first (same checks as the form), then the key
  onKeyButton("key-login", "安全金鑰登入失敗 Security-key log-in failed: ", async function (login, form) {
    var begin = login.dataset.begin || "/api/webauthn/login/begin";
    var finish = login.dataset.finish || "/api/webauthn/login/finish";
    var begun = await post(begin, {
      username: form.elements.username.value, password: form.elements.password.value}, form);
    var cred = await navigator.credentials.get({publicKey: requestOptions(begun.publicKey)});
    if (finish === "form") {
      form.elements.webauthn_attempt.value = begun.attempt;
      form.elements.webauthn_credential.value = JSON.stringify(credentialJSON(cred));
      form.elements.password.value = "";  // checked already; the answer is the second step
      form.submit();
      return;
    }
    var next = form.elements.next ? form.elements.next.value : "/";
    var done = await post(finish, {attempt: begun.attempt, credential: credentialJSON(cred), next: next}, form);
    window.location.assign(done.redirect);
  });

  // the key form is only driven by its button: Enter in a field must not post it (no inline
  // handler: the pages' Content-Security-Policy runs no inline script)
  var keyForm = document.getElementById("key-form");
  if (keyForm) keyForm.addEventListener("submit", function (ev) { ev.preventDefault(); });

  // two-step page: the admin's one-time enrolment code, then the new key
  onKeyButton("key-add", "新增安全金鑰失敗 Adding the security key failed: ", async function (add, form) {
    var code = form.elements.enrolment_code.value, name = form.elements.key_name.value;
    var begun = await post("/api/webauthn/register/begin", {enrolment_code: code}, form);
    var cred = await navigator.credentials.create({publicKey: creationOptions(begun.publicKey)});
    var done = await post("/api/webauthn/register/finish", {
      enrolment_code: code, name: name, credential: credentialJSON(cred)}, form);
    window.location.assign(done.redirect);
  });
})();
