#!/bin/bash
# bench/thread-cpu.sh FLUSH_ON_ACK(true|false) PARTITIONS: where a Piste broker's CPU goes during one produce of
# 300,000 x 1 KiB (acks=all, linger.ms=5, Kafka's ProducerPerformance) to a new topic of PARTITIONS partitions, by
# thread name (user and system clock ticks from /proc/PID/task/*/stat, before and after). Starts its own broker on
# 127.0.0.1:9092 with data in /tmp/prof-data (so nothing else may use that port), stops it at the end. Needs Piste
# built and bench/kafka's classpath (any bench script run once builds it). Loopback only; bounded by timeouts.
set -u
mode=$1; parts=$2
cd "$(dirname "$0")/.."
. bench/lib.sh
fresh_broker_with_topic /tmp/prof-data "$parts" 300 --override "log.flush.on.ack=$mode"
snap() { for t in /proc/$PID/task/*; do n=$(tr " " "_" < $t/comm); s=$(sed -E "s/^.*\) //" $t/stat | awk "{print \$12, \$13}"); echo "$n $s"; done | awk '{gsub(/-[0-9]+$/,"",$1); gsub(/[0-9]+$/,"",$1); u[$1]+=$2; s[$1]+=$3} END {for (k in u) print k, u[k], s[k]}' | sort; }
snap > /tmp/prof-data.before
timeout 120 java -Xmx512M -cp "$CP" org.apache.kafka.tools.ProducerPerformance --topic t --num-records 300000 --record-size 1024 --throughput -1 --producer-props bootstrap.servers=127.0.0.1:9092 acks=all linger.ms=5 2>&1 | tail -1
snap > /tmp/prof-data.after
join -a1 /tmp/prof-data.after /tmp/prof-data.before | awk '{du=$2-($4+0); ds=$3-($5+0); if (du+ds>5) printf "%-28s user %5d sys %5d ticks\n", $1, du, ds; tu+=du; ts+=ds} END {printf "TOTAL user %d sys %d ticks\n", tu, ts}'
kill $PID; wait 2>/dev/null
