'use strict';
// coldbench's Node.js runtime client: a small Lambda Runtime API (2018-06-01) loop with the
// official runtime's handler resolution, context object, console format and error bodies.
// CommonJS and core modules only, so a cold start pays for nothing it does not use.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const { pathToFileURL } = require('node:url');

if (process.env.COLDBENCH_EMULATOR_CA) require('./trust-emulator-ca.cjs')(process.env.COLDBENCH_EMULATOR_CA);

const API = process.env.AWS_LAMBDA_RUNTIME_API;
const PREFIX = '/2018-06-01/runtime';
const JSON_LOGS = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON';

let currentRequestId;

/**
 * The Runtime API over node:http with one keep-alive socket, as the official runtime's JavaScript
 * transport does it (RAPIDClient's `http.Agent({ keepAlive: true, maxSockets: 1 })`, used for its
 * error posts, streamed answers and alternative client; the body is read as a utf-8 string). The
 * runtime client's CPU on the first invoke is part of what Lambda throttles at small memory
 * sizes, and a lighter hand-written client made 128 MB look as fast as 1024 MB
 * (docs/cpu-model.md). The answer is sent before the next /next, as the official runtime does.
 */
const colon = API.lastIndexOf(':');
const API_HOST = API.slice(0, colon);
const API_PORT = Number(API.slice(colon + 1));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function request(method, urlPath, body = '', headers = {}) {
  return new Promise((resolve) => {
    const options = {
      hostname: API_HOST,
      port: API_PORT,
      method,
      path: PREFIX + urlPath,
      agent,
      headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
    };
    const req = http.request(options, (res) => {
      let text = '';
      res.setEncoding('utf-8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    // The emulator closed the Runtime API: the environment is being torn down.
    req.on('error', () => process.exit(0));
    req.end(body, 'utf-8');
  });
}

// Console lines as the official runtime writes them; a multi-line message stays one log event.
function patchConsole() {
  const write =
    (level) =>
    (...args) => {
      const message = util.format(...args);
      const line = JSON_LOGS
        ? JSON.stringify({ timestamp: new Date().toISOString(), level, requestId: currentRequestId, message })
        : `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}`;
      process.stdout.write(`${line.replace(/\n/g, '\r')}\n`);
    };
  console.log = console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
}

class Fault extends Error {
  constructor(errorType, message) {
    super(message);
    this.errorType = errorType;
  }
}

function errorBody(err) {
  if (err instanceof Fault) return { errorType: err.errorType, errorMessage: err.message, trace: [] };
  if (err instanceof Error) {
    return { errorType: err.name, errorMessage: err.message, trace: String(err.stack || '').split('\n') };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

function logError(prefix, body) {
  const { trace, ...rest } = body;
  console.error(prefix, JSON.stringify({ ...rest, stack: trace }));
}

function isSyntaxError(err) {
  return err instanceof SyntaxError || (err && err.name === 'SyntaxError');
}

async function loadModule(file) {
  if (file.endsWith('.mjs')) return import(pathToFileURL(file).href);
  try {
    return require(file);
  } catch (err) {
    if (err && err.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    throw err;
  }
}

async function loadHandler(taskRoot, handler) {
  const slash = handler.lastIndexOf('/');
  const dir = handler.slice(0, slash + 1);
  const match = /^([^.]*)\.(.*)$/.exec(handler.slice(slash + 1));
  if (!match) throw new Fault('Runtime.MalformedHandlerName', `Bad handler ${handler}`);
  const [, moduleName, fnPath] = match;
  const base = path.resolve(taskRoot, dir, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  let mod;
  try {
    if (!file) {
      const err = new Error(`Cannot find module '${moduleName}'\nRequire stack:\n- ${__filename}`);
      err.code = 'MODULE_NOT_FOUND';
      throw err;
    }
    mod = await loadModule(file);
  } catch (err) {
    if (isSyntaxError(err)) throw new Fault('Runtime.UserCodeSyntaxError', `SyntaxError: ${err.message}`);
    if (err && (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new Fault('Runtime.ImportModuleError', `Error: ${err.message}`);
    }
    throw err;
  }
  let fn = mod;
  for (const key of fnPath.split('.')) fn = fn == null ? undefined : fn[key];
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const key of fnPath.split('.')) fn = fn == null ? undefined : fn[key];
  }
  if (fn === undefined) throw new Fault('Runtime.HandlerNotFound', `${moduleName}.${fnPath} is undefined or not exported`);
  if (typeof fn !== 'function') throw new Fault('Runtime.HandlerNotFound', `${moduleName}.${fnPath} is not a function`);
  return fn;
}

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const parse = (v) => {
    try {
      return v ? JSON.parse(v) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parse(headers['lambda-runtime-cognito-identity']),
    clientContext: parse(headers['lambda-runtime-client-context']),
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

// Handlers with three parameters use the callback style (nodejs20.x–22.x); the answer is sent
// when the callback is called (as with callbackWaitsForEmptyEventLoop = false).
function callHandler(fn, event, context) {
  if (fn.length < 3) return Promise.resolve().then(() => fn(event, context));
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    context.done = callback;
    context.succeed = (result) => resolve(result);
    context.fail = (err) => reject(err);
    try {
      const maybe = fn(event, context, callback);
      if (maybe && typeof maybe.then === 'function') maybe.then(resolve, reject);
    } catch (err) {
      reject(err);
    }
  });
}

function postError(urlPath, body) {
  return request('POST', urlPath, JSON.stringify(body), {
    'content-type': 'application/json',
    'lambda-runtime-function-error-type': body.errorType,
  });
}

async function main() {
  patchConsole();
  const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let fn;
  try {
    fn = await loadHandler(taskRoot, process.env._HANDLER || '');
  } catch (err) {
    const body = errorBody(err);
    logError('INIT Error', body);
    await postError('/init/error', body);
    process.exit(1);
  }
  let inflight;
  const fail = async (err) => {
    const body = errorBody(err);
    if (inflight) {
      logError('Invoke Error', body);
      await postError(`/invocation/${inflight}/error`, body);
    } else {
      logError('Uncaught Exception', body);
    }
    process.exit(128);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', (reason) => fail(reason instanceof Error ? reason : new Error(String(reason))));
  for (;;) {
    const next = await request('GET', '/invocation/next');
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = inflight = requestId;
    if (next.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    let result;
    try {
      const event = next.body ? JSON.parse(next.body) : {};
      result = await callHandler(fn, event, makeContext(next.headers));
    } catch (err) {
      const body = errorBody(err);
      logError('Invoke Error', body);
      // Not awaited: the agent's one socket sends the next /next after it.
      void postError(`/invocation/${requestId}/error`, body);
      inflight = undefined;
      continue;
    }
    let out;
    try {
      out = result === undefined ? 'null' : JSON.stringify(result);
    } catch (err) {
      const body = { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${err.message}`, trace: [] };
      logError('Invoke Error', body);
      void postError(`/invocation/${requestId}/error`, body);
      inflight = undefined;
      continue;
    }
    void request('POST', `/invocation/${requestId}/response`, out, { 'content-type': 'application/json' });
    inflight = undefined;
  }
}

main();
