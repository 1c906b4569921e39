// A compact reporter for `node --test`: one line a test, the assertion's own
// message under a failure (no stack), the failures again at the end, and a
// closing `N passed, N failed` line. The spec reporter's full output goes to a
// file beside it (run.sh).

function messageOf(error) {
  let e = error;
  while (e && e.code === 'ERR_TEST_FAILURE' && e.cause) e = e.cause;
  if (!e) return 'failed';
  const text = e.message || String(e);
  return text.replace(/\n\s*\n/g, '\n').trimEnd();
}

function indent(text, pad) {
  return text.split('\n').map((l) => pad + l).join('\n');
}

export default async function* reporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  const stack = [];
  for await (const event of source) {
    const { type, data } = event;
    if (type === 'test:start') {
      stack[data.nesting] = data.name;
      stack.length = data.nesting + 1;
    } else if (type === 'test:pass' || type === 'test:fail') {
      const isSuite = data.details?.type === 'suite';
      const pad = '  '.repeat(data.nesting);
      const ms = Math.round(data.details?.duration_ms || 0);
      if (data.skip || data.todo) {
        skipped += isSuite ? 0 : 1;
        yield `${pad}- ${data.name} (skipped)\n`;
        continue;
      }
      if (type === 'test:pass') {
        if (!isSuite) passed++;
        yield `${pad}${isSuite ? '▶' : '✔'} ${data.name}${isSuite ? ` (${ms} ms)` : ''}\n`;
      } else {
        const error = data.details?.error;
        const msg = messageOf(error);
        const subtestsFailed = error?.failureType === 'subtestsFailed';
        if (isSuite) {
          // A suite fails when one of its tests does, or when its before() threw.
          yield `${pad}▶ ${data.name} (${ms} ms)${subtestsFailed ? '' : ': ' + msg}\n`;
          if (!subtestsFailed) {
            failed++;
            failures.push(`${[...stack.slice(0, data.nesting), data.name].join(' › ')}\n${indent(msg, '    ')}`);
          }
        } else {
          failed++;
          yield `${pad}✖ ${data.name}\n${indent(msg, pad + '    ')}\n`;
          failures.push(`${[...stack.slice(0, data.nesting), data.name].join(' › ')}\n${indent(msg, '    ')}`);
        }
      }
    } else if (type === 'test:diagnostic' && data.nesting > 0) {
      // A test's own notes (t.diagnostic); the runner's totals are ours below.
      yield indent(data.message, '  '.repeat(data.nesting) + '  # ') + '\n';
    } else if (type === 'test:stderr' || type === 'test:stdout') {
      if (data.message) yield data.message;
    }
  }
  if (failures.length) {
    yield `\nFAILURES (${failures.length}):\n`;
    for (const f of failures) yield `✖ ${f}\n`;
  }
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}
