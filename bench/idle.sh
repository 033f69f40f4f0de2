# Sourced by the benchmark scripts: waits, before the timings, until the machine is idle, so
# that the load average they report is that of the machine and not of the builds that just
# ran. Idle means a one-minute load average at most $CTXLINT_BENCH_IDLE (default 0.3); it waits
# at most $CTXLINT_BENCH_IDLE_WAIT seconds (default 600), then goes on and says so. 0 for the
# wait skips it.
wait_for_idle() {
    local limit=${CTXLINT_BENCH_IDLE:-0.3} wait=${CTXLINT_BENCH_IDLE_WAIT:-600} waited=0 load
    while :; do
        load=$(cut -d' ' -f1 /proc/loadavg)
        if awk -v l="$load" -v m="$limit" 'BEGIN { exit !(l <= m) }'; then
            echo "bench: load average $load after ${waited} s of waiting (limit $limit)" >&2
            return
        fi
        if [ "$waited" -ge "$wait" ]; then
            echo "bench: load average still $load after ${waited} s (limit $limit): timing under load" >&2
            return
        fi
        sleep 10
        waited=$((waited + 10))
    done
}
