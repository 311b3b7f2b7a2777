#!/usr/bin/env node
// Turns every OpenAPI document of the round-trip suite
// (xtask/tests/roundtrip/openapi/*.yaml|json) into Postman collections with
// openapi-to-postmanv2, the producer of the seed and of Belvo's collection,
// called as its CLI does with `-p -O folderStrategy=Tags`.
//
// Four shapes per document, under xtask/tests/roundtrip/postman/:
//   cli/<name>.postman_collection.json  what `openapi2postmanv2 -p` writes
//   app/<name>.postman_collection.json  the same collection as the Postman app
//                                       exports it: every `url` object also
//                                       carries its `raw` string
//   examples/<name>.postman_collection.json
//                                       the collection made with the other
//                                       options people import with: folders
//                                       by path (the app's default) and
//                                       example values where the others have
//                                       `<type>` placeholders
//                                       (`parametersResolution: Example`),
//                                       exported by the app
//   v2_0/<name>.postman_collection.json the cli collection in format v2.0, as
//                                       Postman's own postman-collection-
//                                       transformer writes it (through v1,
//                                       its only way from v2.1 to v2.0)
// The tool gives every item and example a random id, and fakes enum values
// with Math.random (and dates from the clock): ids are replaced by numbered
// ones, Math.random is a seeded generator restarted for each document, and
// the clock is stopped, so the files only change when the tool's output
// does.
//
// It also writes the third-party collections (xtask/tests/fixtures/
// third_party/) in format v2.0, as the transformer writes them, under
// xtask/tests/fixtures/third_party_v2_0/.
//
//   node generate.js            rewrite the checked-in collections
//   node generate.js --check    write nothing; exit 1 when a checked-in
//                               collection is missing, extra or different
'use strict';

const fs = require('fs');
const path = require('path');

// mulberry32: a small seeded generator standing in for Math.random. The
// faker inside the tool keeps a reference to Math.random from load time, so
// the stand-in is installed before the tool is loaded and calls whichever
// generator `convert` last restarted.
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let random = seeded(1);
Math.random = () => random();
// With example values, the faker makes dates around the current time: the
// clock is stopped at one instant, for the same reason.
// A proxy rather than a subclass, so that `Date()` called without `new`
// still answers (with the stopped time) and `instanceof Date` holds.
const STOPPED = Date.UTC(2026, 0, 1);
global.Date = new Proxy(Date, {
  construct: (RealDate, args) => new RealDate(...(args.length === 0 ? [STOPPED] : args)),
  apply: (RealDate) => new RealDate(STOPPED).toString(),
  get: (RealDate, key) => (key === 'now' ? () => STOPPED : Reflect.get(RealDate, key)),
});

const Converter = require('openapi-to-postmanv2');
const { Url } = require('postman-collection');
const Transformer = require('postman-collection-transformer');

const SUITE = path.resolve(__dirname, '..', 'tests', 'roundtrip');
const SOURCES = path.join(SUITE, 'openapi');
const OUTPUT = path.join(SUITE, 'postman');
// Collections other projects wrote (checked in with their licenses), and
// the same in format v2.0 as Postman's transformer writes them: a test
// requires the same document from each as from its original.
const FIXTURES = path.resolve(__dirname, '..', 'tests', 'fixtures');
const THIRD_PARTY = path.join(FIXTURES, 'third_party');
const THIRD_PARTY_V2_0 = path.join(FIXTURES, 'third_party_v2_0');
// Each shape: the options it is made with, whether it is exported by the
// app, and the collection format when not v2.1. The first options are those
// the seed and Belvo's collection were made with.
const TAGS = { folderStrategy: 'Tags' };
const SHAPES = {
  cli: { options: TAGS, app: false },
  app: { options: TAGS, app: true },
  examples: { options: { folderStrategy: 'Paths', parametersResolution: 'Example' }, app: true },
  v2_0: { options: TAGS, app: false, format: '2.0.0' },
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function convert(file, options = TAGS) {
  random = seeded(1);
  const data = fs.readFileSync(file, 'utf8');
  return new Promise((resolve, reject) => {
    Converter.convertV2({ type: 'string', data }, options, (err, status) => {
      if (err) {
        reject(new Error(`${file}: ${err.message || err}`));
      } else if (!status.result) {
        // The CLI prints the reason and exits 0; a suite must not.
        reject(new Error(`${file}: openapi-to-postmanv2 refused it: ${status.reason}`));
      } else {
        resolve(status.output[0].data);
      }
    });
  });
}

// Replaces random ids by numbered ones, in document order.
function numberIds(value) {
  let n = 0;
  const walk = (node) => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        if ((key === 'id' || key === '_postman_id') && typeof node[key] === 'string' && UUID.test(node[key])) {
          n += 1;
          node[key] = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
        } else {
          walk(node[key]);
        }
      }
    }
  };
  walk(value);
  return value;
}

