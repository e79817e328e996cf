// Reads /proc to find the processes that the editor started (Linux only). Zombies count as
// gone, because where PID 1 does not reap orphans (as in some containers) their entries stay.

import { readdirSync, readFileSync } from "node:fs";

/** Returns `{ pid, pgid, state, argv }` of every live (not zombie) process. */
export function liveProcesses() {
  const processes = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name in parentheses may contain spaces, so split after its closing bracket.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const state = fields[0];
      if (state === "Z" || state === "X") continue;
      const argv = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").filter(Boolean);
      processes.push({ pid: Number(name), pgid: Number(fields[2]), state, argv });
    } catch {
      // The process exited while the loop read it.
    }
  }
  return processes;
}

/** Returns whether `pid` runs and is not a zombie. */
export function isAlive(pid) {
  return liveProcesses().some((process) => process.pid === pid);
}

/** Returns the live processes in process group `pgid`. */
export function processGroup(pgid) {
  return liveProcesses().filter((process) => process.pgid === pgid);
}

/** Returns the pids of `hexa lsp` processes in process group `pgid`. */
export function languageServers(pgid, hexa) {
  return processGroup(pgid)
    .filter((process) => process.argv[0] === hexa && process.argv.includes("lsp"))
    .map((process) => process.pid);
}
