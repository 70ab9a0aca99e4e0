// Loaded with `node --import` ahead of configurable-http-proxy (see hub_config/proxy.py).
//
// CHP opens a fresh connection with "Connection: close" for every request to a unix-socket
// target.  The session server then answers and closes while node may still be flushing the
// request, and node reports EPIPE instead of the answer: the browser gets the proxy's 503 for
// about one request with a body in ten on a busy host.  A keep-alive agent per socket path
// (node keys pooled sockets by socketPath) leaves the closing to the agent, which drops idle
// sockets after 30 s - long before the server's own one-hour idle limit.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";

const bin = fs.realpathSync(process.argv[1]);
const lib = path.join(path.dirname(bin), "..", "lib", "configproxy.js");
const { default: ConfigurableProxy } = await import(pathToFileURL(lib).href);

const unixAgent = new http.Agent({ keepAlive: true, timeout: 30000 });
const proxyOptsForTarget = ConfigurableProxy.prototype.proxyOptsForTarget;
ConfigurableProxy.prototype.proxyOptsForTarget = function (target) {
  const options = proxyOptsForTarget.call(this, target);
  if (options.target && options.target.socketPath) options.agent = unixAgent;
  return options;
};
