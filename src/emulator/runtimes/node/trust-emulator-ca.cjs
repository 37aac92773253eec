'use strict';
// Makes Node trust the emulator's self-signed certificate without NODE_EXTRA_CA_CERTS, which
// loads the whole root store at process start (~15 ms of Init Duration that nodejs20.x+ on
// Lambda does not pay). Instead, the first CommonJS load of https / tls / http2 (the AWS SDK's
// HTTP handler, any client library) adds the certificate to every secure context created
// without its own `ca`, so the trust costs what a TLS user pays anyway. ES modules that import
// node:https directly are not covered (they cannot reach the runtime's SDK through NODE_PATH
// either); they can set NODE_EXTRA_CA_CERTS themselves.
const Module = require('node:module');

const TLS_USERS = new Set(['https', 'tls', 'http2', 'node:https', 'node:tls', 'node:http2']);

module.exports = function trustEmulatorCa(certPath) {
  const load = Module._load;
  let trusted = false;
  Module._load = function loadAndTrust(...args) {
    const request = args[0];
    const loaded = load.apply(this, args);
    if (!trusted && TLS_USERS.has(request)) {
      trusted = true;
      const tls = require('node:tls');
      const pem = require('node:fs').readFileSync(certPath, 'utf8');
      const create = tls.createSecureContext;
      tls.createSecureContext = function createTrustingContext(...args) {
        const options = args[0];
        const context = create.apply(this, args);
        if (!options?.ca) context.context.addCACert(pem);
        return context;
      };
    }
    return loaded;
  };
};
