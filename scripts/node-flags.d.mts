/** V8 flags the server runs with; `cpus`: CPUs the server process may run on (default: this process's). */
export function serverNodeFlags(cpus?: number): string[]
