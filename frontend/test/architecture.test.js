// The front end's layering rules (docs/architecture.md), checked on the
// source: views are reached only through the router, components never reach
// back into views or the router, app.js only wires, no cycles, small files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'js');

function modules(dir = root) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return modules(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

/** module (relative to js/) → the modules it imports. */
function graph() {
  const edges = new Map();
  for (const file of modules()) {
    const text = readFileSync(file, 'utf8');
    const imports = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)]
      .map((m) => relative(root, resolve(dirname(file), m[1])));
    edges.set(relative(root, file), imports);
  }
  return edges;
}

const importersOf = (edges, predicate) => [...edges]
  .flatMap(([from, to]) => to.filter(predicate).map((target) => `${from} → ${target}`));

test('views are imported only by the router, the router only by app.js, app.js by nobody', () => {
  const edges = graph();
  assert.deepEqual(importersOf(edges, (t) => t.startsWith('views/')).filter((e) => !e.startsWith('router.js ')), []);
  assert.deepEqual(importersOf(edges, (t) => t === 'router.js').filter((e) => !e.startsWith('app.js ')), []);
  assert.deepEqual(importersOf(edges, (t) => t === 'app.js'), []);
});

test('components and the base modules never reach up into views, the router or app.js', () => {
  const edges = graph();
  const up = (t) => t.startsWith('views/') || t === 'router.js' || t === 'app.js';
  const lower = [...edges].filter(([from]) => !from.startsWith('views/') && from !== 'router.js' && from !== 'app.js');
  assert.deepEqual(lower.flatMap(([from, to]) => to.filter(up).map((t) => `${from} → ${t}`)), []);
});

test('every import names a module that exists, and there are no cycles', () => {
  const edges = graph();
  for (const [from, to] of edges) {
    for (const target of to) assert.ok(edges.has(target), `${from} imports missing ${target}`);
  }
  const seen = new Set();
  const visit = (node, path) => {
    assert.ok(!path.includes(node), `cycle: ${[...path, node].join(' → ')}`);
    if (seen.has(node)) return;
    for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    seen.add(node);
  };
  for (const node of edges.keys()) visit(node, []);
});

test('modules stay small (at most 160 lines)', () => {
  for (const file of modules()) {
    const lines = readFileSync(file, 'utf8').split('\n').length;
    assert.ok(lines <= 160, `${relative(root, file)} has ${lines} lines`);
  }
});
