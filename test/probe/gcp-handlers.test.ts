import { describePythonHandlers } from './platform-test-helpers.ts';

describePythonHandlers('Google functions-framework handlers (fixtures/functions/gcp)', 'gcp', 'main.py');
