// Preloaded (`node --import`) into the compiled CLI by the archive-cat benchmark: when the process exits it
// writes its kernel high-water RSS (getrusage maxrss) and its RSS at start as one JSON line on fd 3, so the
// figure is the whole process's, measured without tsx or the bench harness in it.
import { writeSync } from 'node:fs';

const startRssBytes = process.memoryUsage().rss;
process.on('exit', () => {
  try {
    writeSync(3, `${JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, startRssBytes })}\n`);
  } catch {
    // fd 3 not open: run outside the benchmark
  }
});
