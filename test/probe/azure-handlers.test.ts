import { describePythonHandlers } from './platform-test-helpers.ts';

describePythonHandlers('Azure Functions v2 handlers (fixtures/functions/azure)', 'azure', 'function_app.py');
