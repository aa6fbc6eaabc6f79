/**
 * The measured process of the `archive cat` benchmark: runs the real CLI (`cwl-trim archive cat`)
 * in-process with stdout counted instead of printed, and reports events/s and memory over IPC. A fresh
 * process, so its peak RSS is cat's alone.
 *
 * Usage (by bench/scenarios/archiveCat.ts): node --import tsx bench/archiveCatChild.ts '<argv JSON>'
 */
import { performance } from 'node:perf_hooks';
import { main } from '../src/cli.js';
import { sampleMemory, secondsSince, toMb } from './harness.js';

async function measure(): Promise<void> {
  const argv = JSON.parse(process.argv[2] ?? '[]') as string[];
  let lines = 0;
  let bytes = 0;
  let lastStamp = '';
  let outOfOrder = 0;
  const baselineRssMb = toMb(process.memoryUsage().rss);
  const memory = sampleMemory();
  const t0 = performance.now();
  const code = await main(argv, { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' }, {
    stdout: (text) => {
      bytes += text.length;
      // ISO-8601 UTC stamps sort as strings: checking the order costs a comparison per line.
      let at = 0;
      while (at < text.length) {
        const end = text.indexOf('\n', at);
        const stamp = text.slice(at, at + 24);
        if (stamp < lastStamp) outOfOrder += 1;
        lastStamp = stamp;
        lines += 1;
        at = end < 0 ? text.length : end + 1;
      }
    },
    stderr: (text) => void process.stderr.write(text),
  });
  const wallS = secondsSince(t0);
  const peaks = memory.stop();
  process.send?.({ code, lines, bytes, outOfOrder, wallS, maxRssMb: toMb(peaks.maxRssBytes), sampledRssMb: toMb(peaks.rssBytes), liveHeapMb: toMb(peaks.liveHeapBytes),
    heapTotalMb: toMb(peaks.heapTotalBytes), externalMb: toMb(peaks.externalBytes), baselineRssMb });
  process.disconnect?.();
}

measure().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
  process.disconnect?.();
});
