/**
 * no-silent-catch: a rejection handler that ignores the error — `.catch(() => {})`,
 * `.catch(() => undefined)`, or the same as the second argument of `.then` —
 * must say why ignoring is safe, in a comment inside it, on the line above the
 * statement, or at the end of its line. Empty `catch {}` blocks are no-empty's
 * (which accepts a comment inside them).
 */

/** A function that does nothing with what it is given: an empty body, or one that returns undefined or null. */
function ignores(fn) {
  if (fn?.type !== 'ArrowFunctionExpression' && fn?.type !== 'FunctionExpression') return false;
  const body = fn.body;
  if (body.type === 'BlockStatement') return body.body.length === 0;
  return (body.type === 'Identifier' && body.name === 'undefined') || (body.type === 'Literal' && body.value === null);
}

function statementOf(node) {
  let n = node;
  while (n.parent && !/Statement$|Declaration$/.test(n.parent.type) && n.parent.type !== 'Program') n = n.parent;
  return n.parent && n.parent.type !== 'Program' ? n.parent : n;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'an ignored rejection must say, in a comment, why ignoring it is safe' },
    schema: [],
    messages: { silent: 'This handler ignores the error: report it, or say in a comment why ignoring it is safe.' },
  },
  create(context) {
    const source = context.sourceCode;
    const explained = (handler, call) => {
      if (source.getCommentsInside(handler).length > 0) return true;
      const above = statementOf(call).loc.start.line - 1;
      const end = handler.loc.end.line;
      return source.getAllComments().some((c) => c.loc.end.line === above || (c.loc.start.line === end && c.range[0] >= handler.range[1]));
    };
    return {
      CallExpression(call) {
        if (call.callee.type !== 'MemberExpression' || call.callee.property.type !== 'Identifier') return;
        const method = call.callee.property.name;
        const handler = method === 'catch' ? call.arguments[0] : method === 'then' ? call.arguments[1] : undefined;
        if (ignores(handler) && !explained(handler, call)) context.report({ node: handler, messageId: 'silent' });
      },
    };
  },
};
