#!/bin/sh
# Seeds for fuzz_netif_response (written into the corpus directory $1): byte 0
# picks 256 or 16 RX buffers, byte 1 the TX pool; then operations (transmit,
# receive, wait, publish responses) with the responses' fields.
set -e
out=$1
# 256 RX buffers, 32 TX: transmit, publish a TX response for id 0 and a good
# RX response (id 0, offset 0, 60 bytes), receive.
printf '\001\040\000\003\002\000\000\000\001\000\000\000\000\000\074\000\001\001' >"$out/seed-txrx"
# 16 RX buffers: an RX response flagged extra_info+more_data, then one past the page, then an index jump.
printf '\000\004\003\003\001\000\000\000\000\014\100\000\001\000\000\377\017\000\000\020\000\000\001\003\001\000\000\000\000\000\000\377\377\000\000\001' >"$out/seed-flags"
