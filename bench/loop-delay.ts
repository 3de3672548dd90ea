// Preloaded into the server by bench/book.ts (`--import ./bench/loop-delay.ts`): the server's own
// event-loop delay, so a live session's latency can be told apart from a busy machine. On SIGUSR2 prints
// one line `{"loopDelayMs":{p50,p99,max}}` to stdout and starts a new window.
import { monitorEventLoopDelay } from 'node:perf_hooks'

const h = monitorEventLoopDelay({ resolution: 5 })
h.enable()
process.on('SIGUSR2', () => {
  const ms = (ns: number) => Math.round(ns / 1e4) / 100
  process.stdout.write(JSON.stringify({ loopDelayMs: { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) } }) + '\n')
  h.reset()
})
