// node apps/api/dist/bench/prof-summary.js <file.cpuprofile> [top=25]
// Prints self time by area (package / Strata / node internals / GC) and by function.
import { formatProfile, summarizeProfile } from "./lib/profile.js";

const [file, top] = process.argv.slice(2);
if (!file) {
  console.error("usage: node dist/bench/prof-summary.js <file.cpuprofile> [top]");
  process.exit(2);
}
console.log(formatProfile(summarizeProfile(file, top ? Number(top) : 25)));
