import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerlessSyntaxError, ServerlessUnsupportedError, ServerlessVariableError, suiteFromServerless } from '../../src/bench/serverless.ts';
import { SuiteError } from '../../src/bench/errors.ts';
import { loadSuiteDocument } from '../../src/bench/suite.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GUIDE = 'fixtures/serverless/serverless.yml';
const guideText = readFileSync(join(REPO, GUIDE), 'utf8');

/** A minimal service around one function, for the variable and error cases. */
function service(fn: string, extra = ''): string {
  return `service: svc\nprovider:\n  name: aws\n  runtime: python3.11\n${extra}functions:\n  f:\n${fn
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;
}

const convert = (text: string, options: Partial<Parameters<typeof suiteFromServerless>[1]> = {}) => suiteFromServerless(text, { file: 'svc/serverless.yml', env: {}, ...options });

describe('suiteFromServerless', () => {
  it('turns the guide service into a suite: provider defaults, per-function settings, requirements layer, events by trigger', () => {
    expect(suiteFromServerless(guideText, { file: GUIDE, env: {} })).toEqual({
      name: 'coldbench-guide-dev',
      defaults: { memory: 512, timeout: 10, runtime: 'python3.11', architecture: 'x86_64' },
      functions: {
        hello: {
          code: '.',
          handler: 'handler.hello',
          environment: { STAGE: 'dev', LOG_LEVEL: 'INFO', SERVICE_NAME: 'coldbench-guide', GREETING: 'Hello' },
          packaging: 'layer',
          events: [
            { file: '../events/apigw-get.json', weight: 1 },
            { file: '../events/apigw-post.json', weight: 1 },
          ],
        },
        processor: {
          code: '.',
          handler: 'processor.handle',
          memory: 1024,
          timeout: 30,
          environment: { STAGE: 'dev', LOG_LEVEL: 'INFO', SERVICE_NAME: 'coldbench-guide', UPLOADS_BUCKET: 'coldbench-guide-dev-uploads' },
          packaging: 'layer',
          event: '../events/s3-put.json',
        },
        worker: {
          code: '.',
          handler: 'worker.handle',
          timeout: 20,
          environment: { STAGE: 'dev', LOG_LEVEL: 'INFO', SERVICE_NAME: 'coldbench-guide' },
          packaging: 'layer',
          event: '../events/sqs-batch.json',
        },
      },
    });
  });

  it('returns a document the harness accepts, with the service folder as code and its requirements.txt', () => {
    const suite = loadSuiteDocument(suiteFromServerless(guideText, { file: GUIDE, env: {} }), GUIDE);
    expect(
      suite.functions.map((f) => [
        f.name,
        relative(REPO, f.code),
        f.handler,
        f.memory,
        f.timeout,
        f.packaging,
        f.requirements && relative(REPO, f.requirements),
        f.events.map((e) => relative(REPO, e.file)),
      ]),
    ).toEqual([
      [
        'hello',
        'fixtures/serverless',
        'handler.hello',
        [512],
        10,
        ['layer'],
        'fixtures/serverless/requirements.txt',
        ['fixtures/events/apigw-get.json', 'fixtures/events/apigw-post.json'],
      ],
      ['processor', 'fixtures/serverless', 'processor.handle', [1024], 30, ['layer'], 'fixtures/serverless/requirements.txt', ['fixtures/events/s3-put.json']],
      ['worker', 'fixtures/serverless', 'worker.handle', [512], 20, ['layer'], 'fixtures/serverless/requirements.txt', ['fixtures/events/sqs-batch.json']],
    ]);
  });

  it('resolves the stage from the option into ${sls:stage}, a nested ${self:custom.memory.${sls:stage}} and the name', () => {
    const doc = suiteFromServerless(guideText, { file: GUIDE, stage: 'prod', env: { LOG_LEVEL: 'DEBUG', GREETING: 'Hi' } });
    expect(doc.name).toBe('coldbench-guide-prod');
    expect(doc.defaults.memory).toBe(1024);
    expect(doc.functions.hello.environment).toEqual({ STAGE: 'prod', LOG_LEVEL: 'DEBUG', SERVICE_NAME: 'coldbench-guide', GREETING: 'Hi' });
    expect(doc.functions.processor.environment?.UPLOADS_BUCKET).toBe('coldbench-guide-prod-uploads');
  });

  it('falls back through nested defaults when options and environment are silent', () => {
    const doc = convert(
      service(
        "handler: app.handler\nmemorySize: ${opt:memory, ${env:MEMORY, self:custom.mem}}\nenvironment:\n  A: ${opt:stage, 'dev'}\n  B: \"${env:NOPE, 'x,y'}-${sls:stage}\"\n  C: ${self:custom.missing, 42}\n  D: ${aws:region}",
        'custom:\n  mem: 256\n',
      ),
    );
    expect(doc.functions.f.memory).toBe(256);
    expect(doc.functions.f.environment).toEqual({ A: 'dev', B: 'x,y-dev', C: 42, D: 'us-east-1' });
    const withOpt = convert(service('handler: app.handler\nmemorySize: ${opt:memory, ${env:MEMORY, 128}}'), { opt: { memory: '2048' } });
    expect(withOpt.functions.f.memory).toBe(2048);
    const withEnv = convert(service('handler: app.handler\nmemorySize: ${opt:memory, ${env:MEMORY, 128}}'), { env: { MEMORY: '768' } });
    expect(withEnv.functions.f.memory).toBe(768);
  });

  it('maps each trigger to its sample event, weighting repeats, and leaves a function without events on the default event', () => {
    const events =
      "events:\n  - httpApi: 'GET /items'\n  - httpApi:\n      method: post\n      path: /items\n  - http: DELETE items/{id}\n  - stream:\n      type: dynamodb\n      arn: arn:aws:dynamodb:us-east-1:123456789012:table/items/stream/2026-01-01T00:00:00.000\n  - schedule: rate(5 minutes)\n  - http: GET items\n  - http: get items/{id}";
    const doc = suiteFromServerless(service(`handler: app.handler\n${events}`), { file: join(REPO, 'fixtures/serverless/other.yml'), env: {} });
    expect(doc.functions.f.events).toEqual([
      { file: '../events/apigw-v2-get.json', weight: 1 },
      { file: 'events/apigw-v2-post.json', weight: 1 },
      { file: '../events/apigw-delete.json', weight: 1 },
      { file: '../events/ddb-stream.json', weight: 1 },
      { file: 'events/schedule.json', weight: 1 },
      { file: '../events/apigw-get.json', weight: 2 },
    ]);
    expect(convert(service('handler: app.handler')).functions.f).toEqual({ code: '.', handler: 'app.handler' });
  });

  it('bundles requirements without `layer: true`, names a custom requirements file, and leaves Node functions alone', () => {
    const extra = 'plugins: [serverless-python-requirements]\ncustom:\n  pythonRequirements:\n    fileName: requirements-prod.txt\n';
    const doc = convert(
      `service: svc\n${extra}provider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  py:\n    handler: src/app.handler\n  js:\n    handler: index.handler\n    runtime: nodejs20.x\n`,
    );
    expect(doc.functions.py).toEqual({ code: '.', handler: 'src.app.handler', requirements: 'requirements-prod.txt', packaging: 'bundled' });
    expect(doc.functions.js).toEqual({ code: '.', handler: 'index.handler', runtime: 'nodejs20.x' });
  });

  it('resolves ${self:provider.stage} without provider.stage to the stage in effect: dev, or --stage', () => {
    const text = service(
      'handler: app.handler\nname: ${self:service}-${self:provider.stage}-f\nenvironment:\n  STAGE: ${self:provider.stage}\n  TABLE: items-${self:provider.stage}\n  REGION: ${self:provider.region}',
    );
    const dev = convert(text);
    expect(dev.name).toBe('svc-dev');
    expect(dev.functions.f.environment).toEqual({ STAGE: 'dev', TABLE: 'items-dev', REGION: 'us-east-1' });
    const prod = convert(text, { stage: 'prod', opt: { region: 'eu-west-1' } });
    expect(prod.name).toBe('svc-prod');
    expect(prod.functions.f.environment).toEqual({ STAGE: 'prod', TABLE: 'items-prod', REGION: 'eu-west-1' });
    // A provider.stage in the file is what ${self:provider.stage} reads, as in the Framework.
    expect(convert(text.replace('provider:\n', 'provider:\n  stage: qa\n'), { stage: 'prod' }).functions.f.environment?.STAGE).toBe('qa');
  });

  it('leaves out, with a warning each, a serverless-wsgi handler and the functions of Lift constructs', () => {
    const text =
      'service: svc\nplugins:\n  - serverless-wsgi\n  - serverless-lift\nprovider:\n  name: aws\n  runtime: python3.11\ncustom:\n  wsgi:\n    app: app.app\n' +
      "functions:\n  api:\n    handler: wsgi_handler.handler\n    events:\n      - httpApi: '*'\n  hello:\n    handler: handler.hello\n" +
      'constructs:\n  jobs:\n    type: queue\n    worker:\n      handler: worker.handler\n  uploads:\n    type: storage\n';
    const warnings: string[] = [];
    const doc = convert(text, { warn: (w) => warnings.push(w) });
    expect(Object.keys(doc.functions)).toEqual(['hello']);
    expect(warnings).toEqual([
      'svc/serverless.yml: functions.api: handler wsgi_handler.handler comes from the serverless-wsgi plugin (it adds wsgi_handler.py to the package), which coldbench does not model; it is left out of the benchmark',
      'svc/serverless.yml: constructs.jobs.worker: the worker of the queue construct jobs (handler worker.handler) comes from the serverless-lift plugin, which coldbench does not model; it is left out of the benchmark',
    ]);
  });

  it('reads nothing it does not need: an ${ssm:…} under resources or an unused custom key is no error', () => {
    const text =
      service('handler: app.handler', 'custom:\n  domain: ${ssm:/app/domain}\n') +
      'resources:\n  Outputs:\n    Url:\n      Value: !Sub "https://${ApiGatewayRestApi}.execute-api.${AWS::Region}.amazonaws.com"\n';
    expect(convert(text).functions.f.handler).toBe('app.handler');
  });
});

describe('suiteFromServerless errors', () => {
  const fails = (text: string, type: new (...args: never[]) => Error, message: string, options = {}) => {
    expect(() => convert(text, options)).toThrow(type);
    // Suite errors are what `coldbench bench` reports as input errors (exit 2, no stack).
    expect(() => convert(text, options)).toThrow(SuiteError);
    expect(() => convert(text, options)).toThrow(message);
  };

  it.each([
    [
      'ssm',
      'X: ${ssm:/app/key}',
      'svc/serverless.yml: functions.f.environment.X: ${ssm:/app/key}: the ssm:… variable source is not supported (coldbench reads serverless.yml offline, without AWS or other files); supported:',
    ],
    ['cf', 'X: ${cf:other-stack.QueueUrl}', 'functions.f.environment.X: ${cf:other-stack.QueueUrl}: the cf:… variable source is not supported'],
    ['file()', 'X: ${file(./config.yml):key}', 'functions.f.environment.X: ${file(./config.yml):key}: the file(…) variable source is not supported'],
    ['sls:instanceId', 'X: ${sls:instanceId}', 'the sls:instanceId variable source is not supported'],
  ])('names the %s source as unsupported with the field path', (_name, env, message) => {
    fails(service(`handler: app.handler\nenvironment:\n  ${env}`), ServerlessVariableError, message);
  });

  it.each([
    [
      'says which variable has no value and how to give it a default',
      service('handler: app.handler\nenvironment:\n  TABLE: ${env:TABLE_NAME}'),
      "svc/serverless.yml: functions.f.environment.TABLE: ${env:TABLE_NAME} has no value and no default; set it, or give a default: ${env:TABLE_NAME, 'value'}",
    ],
    [
      'stops a ${self:…} loop',
      service('handler: app.handler\nenvironment:\n  A: ${self:custom.a}', 'custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n'),
      'refers to itself through self:custom.a; break the loop',
    ],
    [
      'stops a stage defined by itself',
      service('handler: app.handler').replace('provider:\n', 'provider:\n  stage: ${sls:stage}\n'),
      "svc/serverless.yml: provider.stage: the stage refers to itself (${sls:stage} inside provider.stage); give it a value, e.g. ${opt:stage, 'dev'}",
    ],
  ])('%s', (_name, text, message) => {
    fails(text, ServerlessVariableError, message);
  });

  it.each([
    ['a container image', 'image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest', 'svc/serverless.yml: functions.f.image: container images are not supported'],
    [
      'a Java runtime',
      'handler: com.example.Handler::handleRequest\nruntime: java17',
      'svc/serverless.yml: functions.f.runtime: "java17" is not supported; coldbench runs python3.X and nodejsNN.x functions',
    ],
    [
      'an external layer',
      'handler: app.handler\nlayers:\n  - arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python311-x86_64:7',
      'functions.f.layers[0]: "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python311-x86_64:7" is not supported; the only layer coldbench builds is serverless-python-requirements\'',
    ],
    [
      'an SNS trigger',
      'handler: app.handler\nevents:\n  - sns: alerts',
      'functions.f.events[0].sns: the sns trigger has no sample event in coldbench; supported: http, httpApi, s3, sqs, stream (DynamoDB), schedule.',
    ],
    [
      'a Kinesis stream',
      'handler: app.handler\nevents:\n  - stream:\n      type: kinesis\n      arn: arn:aws:kinesis:us-east-1:123456789012:stream/clicks',
      'functions.f.events[0].stream: a kinesis stream has no sample event; supported streams: DynamoDB (type: dynamodb)',
    ],
    [
      'a CloudFormation value in the environment',
      'handler: app.handler\nenvironment:\n  QUEUE_URL: !Ref JobsQueue',
      'functions.f.environment.QUEUE_URL: {"Ref":"JobsQueue"} is a CloudFormation value that only exists once deployed; give the benchmark a literal, e.g. QUEUE_URL: ${env:QUEUE_URL, \'local-value\'}',
    ],
    ['a handler without a function', 'handler: app', 'functions.f.handler: "app" is not a handler; expected file.function, e.g. handler.hello'],
    ['a memory size in words', 'handler: app.handler\nmemorySize: lots', 'functions.f.memorySize: "lots" is not a whole positive number'],
  ])('rejects %s, naming the field and what is supported', (_name, fn, message) => {
    fails(service(fn), ServerlessUnsupportedError, message);
  });

  it('says why when every function is left out (plugin handlers, Lift constructs, no `functions:` at all)', () => {
    const message =
      'svc/serverless.yml: functions: nothing left to benchmark; every function comes from a plugin or construct coldbench does not model: functions.api (serverless-wsgi), constructs.jobs.worker (serverless-lift). Benchmark its code with a suite file (docs/suite-format.md)';
    fails(
      `${service('handler: wsgi_handler.handler').replace('  f:\n', '  api:\n')}constructs:\n  jobs:\n    type: queue\n    worker:\n      handler: worker.handler\n`,
      ServerlessUnsupportedError,
      message,
    );
    fails(
      'service: svc\nprovider:\n  name: aws\n  runtime: python3.11\nconstructs:\n  jobs:\n    type: queue\n    worker:\n      handler: worker.handler\n',
      ServerlessUnsupportedError,
      'svc/serverless.yml: functions: nothing left to benchmark; every function comes from a plugin or construct coldbench does not model: constructs.jobs.worker (serverless-lift).',
    );
  });

  it('rejects another provider and prebuilt artifacts', () => {
    fails(
      service('handler: app.handler').replace('name: aws', 'name: google'),
      ServerlessUnsupportedError,
      'svc/serverless.yml: provider.name: "google" is not supported; coldbench benchmarks AWS Lambda services (provider.name: aws)',
    );
    fails(service('handler: app.handler\npackage:\n  artifact: dist/f.zip'), ServerlessUnsupportedError, 'functions.f.package.artifact: a prebuilt artifact is not supported');
  });

  it('reports YAML syntax errors with their line, and files that are not services', () => {
    fails('service: svc\nprovider:\n  name: aws\n functions: [', ServerlessSyntaxError, 'svc/serverless.yml: not valid YAML (line 4):');
    const bomb =
      'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nfunctions: {}\n';
    fails(bomb, ServerlessSyntaxError, 'svc/serverless.yml: not valid YAML: Excessive alias count');
    fails('just: text\n', ServerlessSyntaxError, 'svc/serverless.yml: (top level): not a Serverless service; expected `service`, `provider` and a map of `functions`');
  });
});

describe('suiteFromServerless on damaged files', () => {
  it('either converts or throws a suite error naming the file — never a TypeError', () => {
    const pieces = [
      '${',
      '}',
      '${self:',
      '${opt:stage, ',
      "'dev'",
      '${env:X}',
      '${sls:stage}',
      ':',
      '\n',
      '  ',
      '- ',
      'functions:',
      'handler: a.b',
      'events:',
      'http: GET x',
      '!Ref Q',
      '[',
      ']',
      '{',
      '"',
      "'",
      ',',
      'null',
      '42',
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: guideText.length }), fc.array(fc.constantFrom(...pieces), { maxLength: 6 }), fc.integer({ min: 0, max: 40 }), (at, inserted, cut) => {
        const text = guideText.slice(0, at) + inserted.join('') + guideText.slice(Math.min(guideText.length, at + cut));
        try {
          suiteFromServerless(text, { file: GUIDE, env: {} });
        } catch (error) {
          expect(error).toBeInstanceOf(SuiteError);
          expect((error as Error).message.startsWith(`${GUIDE}: `)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