// Adds `raw` to every request's and example's `url` object, as app exports
// have: the URL as typed, path variables as `:name` (`Url.toString` would
// put their values in their place, so it is given the URL without them).
function withRaw(value) {
  const walk = (node) => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === 'url' && child && typeof child === 'object' && !Array.isArray(child)) {
          const { variable, ...typed } = child;
          child.raw = new Url(typed).toString();
        } else {
          walk(child);
        }
      }
    }
  };
  walk(value);
  return value;
}

// A v2 collection (`from`: 2.0.0 or 2.1.0) in another v2 format, through
// v1 (the transformer's only way between the two).
async function transform(collection, format, from = '2.1.0') {
  const step = (c, inputVersion, outputVersion) => new Promise((resolve, reject) => {
    Transformer.convert(c, { inputVersion, outputVersion, retainIds: true }, (err, out) => {
      if (err) reject(new Error(`postman-collection-transformer: ${err.message || err}`));
      else resolve(out);
    });
  });
  return step(await step(collection, from, '1.0.0'), '1.0.0', format);
}

// The third-party collections' files (relative paths) that are v2.0 or
// v2.1 collections, and their format.
function thirdPartyCollections() {
  const found = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (e.name.endsWith('.json')) {
        const schema = String((JSON.parse(fs.readFileSync(p, 'utf8')).info || {}).schema || '');
        const format = ['2.0.0', '2.1.0'].find((v) => schema.includes(`/v${v}/`));
        if (format) found.push({ rel: path.relative(THIRD_PARTY, p), format });
      }
    }
  };
  walk(THIRD_PARTY);
  return found.sort((a, b) => a.rel.localeCompare(b.rel));
}

function render(shape, collection) {
  const copy = JSON.parse(JSON.stringify(collection));
  const shaped = SHAPES[shape].app ? withRaw(copy) : copy;
  // `-p` writes four-space indentation; a final newline keeps diffs clean.
  return `${JSON.stringify(shaped, null, 4)}\n`;
}

async function main() {
  const check = process.argv.includes('--check');
  const sources = fs.readdirSync(SOURCES).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  if (sources.length === 0) {
    throw new Error(`no OpenAPI documents under ${SOURCES}`);
  }
  // Absolute path of each file this script makes → its text.
  const expected = new Map();
  for (const file of sources) {
    const name = file.replace(/\.(ya?ml|json)$/, '');
    for (const [shape, { options, format }] of Object.entries(SHAPES)) {
      let collection = await convert(path.join(SOURCES, file), options);
      if (format) collection = await transform(collection, format);
      collection = numberIds(collection);
      expected.set(path.join(OUTPUT, shape, `${name}.postman_collection.json`), render(shape, collection));
    }
  }
  for (const { rel, format } of thirdPartyCollections()) {
    const original = JSON.parse(fs.readFileSync(path.join(THIRD_PARTY, rel), 'utf8'));
    // The transformer makes ids for what has none: numbered, as above.
    const collection = numberIds(await transform(original, '2.0.0', format));
    expected.set(path.join(THIRD_PARTY_V2_0, rel), `${JSON.stringify(collection, null, 2)}\n`);
  }
  const problems = [];
  const made = [...Object.keys(SHAPES).map((shape) => path.join(OUTPUT, shape)), THIRD_PARTY_V2_0];
  const present = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : [])
    .flatMap((e) => (e.isDirectory() ? present(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of made.flatMap(present)) {
    if (!expected.has(file) && path.basename(file) !== 'README.md') {
      if (check) problems.push(`${path.relative(FIXTURES, file)}: nothing makes it`);
      else fs.unlinkSync(file);
    }
  }
  for (const [target, text] of expected) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
    if (current === text) continue;
    if (check) {
      problems.push(`${path.relative(path.dirname(FIXTURES), target)}: ${current === null ? 'missing' : 'differs from what the pinned tools make'}`);
    } else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const tmp = `${target}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, target);
      console.log(`wrote ${path.relative(process.cwd(), target)}`);
    }
  }
  if (problems.length > 0) {
    console.error(`the collections made by the pinned tools are stale:\n  ${problems.join('\n  ')}`);
    console.error('run `npm --prefix xtask/roundtrip ci && npm --prefix xtask/roundtrip run generate` and commit the result');
    process.exit(1);
  }
  if (check) console.log(`${expected.size} collections made by the pinned tools are up to date`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`error: ${e.message}`);
    process.exit(2);
  });
}

// corpus.js makes its collections the same way.
module.exports = { convert, numberIds, render, seeded };
