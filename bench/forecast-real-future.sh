#!/usr/bin/env bash
# Scores `fleetpulse forecast` against a real future (docs/forecast.md, "Scored against a real future").
#
#   bench/forecast-real-future.sh WORKDIR [SCALE] [SEED]
#
# 1. generates an export that runs one year past the usual end (to 2019-02-28),
# 2. analyzes it as it was known on 2018-02-28 (--as-of: later events are left out),
# 3. projects from that run folder to 2019-02-28, scored against the generator's
#    true daily counts (truth/daily_online.csv) -> R/forecast_score.json,
# 4. analyzes the whole export too and scores the same projection against the
#    repaired counts of the real future -> R-full/forecast_score.json
#    (same definitions as the history the models saw).
# Prints the score tables. Scale 1 needs about 3 GB of disk in WORKDIR.
set -euo pipefail
work=${1:?usage: bench/forecast-real-future.sh WORKDIR [SCALE] [SEED]}
scale=${2:-1}
seed=${3:-1}
here=$(cd "$(dirname "$0")/.." && pwd)
fp="$here/bin/fleetpulse"
mkdir -p "$work"
D="$work/D"; R="$work/R"; F="$work/F"; RF="$work/R-full"
[ -f "$D/truth/daily_online.csv" ] || "$fp" generate --out "$D" --until 2019-02-28 --scale "$scale" --seed "$seed"
[ -f "$R/quality.json" ] || "$fp" analyze --events "$D/connectivity_events.csv" --servers "$D/servers.csv" --out "$R" --as-of 2018-02-28
/usr/bin/time -v "$fp" forecast --in "$R" --until 2019-02-28 --score-against "$D/truth/daily_online.csv" 2> "$work/forecast.time" || { cat "$work/forecast.time"; exit 1; }
grep -E "Elapsed|Maximum resident" "$work/forecast.time" || true
if [ "${SKIP_FULL:-}" = "" ]; then
  [ -f "$F/quality.json" ] || "$fp" analyze --events "$D/connectivity_events.csv" --servers "$D/servers.csv" --out "$F" --quiet
  rm -rf "$RF" && cp -r "$R" "$RF"
  "$fp" forecast --in "$RF" --until 2019-02-28 --score-against "$F/daily_online.csv" --quiet
fi
node --input-type=module - "$R" "$RF" <<'JS'
import { existsSync, readFileSync } from 'node:fs';
{
  const j = JSON.parse(readFileSync(`${process.argv[2]}/forecast.json`, 'utf8'));
  console.log(`\nbacktests (${process.argv[2]}/backtest.csv, means over origins); forecast took ${j.timings.totalSeconds.toFixed(1)} s`);
  console.log('model      horizon origins  MAPE%    MASE  cov80  cov95');
  const p = (x, d = 1) => (x === null ? '-' : x.toFixed(d));
  for (const s of j.backtest.summary) {
    console.log(`${s.model.padEnd(10)} ${String(s.horizon).padStart(7)} ${String(s.origins).padStart(7)} ${p(s.mape).padStart(6)} ${p(s.mase, 2).padStart(7)} ${p(s.coverage80, 2).padStart(6)} ${p(s.coverage95, 2).padStart(6)}`);
  }
  console.log(`scores: ${j.models.map((m) => `${m.name} ${m.backtestScore === null ? '-' : m.backtestScore.toFixed(3)}`).join(', ')}`);
}
for (const dir of process.argv.slice(2)) {
  const f = `${dir}/forecast_score.json`;
  if (!existsSync(f)) continue;
  const s = JSON.parse(readFileSync(f, 'utf8'));
  const j = JSON.parse(readFileSync(`${dir}/forecast.json`, 'utf8'));
  console.log(`\n${f}: against ${s.against}, ${s.firstDate} to ${s.lastDate}; chosen ${j.chosen.model} ${JSON.stringify(j.chosen.weights)}; beats naive: ${s.chosenBeatsNaive}`);
  console.log('model      days   MAPE%    MASE  cov80  cov95  projected  actual');
  const p = (x, d = 1) => (x === null ? '-' : x.toFixed(d));
  for (const r of s.rows) {
    console.log(`${r.model.padEnd(10)} ${String(r.horizonDays).padStart(4)} ${p(r.mape).padStart(7)} ${p(r.mase, 2).padStart(7)} ${p(r.coverage80, 2).padStart(6)} ${p(r.coverage95, 2).padStart(6)} ${r.endForecast.toFixed(0).padStart(10)} ${String(r.endActual).padStart(7)}`);
  }
}
JS
