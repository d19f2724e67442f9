// Jest runs each test file in a fresh V8 context, whose Symbol lacks the Symbol.dispose and
// Symbol.asyncDispose Node 20 adds to its own; give it Node's (registered) symbols so that `using` works
// there exactly as in a plain `node` run.
'use strict';
for (const name of ['dispose', 'asyncDispose']) {
  if (typeof Symbol[name] !== 'symbol') Object.defineProperty(Symbol, name, { value: Symbol.for(`nodejs.${name}`) });
}
