/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkJson, describeJsonError, lineColumn, looksLikeJson, prettyJson } from './json';

test('valid JSON parses', () => {
  assert.deepEqual(checkJson('{"a":[1,2]}'), { ok: true, value: { a: [1, 2] } });
});

test('an error points at the line and column where parsing stopped', () => {
  const text = '{\n  "a": 1,\n  "b": 2,,\n}';
  const check = checkJson(text);
  assert.equal(check.ok, false);
  if (check.ok) return;
  assert.equal(check.problem.line, 3);
  assert.equal(check.problem.column, 10);
  assert.doesNotMatch(check.problem.message, /line \d+ column|position/);
});

test('an unterminated document points at its end', () => {
  const check = checkJson('{"a": [1, 2');
  assert.equal(check.ok, false);
  if (check.ok) return;
  assert.equal(check.problem.line, 1);
  assert.ok(check.problem.column !== null && check.problem.column >= 11);
});

test('messages with only a line and column are understood', () => {
  assert.deepEqual(describeJsonError('x', 'JSON.parse: unexpected character at line 4 column 7 of the JSON data'), {
    message: 'unexpected character at line 4 column 7 of the JSON data',
    line: 4,
    column: 7,
  });
});

test('lineColumn counts from 1 and handles offsets past the end', () => {
  assert.deepEqual(lineColumn('ab\ncd', 0), { line: 1, column: 1 });
  assert.deepEqual(lineColumn('ab\ncd', 4), { line: 2, column: 2 });
  assert.deepEqual(lineColumn('ab', 99), { line: 1, column: 3 });
});

test('pretty printing and the JSON guess', () => {
  assert.equal(prettyJson('{"a":1}'), '{\n  "a": 1\n}');
  assert.equal(prettyJson('nope'), null);
  assert.equal(looksLikeJson(' [1]'), true);
  assert.equal(looksLikeJson('42'), false);
  assert.equal(looksLikeJson('{oops'), false);
});
