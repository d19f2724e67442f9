#!/usr/bin/env node
// Samples every process under `root` every `ms` milliseconds and keeps each one's peak share of memory in
// `out` (JSON { pid: { comm, shareKiB } }, rewritten whenever a peak grows): its private pages plus its
// shared pages divided by `ranks`, the job's rank count. bench/run.js starts it beside a write run: peak RSS
// (/usr/bin/time) counts the shared pages of the executable and libraries in full in every rank, while the
// ranks of a job on one node hold one copy of them. (Not the kernel's Pss, which divides shared pages among
// every process that maps them, this benchmark's own node processes and other jobs' included.)
// usage: node bench/share-sampler.js ROOT_PID RANKS OUT_FILE [MS]
'use strict';
const fs = require('node:fs');

const [root, ranks, out, ms = '20'] = process.argv.slice(2);
const peaks = {};

function parentOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1; // gone
  }
}

function descendants() {
  const children = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    const ppid = parentOf(name);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  const found = [];
  const todo = [Number(root)];
  while (todo.length) for (const c of children.get(todo.pop()) ?? []) found.push(c), todo.push(c);
  return found.filter((pid) => pid !== process.pid);
}

function sample() {
  let grew = false;
  for (const pid of descendants()) {
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const kib = (key) => Number(new RegExp(`^${key}:\\s+([0-9]+) kB`, 'm').exec(rollup)[1]);
      const own = kib('Private_Clean') + kib('Private_Dirty');
      const share = own + (kib('Rss') - own) / Number(ranks);
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (!peaks[pid] || share > peaks[pid].shareKiB) {
        peaks[pid] = { comm, shareKiB: share };
        grew = true;
      }
    } catch {
      // ended between listing and reading
    }
  }
  if (grew) {
    fs.writeFileSync(`${out}.tmp`, JSON.stringify(peaks));
    fs.renameSync(`${out}.tmp`, out);
  }
}

setInterval(sample, Number(ms));
sample();
